package io.github.otelkernel.elastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code setup} as an operator runs it: the packaged {@code otel-kernel-setup.jar} in its own
 * process, exit code, stdout and stderr. Every failure is one {@code error: …} line, 1 for the
 * cluster or the network, 2 for usage; no logging noise from the Elasticsearch client.
 */
class SetupCommandIT {
  static final Path JAR = Path.of(System.getProperty("setup.jar", "target/otel-kernel-setup.jar"));

  record Run(int exit, List<String> out, List<String> err) {}

  @Test
  void helpNamesTheCommandAndEveryOption() throws Exception {
    Run run = setup("--help");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(List.of(), run.err());
    String help = String.join("\n", run.out());
    assertTrue(help.startsWith("Usage: otel-kernel-receiver setup "), help);
    for (String option :
        List.of(
            "--elasticsearch=URL",
            "--kibana=URL",
            "--api-key=KEY",
            "--username=USER",
            "--password=PASSWORD",
            "--ca-file=FILE",
            "--retention-days=N",
            "--retention=STREAM=DAYSd,…",
            "--version")) {
      assertTrue(help.contains(option), () -> option + " not in:\n" + help);
    }
  }

  @Test
  void versionIsTheJarsOwn() throws Exception {
    Run run = setup("--version");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(1, run.out().size(), run.toString());
    assertTrue(
        run.out().get(0).matches("otel-kernel-receiver setup \\d+\\.\\d+\\.\\d+.*"),
        run.toString());
  }

  @Test
  void aCaFileThatIsNoCertificateIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
    Path ca = dir.resolve("not-a-ca.pem");
    Files.writeString(ca, "not a certificate\n");
    Run run = setup("--elasticsearch", "https://127.0.0.1:1", "--ca-file", ca.toString());
    assertEquals(2, run.exit(), run.toString());
    assertEquals(1, run.err().size(), run.toString());
    assertTrue(run.err().get(0).startsWith("error: --ca-file " + ca), run.toString());
    assertTrue(run.err().get(0).contains("not a PEM certificate file"), run.toString());
  }

  @Test
  void printsWhatItDidAndExitsZero() throws Exception {
    ElasticsearchServer es = ElasticsearchServer.open();
    Run run =
        setup(
            "--elasticsearch",
            es.url.toString(),
            "--retention-days",
            "30",
            "--retention",
            "file=7d");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(List.of(), run.err(), "nothing but the report: no logging noise");
    assertTrue(
        run.out().get(0).startsWith("cluster   Elasticsearch 9.2.0 at " + es.url), run.toString());
    assertTrue(
        run.out().contains("installed index template logs-ksec: logs-ksec.*, priority 250"),
        run.toString());
    assertTrue(
        run.out()
            .contains("installed index template logs-ksec.file: logs-ksec.file.*, priority 251"),
        run.toString());
    assertTrue(
        run.out()
            .contains(
                "skipped   roles ksec_analyst, ksec_collector_writer, ksec_analyst_restricted: "
                    + "security is disabled on this cluster"),
        run.toString());
  }

  @Test
  void authenticatesWithAnApiKey() throws Exception {
    ElasticsearchServer es = ElasticsearchServer.secured();
    JsonNode key =
        es.http()
            .ok(
                "POST",
                "/_security/api_key",
                """
        {"name": "ksec-setup-test"}""");
    Run run =
        setup("--elasticsearch", es.url.toString(), "--api-key", key.path("encoded").asText());
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("installed role ksec_collector_writer"), run.toString());
  }

  @Test
  void anUnreachableClusterIsOneLineAndExitOne() throws Exception {
    int closed = ElasticsearchServer.freePort();
    Run run = setup("--elasticsearch", "http://127.0.0.1:" + closed);
    assertEquals(1, run.exit(), run.toString());
    assertEquals(List.of(), run.out());
    assertEquals(
        List.of(
            "error: cannot reach Elasticsearch at http://127.0.0.1:"
                + closed
                + ": Connect to http://127.0.0.1:"
                + closed
                + " [/127.0.0.1] failed: Connection refused"),
        run.err());
  }

  @Test
  void aWrongPasswordIsOneLineAndExitOne() throws Exception {
    ElasticsearchServer es = ElasticsearchServer.secured();
    Run run =
        setup("--elasticsearch", es.url.toString(), "--username", "elastic", "--password", "wrong");
    assertEquals(1, run.exit(), run.toString());
    assertEquals(1, run.err().size(), run.toString());
    String line = run.err().get(0);
    assertTrue(
        line.startsWith(
            "error: Elasticsearch at "
                + es.url
                + " answered 401 to GET /_nodes: security_exception: "),
        line);
    assertTrue(line.endsWith("(check --api-key, or --username and --password)"), line);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--elasticsearch not-a-url                                  | error: --elasticsearch: 'not-a-url' is not an http(s)://host[:port] URL",
        "--elasticsearch ftp://es.example.com                       | error: --elasticsearch: 'ftp://es.example.com' is not an http(s)://host[:port] URL",
        "--elasticsearch http://es.example.com:9200/prefix          | error: --elasticsearch: give the cluster's base URL, without a path or query",
        "--elasticsearch http://u:p@es.example.com:9200             | error: --elasticsearch: put credentials in --username/--password or --api-key, not in the URL",
        "--elasticsearch http://127.0.0.1:1 --api-key k --username u --password p | error: give --api-key or --username, not both",
        "--elasticsearch http://127.0.0.1:1 --username u            | error: --username needs --password (or ELASTICSEARCH_PASSWORD)",
        "--elasticsearch http://127.0.0.1:1 --retention-days 0      | error: retention must be at least 1 day, not 0",
        "--elasticsearch http://127.0.0.1:1 --retention proc=30d    | error: --retention: 'proc' is not a data stream; use process, file, network, kernel, agent (e.g. --retention process=365d,file=30d)",
        "--elasticsearch http://127.0.0.1:1 --retention file=30     | error: --retention: file=30 is not a number of days; write it as file=30d (at least 1d)",
        "--elasticsearch http://127.0.0.1:1 --retention file=7d,file=8d | error: --retention: file is given twice",
        "--elasticsearch http://127.0.0.1:1 --ca-file /nonexistent.pem | error: --ca-file /nonexistent.pem: cannot read it (NoSuchFileException)",
        "--elasticsearch http://127.0.0.1:1 --retention-days ninety | error: Invalid value for option '--retention-days': 'ninety' is not an int (see --help)",
        "--retention-days 30                                        | error: give --elasticsearch URL, --kibana URL, or both (see --help)",
        "--kibana http://kibana.example.com:5601?x=1                | error: --kibana: give Kibana's base URL, without a query",
      })
  void usageErrorsAreOneLineAndExitTwo(String args, String error) throws Exception {
    Run run = setup(args.trim().split("\\s+"));
    assertEquals(2, run.exit(), run.toString());
    assertEquals(List.of(), run.out());
    assertEquals(List.of(error), run.err());
  }

  /** The setup jar in a JVM of its own, with no credentials in its environment. */
  static Run setup(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("ELASTICSEARCH_API_KEY");
    pb.environment().remove("ELASTICSEARCH_PASSWORD");
    Process p = pb.start();
    p.getOutputStream().close();
    List<String> errLines = new ArrayList<>();
    Thread stderr =
        Thread.ofPlatform()
            .start(() -> p.errorReader(StandardCharsets.UTF_8).lines().forEach(errLines::add));
    List<String> outLines = p.inputReader(StandardCharsets.UTF_8).lines().toList();
    stderr.join();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return new Run(p.exitValue(), outLines, errLines);
  }
}
