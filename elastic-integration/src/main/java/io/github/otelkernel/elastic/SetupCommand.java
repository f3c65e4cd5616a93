package io.github.otelkernel.elastic;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code setup --elasticsearch URL …}: installs the templates, retention and roles, prints what it
 * did and what it skipped; {@code --kibana URL} imports the dashboards and installs the dead-man
 * rule (either, or both: Elasticsearch first). {@link SetupMain} runs it as a process of its own.
 */
@Command(
    // the command operators type: bin/otel-kernel-receiver dispatches `setup` to this jar
    name = "otel-kernel-receiver setup",
    mixinStandardHelpOptions = true,
    versionProvider = SetupMain.Version.class,
    description = {
      // the agent's --help repeats the first line as the command's summary (cli.Main.Setup)
      "Installs in Elasticsearch what the otel-kernel-receiver data streams need.",
      "Index templates for the Collector's elasticsearch exporter (mapping mode",
      "otel), retention and roles (--elasticsearch); the Kibana dashboards, their",
      "data view and the dead-man rule (--kibana). Give either or both. Safe to",
      "run again; prints one line per thing installed or skipped, with the reason."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:installed (some parts may be skipped, see the output)",
      "1:Elasticsearch or Kibana refused, could not be reached, or is too old",
      "2:invalid usage"
    })
public final class SetupCommand implements Callable<Integer> {
  @Option(
      names = "--elasticsearch",
      paramLabel = "URL",
      description = "The cluster's base URL, e.g. https://es.example.com:9200")
  String elasticsearch;

  @Option(
      names = "--kibana",
      paramLabel = "URL",
      description =
          "Kibana's URL, e.g. https://kibana.example.com:5601 (with its base path or space if any:"
              + " …/s/security): imports the dashboards, overwriting earlier copies, and installs the dead-man rule")
  String kibana;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      defaultValue = "${env:ELASTICSEARCH_API_KEY}",
      description = "API key (the base64 id:key form; default: $ELASTICSEARCH_API_KEY), for both")
  String apiKey;

  @Option(names = "--username", paramLabel = "USER", description = "User for basic authentication")
  String username;

  @Option(
      names = "--password",
      paramLabel = "PASSWORD",
      defaultValue = "${env:ELASTICSEARCH_PASSWORD}",
      description =
          "Its password (default: $ELASTICSEARCH_PASSWORD, which keeps it out of the process list)")
  String password;

  @Option(
      names = "--api-key-file",
      paramLabel = "FILE",
      description =
          "Read the API key from this file (its first line): out of the process list and the shell history")
  java.nio.file.Path apiKeyFile;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "Read the password from this file (its first line)")
  java.nio.file.Path passwordFile;

  @Option(
      names = "--insecure-http",
      description =
          "Send credentials over plain http to another host anyway (anyone on the network can read them)")
  boolean insecureHttp;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description =
          "PEM certificate(s) to trust for https: the cluster's (and Kibana's) CA (default: the JDK's trust store)")
  Path caFile;

  @Option(
      names = "--retention-days",
      paramLabel = "N",
      defaultValue = "90",
      description =
          "Days records are kept (ILM, or data stream lifecycle; default: ${DEFAULT-VALUE}),"
              + " in every stream --retention does not name")
  int retentionDays;

  @Option(
      names = "--retention",
      paramLabel = "STREAM=DAYSd,…",
      description =
          "Per data stream retention, over --retention-days: process, file, network, kernel,"
              + " agent (e.g. process=365d,file=30d)")
  String retention;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (elasticsearch == null && kibana == null) {
        throw SetupException.usage("give --elasticsearch URL, --kibana URL, or both (see --help)");
      }
      Retention keep = Retention.parse(retention, retentionDays); // refused before any request
      URI elasticsearchUrl =
          elasticsearch == null ? null : url("--elasticsearch", elasticsearch, false);
      URI kibanaUrl = kibana == null ? null : url("--kibana", kibana, true);
      String authorization = authorization();
      if (authorization != null && !insecureHttp) {
        refusePlaintext("--elasticsearch", elasticsearchUrl);
        refusePlaintext("--kibana", kibanaUrl);
      }
      if (elasticsearchUrl != null) {
        try (ElasticConnection connection =
            ElasticConnection.open(elasticsearchUrl, authorization, caFile)) {
          new ElasticSetup(connection).run(keep).lines().forEach(out::println);
        } catch (java.io.IOException e) {
          // closing the connection; nothing was left undone
        }
      }
      if (kibana != null) {
        KibanaImport.Result result = new KibanaImport(kibanaUrl, authorization, caFile).run();
        result.report().lines().forEach(out::println);
        result.errors().forEach(line -> err.println("error: " + line));
        // the dead-man rule does not depend on the dashboards: installed even when some were
        // refused
        new KibanaRule(kibanaUrl, authorization, caFile).install().lines().forEach(out::println);
        if (!result.errors().isEmpty()) {
          return SetupException.CLUSTER;
        }
      }
      return 0;
    } catch (SetupException e) {
      err.println("error: " + e.getMessage());
      return e.exitCode();
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * An http(s) base URL; Kibana's may have a path (its base path, a space), Elasticsearch's not.
   */
  private static URI url(String option, String value, boolean pathAllowed) throws SetupException {
    URI url;
    try {
      url = new URI(value);
    } catch (URISyntaxException e) {
      throw SetupException.usage(option + ": '" + value + "' is not a URL");
    }
    if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
        || url.getHost() == null) {
      throw SetupException.usage(option + ": '" + value + "' is not an http(s)://host[:port] URL");
    }
    if (url.getUserInfo() != null) {
      throw SetupException.usage(
          option + ": put credentials in --username/--password or --api-key, not in the URL");
    }
    if (url.getRawQuery() != null
        || url.getRawFragment() != null
        || (!pathAllowed
            && !(url.getRawPath() == null
                || url.getRawPath().isEmpty()
                || url.getRawPath().equals("/")))) {
      throw SetupException.usage(
          pathAllowed
              ? option + ": give Kibana's base URL, without a query"
              : option + ": give the cluster's base URL, without a path or query");
    }
    return url;
  }

  /** Credentials over http go to this machine only, unless --insecure-http says otherwise. */
  private static void refusePlaintext(String option, URI url) throws SetupException {
    if (url == null || !"http".equals(url.getScheme())) {
      return;
    }
    boolean loopback;
    try {
      InetAddress[] all = InetAddress.getAllByName(url.getHost());
      loopback =
          all.length > 0 && java.util.Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress);
    } catch (UnknownHostException e) {
      loopback = false;
    }
    if (!loopback) {
      throw SetupException.usage(
          option
              + ": "
              + url
              + " would send the credentials unencrypted to another host:"
              + " use https://, or add --insecure-http to accept that");
    }
  }

  /**
   * The first line of a secret's file; a missing or empty one is a usage error naming the option.
   */
  private static String secretFrom(String option, java.nio.file.Path file) throws SetupException {
    try {
      String first = java.nio.file.Files.readString(file).lines().findFirst().orElse("").strip();
      if (first.isEmpty()) {
        throw SetupException.usage(option + ": " + file + " is empty");
      }
      return first;
    } catch (java.io.IOException e) {
      throw SetupException.usage(
          option + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * The Authorization header: an API key or a user, never both; none is fine for an open cluster.
   */
  private String authorization() throws SetupException {
    if (apiKeyFile != null) {
      apiKey = secretFrom("--api-key-file", apiKeyFile);
    }
    if (passwordFile != null) {
      password = secretFrom("--password-file", passwordFile);
    }
    boolean key = apiKey != null && !apiKey.isEmpty();
    boolean user = username != null && !username.isEmpty();
    if (key && user) {
      throw SetupException.usage("give --api-key or --username, not both");
    }
    if (user && (password == null || password.isEmpty())) {
      throw SetupException.usage("--username needs --password (or ELASTICSEARCH_PASSWORD)");
    }
    if (key) {
      return ElasticConnection.apiKeyAuthorization(apiKey);
    }
    return user ? ElasticConnection.basicAuthorization(username, password) : null;
  }
}
