package io.github.otelkernel.semconv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/semantic-conventions.md is the generator's output, not hand-written text. */
class GeneratedDocsTest {
  @Test
  void committedReferenceMatchesTheRegistry() throws Exception {
    Path generated = Path.of(System.getProperty("generated.docs"));
    Path committed = Path.of(System.getProperty("committed.docs"));
    assertEquals(Files.readString(generated), Files.exists(committed) ? Files.readString(committed) : "",
        "docs/semantic-conventions.md is stale: copy " + generated + " over it (the build generated it from model/)");
  }

  @Test
  void constantsAreGenerated() {
    assertEquals("ksec.process.group.id", KsecAttributes.PROCESS_GROUP_ID.getKey());
    assertEquals("process.exec", KsecEvents.PROCESS_EXEC);
  }
}
