package io.github.otelkernel.receiver.export.events;

import static io.opentelemetry.semconv.incubating.ProcessIncubatingAttributes.PROCESS_COMMAND_ARGS;
import static io.opentelemetry.semconv.incubating.ProcessIncubatingAttributes.PROCESS_COMMAND_LINE;
import static io.opentelemetry.semconv.incubating.ProcessIncubatingAttributes.PROCESS_PID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.policy.Redactor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.util.List;
import org.junit.jupiter.api.Test;

class BodyTemplateTest {
  private static final String SECRET = "s3cr3t-v4lue";
  private static final List<String> ARGS = List.of("tool", "--password", "'" + SECRET + "'");
  private static final Attributes EXEC =
      Attributes.builder()
          .put(PROCESS_PID, 7L)
          .put(PROCESS_COMMAND_LINE, String.join(" ", ARGS))
          .put(PROCESS_COMMAND_ARGS, ARGS)
          .build();
  private final Redactor redactor = new Redactor(true, List.of());

  @Test
  void rendersLiteralsAndTheGivenAttributesValues() {
    BodyTemplate t =
        BodyTemplate.builder()
            .text("Process ")
            .ref(PROCESS_PID)
            .text(" ran ")
            .ref(PROCESS_COMMAND_ARGS)
            .text(" in ")
            .ref(AttributeKey.stringKey("absent"))
            .build();
    assertEquals("Process 7 ran tool --password '" + SECRET + "' in ?", t.render(EXEC));
    // without references a body is its text: it holds no event bytes
    assertEquals("x", BodyTemplate.builder().text("x").build().render(EXEC));
    assertEquals(
        BodyTemplate.builder().text("a").text("b").build(),
        BodyTemplate.builder().text("ab").build());
  }

  /**
   * The secret is masked in its attributes (the command line as a whole with its arguments, the
   * quoted value after a secret flag, which no pattern matches alone): a template rendered from the
   * redacted attributes cannot show what they no longer hold, in any form.
   */
  @Test
  void aSecretMaskedInItsAttributeIsAbsentFromTheRenderedBody() {
    Attributes masked = redactor.apply(EXEC);
    assertEquals("tool --password [REDACTED]", masked.get(PROCESS_COMMAND_LINE));
    assertEquals(List.of("tool", "--password", Redactor.MASK), masked.get(PROCESS_COMMAND_ARGS));

    String body =
        BodyTemplate.builder()
            .text("Process ")
            .ref(PROCESS_PID)
            .text(" ran ")
            .ref(PROCESS_COMMAND_LINE)
            .build()
            .render(masked);
    assertEquals("Process 7 ran tool --password [REDACTED]", body);
    assertFalse(body.contains(SECRET.substring(0, 4)), body);
    // the same template over the unmasked record shows it: the mask is the attribute's
    assertTrue(
        BodyTemplate.builder().ref(PROCESS_COMMAND_ARGS).build().render(EXEC).contains(SECRET));
  }
}
