package io.github.otelkernel.elastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Python side of the detection tooling (src/main/python: the Sigma converter over the shipped
 * pipeline, the EQL evaluator) by its own unit tests (src/test/python), in the virtual environment
 * of the pinned requirements that bin/test builds. The agent's end-to-end test runs the same tools
 * against real records in Elasticsearch.
 */
class DetectionToolsIT {
  @Test
  void theSigmaAndEqlToolsPassTheirUnitTests() throws Exception {
    String python = System.getProperty("detection.python", "");
    if (python.isBlank() || !Files.isExecutable(Path.of(python))) {
      fail(
          "no Python with the detection packages (-Ddetection.python="
              + python
              + "): run the suite with bin/test, or pass"
              + " -Ddetection.python=$(bash -c 'source bin/lib.sh && detection_python')");
    }
    Process p =
        new ProcessBuilder(python, "-B", "-m", "unittest", "discover", "-s", "src/test/python")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python unittest did not finish");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("OK"), out);
  }
}
