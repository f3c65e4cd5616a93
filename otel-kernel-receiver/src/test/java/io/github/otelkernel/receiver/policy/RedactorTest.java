package io.github.otelkernel.receiver.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.otelkernel.receiver.config.PolicyConfig.RedactionPattern;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private final Redactor r = new Redactor(true, List.of());

  @Test
  void shippedPatternsMaskTheSecretAndKeepItsName() {
    assertEquals("mysql --password=[REDACTED] db", r.mask("mysql --password=hunter2 db"));
    assertEquals("curl https://bob:[REDACTED]@example.com/x", r.mask("curl https://bob:pa55@example.com/x"));
    assertEquals("env DB_PASSWORD=[REDACTED] run", r.mask("env DB_PASSWORD=s3cret run"));
    assertEquals("curl -H Authorization: Bearer [REDACTED]", r.mask("curl -H Authorization: Bearer abc.def"));
    assertEquals("aws [REDACTED]", r.mask("aws AKIAABCDEFGHIJKLMNOP"));
    assertFalse(r.mask("git clone ghp_" + "a".repeat(36)).contains("aaaa"));
    assertEquals("tool --token [REDACTED]", r.mask("tool --token abc"));
  }

  @Test
  void fileOptionsAndOrdinaryArgumentsAreLeftAlone() {
    for (String s : List.of("tool --password-file /etc/pw", "ls -la /tmp", "grep password notes.txt",
        "ssh -p 2222 host", "make -j4")) {
      assertEquals(s, r.mask(s));
    }
  }

  @Test
  void aSecretFlagMasksTheNextArgument() {
    assertEquals(List.of("tool", "--api-key", Redactor.MASK, "file"), r.maskArgs(List.of("tool", "--api-key", "k", "file")));
    assertEquals(List.of("tool", "--password=" + Redactor.MASK), r.maskArgs(List.of("tool", "--password=x")));
  }

  @Test
  void maskedValuesLoseTheirRawCopyAndAreListed() {
    Attributes in = Attributes.builder()
        .put("process.command_line", "x --secret=y")
        .put("ksec.process.command_args.raw", "eCAtLXNlY3JldD15")
        .put("process.pid", 1L)
        .build();
    Attributes out = r.apply(in);
    assertEquals("x --secret=[REDACTED]", out.get(AttributeKey.stringKey("process.command_line")));
    assertEquals(null, out.get(AttributeKey.stringKey("ksec.process.command_args.raw")));
    assertEquals(List.of("process.command_line"), out.get(AttributeKey.stringArrayKey("ksec.policy.redacted")));
    Attributes clean = Attributes.builder().put("process.command_line", "ls").build();
    assertEquals(clean, r.apply(clean));
  }

  @Test
  void operatorPatternsAddToTheDefaultsOrReplaceThem() {
    var custom = new RedactionPattern("itok", Pattern.compile("itok_(?<secret>[a-z]+)"));
    assertEquals("itok_[REDACTED] --password=[REDACTED]",
        new Redactor(true, List.of(custom)).mask("itok_abc --password=x"));
    assertEquals("itok_[REDACTED] --password=x", new Redactor(false, List.of(custom)).mask("itok_abc --password=x"));
  }
}
