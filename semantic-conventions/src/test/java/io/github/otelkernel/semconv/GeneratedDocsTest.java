package io.github.otelkernel.semconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed copies of what the build generates from model/ (the semconv reference, the probes'
 * header of type ids and slots, the catalog table of docs/events.md) are not stale. Run the tests
 * with {@code -Dupdate.generated=true} to rewrite them.
 */
class GeneratedDocsTest {
  private static final boolean UPDATE = Boolean.getBoolean("update.generated");
  private static final String BEGIN = "<!-- catalog:begin";
  private static final String END = "<!-- catalog:end -->\n";

  @Test
  void committedReferenceMatchesTheRegistry() throws Exception {
    same(
        Path.of(System.getProperty("generated.docs")),
        Path.of(System.getProperty("committed.docs")));
  }

  @Test
  void committedProbeHeaderMatchesTheCatalog() throws Exception {
    same(
        Path.of(System.getProperty("generated.header")),
        Path.of(System.getProperty("committed.header")));
  }

  @Test
  void eventsDocCarriesTheCatalogTable() throws Exception {
    Path generated = Path.of(System.getProperty("generated.catalog"));
    Path doc = Path.of(System.getProperty("committed.events"));
    String text = Files.readString(doc);
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    assertTrue(
        b >= 0 && e > b, doc + " lacks the catalog markers (" + BEGIN + " … " + END.strip() + ")");
    String committed = text.substring(b, e + END.length());
    String fresh = Files.readString(generated);
    if (UPDATE && !fresh.equals(committed)) {
      Files.writeString(doc, text.substring(0, b) + fresh + text.substring(e + END.length()));
      return;
    }
    assertEquals(
        fresh,
        committed,
        doc + "'s catalog table is stale: run the tests with -Dupdate.generated=true");
  }

  @Test
  void constantsAreGenerated() {
    assertEquals("ksec.process.group.id", KsecAttributes.PROCESS_GROUP_ID.getKey());
    assertEquals("process.exec", KsecEvents.PROCESS_EXEC);
    assertTrue(KsecAttributeHandling.REDACTED.contains("file.path"));
    assertTrue(KsecAttributeHandling.MERGE_VOLATILE.contains("thread.id"));
  }

  private static void same(Path generated, Path committed) throws Exception {
    String fresh = Files.readString(generated);
    String old = Files.exists(committed) ? Files.readString(committed) : "";
    if (UPDATE && !fresh.equals(old)) {
      Files.writeString(committed, fresh);
      return;
    }
    assertEquals(
        fresh,
        old,
        committed
            + " is stale: run the tests with -Dupdate.generated=true (or copy "
            + generated
            + " over it)");
  }
}
