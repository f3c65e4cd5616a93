package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The detection tooling the project ships, run as a user runs it: the Sigma pipeline through
 * elastic-integration/src/main/python/ksec_sigma.py (pySigma and its Elasticsearch backend from
 * PyPI), and EQL rules through ksec_eql.py (the eql package; the test cluster has no x-pack EQL),
 * with the Python of bin/lib.sh's detection_python.
 */
final class DetectionTools {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DetectionTools() {}

  static String python() {
    String p = System.getProperty("detection.python", "");
    if (p.isBlank() || p.startsWith("${") || !Files.isExecutable(Path.of(p))) {
      fail(
          "no Python with the detection packages (-Ddetection.python="
              + p
              + "): run the suite with bin/test, or pass"
              + " -Ddetection.python=$(bash -c 'source bin/lib.sh && detection_python')");
    }
    return p;
  }

  static Path tools() {
    return Path.of(System.getProperty("detection.tools"));
  }

  static Path rules() {
    return Path.of(System.getProperty("detection.rules"));
  }

  /** The test's Sigma rules converted by the shipped pipeline: rule, index and Lucene query. */
  static List<JsonNode> sigmaQueries() throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(python(), "-B", tools().resolve("ksec_sigma.py").toString(), "convert"));
    try (Stream<Path> s = Files.list(rules().resolve("sigma/rules"))) {
      s.sorted().map(Path::toString).forEach(cmd::add);
    }
    return jsonLines(run(cmd));
  }

  /** Each EQL rule's matches over the documents (the fields format of a search, one per line). */
  static List<JsonNode> eqlMatches(String rulesFile, Path documents) throws Exception {
    return jsonLines(
        run(
            List.of(
                python(),
                "-B",
                tools().resolve("ksec_eql.py").toString(),
                rules().resolve("detection/" + rulesFile).toString(),
                documents.toString())));
  }

  static JsonNode kqlRules() throws Exception {
    return JSON.readTree(rules().resolve("detection/kql-rules.json").toFile());
  }

  private static List<JsonNode> jsonLines(String out) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.lines().toList()) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  private static String run(List<String> cmd) throws Exception {
    Path err = Files.createTempFile("ksec-detection", ".err");
    try {
      Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("did not finish in 120 s: " + String.join(" ", cmd));
      }
      if (p.exitValue() != 0) {
        fail(
            String.join(" ", cmd)
                + " exited "
                + p.exitValue()
                + ":\n"
                + Files.readString(err)
                + out);
      }
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
