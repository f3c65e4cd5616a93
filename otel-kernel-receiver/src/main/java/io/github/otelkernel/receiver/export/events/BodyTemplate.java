package io.github.otelkernel.receiver.export.events;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A record's body as the mapping stage describes it: literal text, and references to attributes of
 * the record by key. It is rendered after redaction, from the redacted attributes, so a value a
 * process controls (its name, a path, a command line) appears in the body exactly as it appears in
 * its attribute, masked or not; nothing is searched for and replaced in rendered text. Immutable.
 *
 * <p>In export.events rather than export: the mappers here build templates, and export depends on
 * this package (not the other way round).
 */
public final class BodyTemplate {
  /** What a reference renders when the redacted record no longer has its attribute. */
  static final String ABSENT = "?";

  private sealed interface Part permits Text, Ref {}

  private record Text(String text) implements Part {}

  private record Ref(AttributeKey<?> key) implements Part {}

  private final List<Part> parts;

  private BodyTemplate(List<Part> parts) {
    this.parts = List.copyOf(parts);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The body, each reference replaced by its attribute's value in these attributes. */
  public String render(Attributes attributes) {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      switch (p) {
        case Text t -> sb.append(t.text());
        case Ref r -> {
          Object v = attributes.get(r.key());
          if (v == null) {
            sb.append(ABSENT);
          } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
              sb.append(i == 0 ? "" : " ").append(l.get(i));
            }
          } else {
            sb.append(v);
          }
        }
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BodyTemplate t && t.parts.equals(parts);
  }

  @Override
  public int hashCode() {
    return Objects.hash(parts);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      sb.append(p instanceof Ref r ? "{" + r.key().getKey() + "}" : ((Text) p).text());
    }
    return sb.toString();
  }

  /**
   * Every template a mapper can give from a few yes/no choices, built once: the hot mappers (exec,
   * exit, file open) pick one per event instead of building one per event, which allocated a
   * builder, its parts and joined literals for every record.
   */
  public static final class Variants {
    private static final int MAX_CHOICES = 6;
    private final BodyTemplate[] all;

    /**
     * @param choices how many yes/no choices; choice i is bit i of the index given to build
     */
    public Variants(int choices, IntFunction<BodyTemplate> build) {
      if (choices < 0 || choices > MAX_CHOICES) {
        throw new IllegalArgumentException("0 to " + MAX_CHOICES + " choices, not " + choices);
      }
      all = new BodyTemplate[1 << choices];
      for (int i = 0; i < all.length; i++) {
        all[i] = Objects.requireNonNull(build.apply(i));
      }
    }

    /** The template for these choices (the bits given to the builder). */
    public BodyTemplate get(int choices) {
      return all[choices];
    }

    /** Bit i set when yes: one choice's part of an index. */
    public static int bit(boolean yes, int i) {
      return yes ? 1 << i : 0;
    }

    /** Whether choice i is set in these choices. */
    public static boolean has(int choices, int i) {
      return (choices & (1 << i)) != 0;
    }
  }

  /** Parts in order; adjacent literals are joined. */
  public static final class Builder {
    private final List<Part> parts = new ArrayList<>();

    private Builder() {}

    public Builder text(String text) {
      if (text.isEmpty()) {
        return this;
      }
      if (!parts.isEmpty() && parts.getLast() instanceof Text t) {
        parts.set(parts.size() - 1, new Text(t.text() + text));
      } else {
        parts.add(new Text(text));
      }
      return this;
    }

    /** The value of this attribute of the record, as it is after redaction. */
    public Builder ref(AttributeKey<?> key) {
      parts.add(new Ref(key));
      return this;
    }

    public BodyTemplate build() {
      return new BodyTemplate(parts);
    }
  }
}
