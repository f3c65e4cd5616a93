package io.github.otelkernel.semconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.semconv.KsecDataStreams.Domain;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KsecDataStreamsTest {
  /** Every EventName of the catalog (KsecEvents' constants, generated from events.yaml). */
  static List<String> catalogNames() throws IllegalAccessException {
    List<String> names = new ArrayList<>();
    for (Field f : KsecEvents.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        names.add((String) f.get(null));
      }
    }
    return names;
  }

  @Test
  void everyCatalogEventHasADomainAndEveryDomainAnEvent() throws Exception {
    List<String> names = catalogNames();
    assertTrue(names.size() > 40, "KsecEvents lists the catalog: " + names);
    Set<Domain> used = EnumSet.noneOf(Domain.class);
    for (String name : names) {
      Domain d =
          KsecDataStreams.domain(name)
              .orElseThrow(
                  () ->
                      new AssertionError(
                          name + " has no data stream: add its namespace to KsecDataStreams"));
      used.add(d);
      assertEquals(d.dataset(), KsecDataStreams.dataset(name));
    }
    assertEquals(EnumSet.allOf(Domain.class), used, "a domain without events is a dead stream");
  }

  @Test
  void datasetsAreTheStreamNamesSetupInstalls() {
    assertEquals("ksec.process", KsecDataStreams.dataset(KsecEvents.PROCESS_EXEC));
    assertEquals("ksec.process", KsecDataStreams.dataset(KsecEvents.PROCESS_EXECUTABLE_HASH));
    assertEquals("ksec.file", KsecDataStreams.dataset(KsecEvents.FILE_OPEN));
    assertEquals("ksec.network", KsecDataStreams.dataset(KsecEvents.NETWORK_CONNECT));
    assertEquals("ksec.kernel", KsecDataStreams.dataset(KsecEvents.KERNEL_MODULE_LOAD));
    assertEquals("ksec.kernel", KsecDataStreams.dataset(KsecEvents.HOST_MOUNT));
    assertEquals("ksec.kernel", KsecDataStreams.dataset(KsecEvents.IO_URING_SETUP));
    assertEquals("ksec.agent", KsecDataStreams.dataset(KsecEvents.AGENT_HEALTH));
    // outside the catalog: the kernel stream, never none
    assertEquals("ksec.kernel", KsecDataStreams.dataset("something.new"));
    assertFalse(KsecDataStreams.domain("something.new").isPresent());
  }

  @Test
  void retentionKeysNameTheDomains() {
    assertEquals(Domain.FILE, Domain.ofKey("file").orElseThrow());
    assertFalse(Domain.ofKey("File").isPresent());
    assertFalse(Domain.ofKey("ksec.file").isPresent());
  }

  @Test
  void namespacesElasticsearchWouldRefuseAreNamed() {
    assertFalse(KsecDataStreams.namespaceProblem("default").isPresent());
    assertFalse(KsecDataStreams.namespaceProblem("prod-eu.1").isPresent());
    assertTrue(KsecDataStreams.namespaceProblem("").isPresent());
    assertTrue(KsecDataStreams.namespaceProblem("Prod").orElseThrow().contains("upper-case"));
    assertTrue(KsecDataStreams.namespaceProblem("a b").orElseThrow().contains("' '"));
    assertTrue(KsecDataStreams.namespaceProblem("a:b").isPresent());
    assertTrue(KsecDataStreams.namespaceProblem("_x").isPresent());
    assertTrue(KsecDataStreams.namespaceProblem("x".repeat(101)).isPresent());
    assertTrue(KsecDataStreams.namespaceProblem("a\nb").isPresent());
  }
}
