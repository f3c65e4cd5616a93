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
    assertFalse(t.isLiteral());
    assertTrue(BodyTemplate.literal("x").isLiteral());
    assertEquals("x", BodyTemplate.literal("x").render(Attributes.empty()));
    assertEquals(BodyTemplate.builder().text("a").text("b").build(), BodyTemplate.literal("ab"));
  }

  /**
   * The attack on replace-and-rescan: the secret is masked in the attribute (the command line, as a
   * whole with its arguments), but a body that shows it in another form (here shortened, after a
   * quote) holds neither the original value to replace nor anything the patterns match alone. A
   * template rendered from the redacted attributes cannot show what the attributes no longer hold.
   */
  @Test
  void aSecretMaskedInItsAttributeIsAbsentFromTheRenderedBody() {
    Attributes masked = redactor.apply(EXEC);
    assertEquals("tool --password [REDACTED]", masked.get(PROCESS_COMMAND_LINE));

    String shortened = "Process 7 ran tool --password '" + SECRET.substring(0, 10) + "…";
    String legacy = redactor.apply(EXEC, shortened).body();
    assertTrue(legacy.contains(SECRET.substring(0, 10)), "the old body pass misses it: " + legacy);

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
  }
}
