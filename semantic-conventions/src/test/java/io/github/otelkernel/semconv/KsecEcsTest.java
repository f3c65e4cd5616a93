package io.github.otelkernel.semconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KsecEcsTest {
  @Test
  void everyEventOfTheCatalogHasItsOwnCategorization() throws Exception {
    List<String> names = KsecDataStreamsTest.catalogNames();
    assertTrue(names.size() > 40, names.toString());
    for (String name : names) {
      EcsCategorization c = KsecEcs.of(name);
      assertNotEquals(KsecEcs.UNKNOWN, c, name);
      assertEquals(name, c.eventName());
      assertEquals("", c.variant());
      assertSame(c, KsecEcs.ALL.get(c.index()), name);
    }
  }

  @Test
  void actionsAreElasticDefendsWhereDefendHasTheEvent() {
    assertEquals("exec", KsecEcs.of(KsecEvents.PROCESS_EXEC).action());
    assertEquals(List.of("start"), KsecEcs.of(KsecEvents.PROCESS_EXEC).type());
    assertEquals("end", KsecEcs.of(KsecEvents.PROCESS_EXIT).action());
    assertEquals("uid_change", KsecEcs.of(KsecEvents.PROCESS_SETUID).action());
    assertEquals("connection_attempted", KsecEcs.of(KsecEvents.NETWORK_CONNECT).action());
    assertEquals("deletion", KsecEcs.of(KsecEvents.FILE_UNLINK).action());
    // Defend's prebuilt rules ask "process where ... load_module"
    assertTrue(KsecEcs.of(KsecEvents.KERNEL_MODULE_LOAD).category().contains("process"));
  }

  @Test
  void variantsTakeTheirEventsValuesWhereTheyGiveNone() {
    EcsCategorization create = KsecEcs.of(KsecEvents.FILE_OPEN, "create");
    assertEquals("create", create.variant());
    assertEquals(List.of("creation"), create.type());
    assertEquals("creation", create.action());
    assertEquals(List.of("file"), create.category()); // the event's own
    assertEquals("modification", KsecEcs.of(KsecEvents.FILE_OPEN, "write").action());
    // a variant an event lacks is the event's own categorization
    assertSame(KsecEcs.of(KsecEvents.FILE_OPEN), KsecEcs.of(KsecEvents.FILE_OPEN, "nonesuch"));
  }

  @Test
  void aNameOutsideTheCatalogIsUnknownNotAnError() {
    assertSame(KsecEcs.UNKNOWN, KsecEcs.of("nosuch.event"));
    assertSame(KsecEcs.UNKNOWN, KsecEcs.of(null));
    assertEquals(KsecEcs.ALL.size(), KsecEcs.UNKNOWN.index());
  }

  @Test
  void valuesEcsDoesNotAllowAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new EcsCategorization("x.y", "", "event", List.of("kernel"), List.of("start"), "x", 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new EcsCategorization(
                "x.y", "", "events", List.of("process"), List.of("start"), "x", 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new EcsCategorization("x.y", "", "event", List.of("process"), List.of(), "x", 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new EcsCategorization(
                "x.y", "", "event", List.of("process"), List.of("start"), "Exec Now", 0));
  }
}
