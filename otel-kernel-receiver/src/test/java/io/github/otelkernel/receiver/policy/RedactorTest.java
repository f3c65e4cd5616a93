package io.github.otelkernel.receiver.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import io.github.otelkernel.receiver.config.PolicyConfig.RedactionPattern;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private final Redactor r = new Redactor(true, List.of());

  @Test
  void shippedPatternsMaskTheSecretAndKeepItsName() {
    assertEquals("mysql --password=[REDACTED] db", r.mask("mysql --password=hunter2 db"));
    assertEquals(
        "curl https://bob:[REDACTED]@example.com/x", r.mask("curl https://bob:pa55@example.com/x"));
    assertEquals("env DB_PASSWORD=[REDACTED] run", r.mask("env DB_PASSWORD=s3cret run"));
    assertEquals(
        "curl -H Authorization: Bearer [REDACTED]",
        r.mask("curl -H Authorization: Bearer abc.def"));
    assertEquals("aws [REDACTED]", r.mask("aws AKIAABCDEFGHIJKLMNOP"));
    assertFalse(r.mask("git clone ghp_" + "a".repeat(36)).contains("aaaa"));
    assertEquals("tool --token [REDACTED]", r.mask("tool --token abc"));
  }

  @Test
  void fileOptionsAndOrdinaryArgumentsAreLeftAlone() {
    for (String s :
        List.of(
            "tool --password-file /etc/pw",
            "ls -la /tmp",
            "grep password notes.txt",
            "ssh -p 2222 host",
            "make -j4")) {
      assertEquals(s, r.mask(s));
    }
  }

  @Test
  void aSecretFlagMasksTheNextArgument() {
    assertEquals(
        List.of("tool", "--api-key", Redactor.MASK, "file"),
        r.maskArgs(List.of("tool", "--api-key", "k", "file")));
    assertEquals(
        List.of("tool", "--password=" + Redactor.MASK),
        r.maskArgs(List.of("tool", "--password=x")));
  }

  @Test
  void maskedValuesLoseTheirRawCopyAndAreListed() {
    Attributes in =
        Attributes.builder()
            .put("process.command_line", "x --secret=y")
            .put("ksec.process.command_args.raw", "eCAtLXNlY3JldD15")
            .put("process.pid", 1L)
            .build();
    Attributes out = r.apply(in);
    assertEquals("x --secret=[REDACTED]", out.get(AttributeKey.stringKey("process.command_line")));
    assertEquals(null, out.get(AttributeKey.stringKey("ksec.process.command_args.raw")));
    assertEquals(
        List.of("process.command_line"),
        out.get(AttributeKey.stringArrayKey("ksec.policy.redacted")));
    Attributes clean = Attributes.builder().put("process.command_line", "ls").build();
    assertEquals(clean, r.apply(clean));
  }

  @Test
  void operatorPatternsAddToTheDefaultsOrReplaceThem() {
    var custom = new RedactionPattern("itok", Pattern.compile("itok_(?<secret>[a-z]+)"));
    assertEquals(
        "itok_[REDACTED] --password=[REDACTED]",
        new Redactor(true, List.of(custom)).mask("itok_abc --password=x"));
    assertEquals(
        "itok_[REDACTED] --password=x",
        new Redactor(false, List.of(custom)).mask("itok_abc --password=x"));
  }

  @Test
  void longHostileTokensTakeLinearTime() {
    // 6,000 letters: the unanchored url-credentials pattern tried from every position, each scan to
    // the end, was quadratic on java.util.regex; a guard against a hang, not a benchmark
    String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".repeat(600);
    var user = Redactor.compile("user-token", "--token(?:=|\\s)+(?<secret>\\S+)");
    Redactor hostile = new Redactor(true, List.of(user));
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofSeconds(20),
        () -> {
          for (int i = 0; i < 50; i++) {
            hostile.mask(letters + i);
            hostile.mask("--token " + "=".repeat(8000) + i);
          }
        });
  }

  @Test
  void whatIsPastTheMatchedLengthIsMaskedUnread() {
    String s = "a".repeat(Redactor.MAX_MATCHED_CHARS) + "ghp_" + "x".repeat(36);
    String m = r.mask(s);
    assertFalse(m.contains("ghp_"), "the tail past the cap is not shown");
    assertEquals("a".repeat(Redactor.MAX_MATCHED_CHARS) + Redactor.MASK, m);
  }

  @Test
  void theMemoIsBoundedInCharacters() {
    for (int i = 0; i < 2_000; i++) {
      r.mask(i + "x".repeat(4000));
    }
    assertTrue(r.memoChars() <= Redactor.MEMO_MAX_CHARS, "memo holds " + r.memoChars() + " chars");
  }

  @Test
  void bothPathsOfARenameAreMasked() {
    String token = "ghp_" + "Ab1".repeat(12);
    Attributes in =
        Attributes.builder()
            .put("file.path", "/tmp/" + token)
            .put("ksec.file.original_path", "/tmp/old-" + token)
            .build();
    Attributes out = r.apply(in);
    assertEquals("/tmp/[REDACTED]", out.get(AttributeKey.stringKey("file.path")));
    assertEquals("/tmp/old-[REDACTED]", out.get(AttributeKey.stringKey("ksec.file.original_path")));
    // nothing masked: the attributes are left as they are
    Attributes clean = Attributes.builder().put("file.path", "/tmp/x").build();
    assertSame(clean, r.apply(clean));
  }

  @Test
  void neighbouringCharactersStillDelimitTheShippedPatterns() {
    assertEquals(
        "x=AKIAABCDEFGHIJKLMNOPQ",
        r.mask("x=AKIAABCDEFGHIJKLMNOPQ"),
        "17 characters: not a key id");
    assertEquals("k=[REDACTED] next", r.mask("k=AKIAABCDEFGHIJKLMNOP next"));
    assertEquals("MY_TOKEN=[REDACTED]", r.mask("MY_TOKEN=abc"));
    assertEquals("XMY_TOKEN=[REDACTED]", r.mask("XMY_TOKEN=abc"));
    assertEquals(
        "tool --token-length=12 --access_token=[REDACTED]",
        r.mask("tool --token-length=12 --access_token=x"));
  }

  @Test
  void theCommandLineAndItsArgumentsAreMaskedAlikeInOnePass() {
    List<String> args =
        List.of("curl", "-H", "Authorization:", "Bearer", "abc", "--password", "'quoted'", "x");
    var m = r.maskCommand(String.join(" ", args), args);
    assertEquals(
        "curl -H Authorization: Bearer [REDACTED] --password [REDACTED] x",
        m.line(),
        "a secret over several arguments, and a quoted one after a secret flag, are masked in the line");
    assertEquals(
        List.of(
            "curl",
            "-H",
            "Authorization:",
            "Bearer",
            Redactor.MASK,
            "--password",
            Redactor.MASK,
            "x"),
        m.args());
    assertEquals(
        null,
        r.maskCommand("not the join", args),
        "a line that is not the arguments: masked on its own");
    Attributes in =
        Attributes.builder()
            .put("process.command_line", "tool --token=abc")
            .put(
                AttributeKey.stringArrayKey("process.command_args"), List.of("tool", "--token=abc"))
            .build();
    Attributes out = r.apply(in);
    assertEquals(
        "tool --token=[REDACTED]", out.get(AttributeKey.stringKey("process.command_line")));
    assertEquals(
        List.of("tool", "--token=" + Redactor.MASK),
        out.get(AttributeKey.stringArrayKey("process.command_args")));
  }

  /**
   * A gate must never turn away an input its pattern matches, or a secret leaks. Inputs built from
   * the patterns' own vocabulary, in every case and with the Unicode characters RE2 folds to ASCII.
   */
  @Test
  void noGateRejectsAnInputItsPatternMatches() {
    List<String> parts =
        List.of(
            "--",
            "-",
            "=",
            ":",
            " ",
            "\t",
            "PASSWORD",
            "password",
            "PaSsWd",
            "passphrase",
            "SECRET",
            "secret",
            "TOKEN",
            "to\u212Aen",
            "\u017Fecret",
            "api-key",
            "API_KEY",
            "APIKEY",
            "access_key",
            "ACCESS_KEY",
            "private-key",
            "PRIVATE_KEY",
            "credentials",
            "CREDENTIALS",
            "authorization",
            "AUTHORIZATION",
            "proxy-authorization",
            "x-api-key",
            "private-token",
            "bearer ",
            "AKIA",
            "ASIA",
            "ABCDEFGHIJKLMNOP",
            "0123456789ABCDEF",
            "db",
            "x",
            "_",
            "'",
            "\"",
            "/",
            "file",
            "length");
    java.util.Random random = new java.util.Random(12);
    int matched = 0;
    for (int i = 0; i < 200_000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int n = 1 + random.nextInt(6); n > 0; n--) {
        sb.append(parts.get(random.nextInt(parts.size())));
      }
      String s = sb.toString();
      for (var p : Redactor.DEFAULTS) {
        Redactor.Gate gate = Redactor.GATES.get(p.name());
        if (gate != null && p.regex().matcher(s).find()) {
          matched++;
          assertTrue(
              gate.admits(s, Redactor.Gate.fold(s)),
              p.name() + "'s gate turned away a match: " + s);
        }
      }
    }
    assertTrue(matched > 1_000, "the inputs exercised the gated patterns: " + matched);
  }

  @Test
  void gatedPatternsStillMaskWhatTheyMasked() {
    assertEquals("x --TO\u212AEN=[REDACTED]", r.mask("x --TO\u212AEN=abc"), "folded as RE2 folds");
    assertEquals("x HTTPS_PROXY_PASSWORD=[REDACTED]", r.mask("x HTTPS_PROXY_PASSWORD=abc"));
  }

  @Test
  void anOperatorPatternAnchoredToOneArgumentStillMasksIt() {
    var anchored = Redactor.compile("whole-arg-key", "^(?<secret>sk-[a-z0-9]{8})$");
    Redactor withIt = new Redactor(true, List.of(anchored));
    List<String> args = List.of("client", "sk-abcdefgh", "run");
    var m = withIt.maskCommand(String.join(" ", args), args);
    assertEquals(List.of("client", Redactor.MASK, "run"), m.args());
    assertEquals("client [REDACTED] run", m.line());
  }
}
