package io.github.otelkernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.otelkernel.semconv.KsecDataStreams.Domain;
import org.junit.jupiter.api.Test;

class RetentionTest {
  @Test
  void overridesNameTheirStreamsAndTheRestKeepTheDefault() throws Exception {
    Retention r = Retention.parse("process=365d, file=30d", 90);
    assertEquals(365, r.days(Domain.PROCESS));
    assertEquals(30, r.days(Domain.FILE));
    assertEquals(90, r.days(Domain.NETWORK));
    assertEquals(90, r.days(Domain.AGENT));
    assertEquals(90, r.defaultDays());
    assertEquals(Retention.uniform(14), Retention.parse(null, 14));
    assertEquals(Retention.uniform(14), Retention.parse("", 14));
  }

  @Test
  void badValuesAreUsageErrorsThatSayTheFix() {
    assertEquals(
        "--retention: 'ksec.file' is not a data stream; use process, file, network, kernel, agent"
            + " (e.g. --retention process=365d,file=30d)",
        usage("ksec.file=30d"));
    assertEquals(
        "--retention: file=0d is not a number of days; write it as file=30d (at least 1d)",
        usage("file=0d"));
    assertEquals(
        "--retention: file= is not a number of days; write it as file=30d (at least 1d)",
        usage("file"));
    assertEquals(
        "--retention: file=9999999d is not a number of days; write it as file=30d (at least 1d)",
        usage("file=9999999d"));
    assertEquals(
        "--retention: file=-3d is not a number of days; write it as file=30d (at least 1d)",
        usage("file=-3d"));
    assertEquals(
        "--retention: '' is not a data stream; use process, file, network, kernel, agent"
            + " (e.g. --retention process=365d,file=30d)",
        usage("file=3d,"));
  }

  private static String usage(String spec) {
    SetupException e = assertThrows(SetupException.class, () -> Retention.parse(spec, 90));
    assertEquals(SetupException.USAGE, e.exitCode());
    return e.getMessage();
  }
}
