package io.github.otelkernel.receiver.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.github.otelkernel.receiver.config.PolicyConfig.RedactionPattern;
import io.github.otelkernel.semconv.KsecAttributeHandling;
import io.github.otelkernel.semconv.KsecAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Masks secrets in command lines, arguments and paths before a record leaves the agent. A pattern's
 * named group {@code secret} is replaced (so "--password=[REDACTED]" still says what was there), or
 * the whole match when it has none. An argument that names a secret ("--password", "-p" is not one:
 * too many programs use it) masks the argument after it. The raw base64 copy of a masked value is
 * dropped: it would carry the secret past the mask.
 *
 * <p>Bodies: this stage masks attributes only. A kernel event's body is a template the mapping
 * stage made, rendered after this stage from the masked attributes
 * (export.LogRecordMapper.redactAndRender), so it shows what they show; no rendered text is
 * searched.
 *
 * <p>Every string here comes from a monitored process, so the patterns run on RE2/J: linear time in
 * the input whatever the pattern (java.util.regex backtracks; an unanchored pattern over a long
 * token was quadratic, and held the ring reader at 100 % of a core). RE2 has no look-around: the
 * shipped patterns consume a neighbouring character instead, and the option pattern's "not a file
 * or length" exclusion is a second pattern run on the option name.
 */
public final class Redactor {
  public static final String MASK = "[REDACTED]";

  /**
   * Characters of one string the patterns look at. Argv is capped at 8 KiB and paths at 64
   * components in the kernel, so this is never reached by a real record; past it the rest of the
   * string is masked unread (it cannot be shown to be free of secrets) and the field is listed.
   */
  public static final int MAX_MATCHED_CHARS = 32 * 1024;

  /** The memo's budget: characters of inputs and results held (2 bytes each). */
  static final long MEMO_MAX_CHARS = 2L << 20;

  /** The secret words an option or variable name may contain. */
  private static final String SECRET_WORD =
      "(?:password|passwd|passphrase|secret|token|api[-_]?key|"
          + "access[-_]?key|private[-_]?key|credentials?)";

  /** An option naming a secret (--password, --api-key, --db-token). */
  private static final String SECRET_NAME = "--?[a-z0-9_.]*" + SECRET_WORD + "[a-z0-9_.-]*";

  /** ... but not a file or length that holds or describes one (--password-file, --token-path). */
  private static final Pattern NOT_A_SECRET =
      Pattern.compile(
          "(?i)" + SECRET_WORD + "[a-z0-9_.-]*(?:file|path|dir|length|len)(?:[^a-z0-9_]|$)");

  /** The literals a secret word starts with: SECRET_WORD cannot match without one (case folded). */
  private static final Gate SECRET_WORD_GATE =
      Gate.ignoringCase(
          "passw", "passphrase", "secret", "token", "api", "access", "private", "credential");

  /** The shipped patterns (redaction.defaults: true), each behind its gate. */
  public static final List<RedactionPattern> DEFAULTS =
      List.of(
          p(
              "secret-option",
              "(?i)(?:^|\\s)(?<option>" + SECRET_NAME + ")(?:[=:]|\\s+)(?<secret>[^\\s'\"]+)"),
          p(
              "secret-env",
              "(?:^|[^A-Za-z0-9_])[A-Za-z_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|ACCESS_KEY|"
                  + "PRIVATE_KEY|CREDENTIALS)[A-Za-z0-9_]*=(?<secret>[^\\s'\"]+)"),
          // from "://" on, not from the scheme: a literal start lets RE2/J skip ahead with indexOf
          p("url-credentials", "://[^/\\s:@]*:(?<secret>[^@\\s/]+)@"),
          p(
              "authorization-header",
              "(?i)(?:authorization|proxy-authorization|x-api-key|private-token):\\s*"
                  + "(?:bearer\\s+|basic\\s+|token\\s+)?(?<secret>[^\\s'\"]+)"),
          p(
              "aws-access-key-id",
              "(?:^|[^A-Z0-9])(?<secret>(?:AKIA|ASIA)[0-9A-Z]{16})(?:[^A-Z0-9]|$)"),
          p(
              "github-token",
              "(?<secret>gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"),
          p("slack-token", "(?<secret>xox[abposr]-[A-Za-z0-9-]{10,})"),
          p("jwt", "(?<secret>eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})"),
          p("private-key-block", "(?<secret>-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]*)"));

  /**
   * Necessary conditions of the shipped patterns that do not start with a literal: RE2/J runs its
   * automaton over every character of such a pattern's input (about 60 ns a character here), and
   * nearly no input holds the literal. A gate must never reject an input its pattern matches
   * (RedactorTest checks each against its pattern on generated inputs). User patterns have none.
   */
  static final Map<String, Gate> GATES =
      Map.of(
          "secret-option", SECRET_WORD_GATE,
          "secret-env",
              Gate.exact(
                  "PASSW",
                  "SECRET",
                  "TOKEN",
                  "API_KEY",
                  "APIKEY",
                  "ACCESS_KEY",
                  "PRIVATE_KEY",
                  "CREDENTIALS"),
          "authorization-header", Gate.ignoringCase("authorization", "x-api-key", "private-token"),
          "aws-access-key-id", Gate.exact("AKIA", "ASIA"));

  /**
   * The input can hold a match only if it contains one of the literals. Case-insensitive gates
   * compare against the input folded as RE2's (?i) folds ASCII letters: A-Z, and the Kelvin sign
   * and long s, which fold to k and s.
   */
  record Gate(List<String> literals, boolean ignoreCase) {
    static final Gate ALWAYS = new Gate(List.of(), false);

    static Gate exact(String... literals) {
      return new Gate(List.of(literals), false);
    }

    static Gate ignoringCase(String... lowercaseLiterals) {
      return new Gate(List.of(lowercaseLiterals), true);
    }

    boolean admits(String s, String folded) {
      if (literals.isEmpty()) {
        return true;
      }
      String h = ignoreCase ? folded : s;
      for (String l : literals) {
        if (h.indexOf(l) >= 0) {
          return true;
        }
      }
      return false;
    }

    static String fold(String s) {
      char[] c = null;
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        char f =
            ch >= 'A' && ch <= 'Z'
                ? (char) (ch + 32)
                : ch == '\u212A' ? 'k' : ch == '\u017F' ? 's' : ch;
        if (f != ch) {
          if (c == null) {
            c = s.toCharArray();
          }
          c[i] = f;
        }
      }
      return c == null ? s : new String(c);
    }
  }

  /**
   * A pattern with its gate. perArgument: the operator's patterns, which may be anchored to one
   * argument (^…$), run on each argument of an exec as well as on its line.
   */
  private record Compiled(
      RedactionPattern pattern, Gate gate, boolean named, boolean option, boolean perArgument) {
    Compiled(RedactionPattern p, Gate gate, boolean perArgument) {
      this(
          p,
          gate,
          p.regex().namedGroups().containsKey("secret"),
          p.regex().namedGroups().containsKey("option"),
          perArgument);
    }
  }

  /** An argument that is the name of a secret whose value is the next argument. */
  private static final Pattern SECRET_FLAG = Pattern.compile("(?i)" + SECRET_NAME);

  /** Compiles a pattern for redaction; RE2 syntax (no look-around, no backreferences). */
  public static RedactionPattern compile(String name, String regex) throws PatternSyntaxException {
    return new RedactionPattern(name, Pattern.compile(regex));
  }

  /** The base64 copy of a field's exact bytes, dropped when the field is masked. */
  private static final Map<String, String> RAW_COPIES =
      Map.of(
          "process.command_line", KsecAttributes.PROCESS_COMMAND_ARGS_RAW.getKey(),
          "process.command_args", KsecAttributes.PROCESS_COMMAND_ARGS_RAW.getKey(),
          "file.path", KsecAttributes.FILE_PATH_RAW.getKey(),
          "process.executable.path", KsecAttributes.PROCESS_EXECUTABLE_PATH_RAW.getKey(),
          "process.working_directory", KsecAttributes.PROCESS_WORKING_DIRECTORY_RAW.getKey());

  /**
   * Attributes that can carry what a process was given or named: those with raw copies, and what is
   * derived from them (a name masked in its path but shown whole in file.name or a parent's
   * executable would carry the secret past the mask).
   */
  private static final Set<String> FIELDS =
      union(RAW_COPIES.keySet(), KsecAttributeHandling.REDACTED);

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return Set.copyOf(u);
  }

  private final List<Compiled> patterns;

  /** FIELDS' keys and the extra ones. */
  private final Set<String> fields;

  public Redactor(boolean defaults, List<RedactionPattern> extra) {
    this(defaults, extra, Set.of());
  }

  /**
   * @param extraFields more string attributes to redact (other events' names, mount sources…)
   */
  public Redactor(boolean defaults, List<RedactionPattern> extra, Set<String> extraFields) {
    List<Compiled> all = new ArrayList<>();
    if (defaults) {
      DEFAULTS.forEach(
          p -> all.add(new Compiled(p, GATES.getOrDefault(p.name(), Gate.ALWAYS), false)));
    }
    extra.forEach(p -> all.add(new Compiled(p, Gate.ALWAYS, true)));
    this.patterns = List.copyOf(all);
    this.fields = union(FIELDS, extraFields);
  }

  private static RedactionPattern p(String name, String regex) {
    return compile(name, regex);
  }

  public boolean active() {
    return !patterns.isEmpty();
  }

  /** A record's attributes, masked, and its body rendered from them. */
  public record Redacted(Attributes attributes, String body) {}

  /** The attributes with secrets masked; ksec.policy.redacted lists what was touched. */
  public Attributes apply(Attributes in) {
    if (patterns.isEmpty()) {
      return in;
    }
    // one pass over the record, a hash lookup per attribute; the record is copied, and the sets
    // allocated, only when something is masked (most records carry no secret)
    Edits[] edits = {null};
    // an exec's line and its arguments: the patterns run once, over the line, and the arguments
    // get the same masks (a secret split over two arguments is masked in both fields)
    MaskedCommand command = maskCommand(in.get(COMMAND_LINE), in.get(COMMAND_ARGS));
    in.forEach(
        (k, v) -> {
          if (!fields.contains(k.getKey())) {
            return;
          }
          if (v instanceof String s) {
            String r = command != null && k.equals(COMMAND_LINE) ? command.line() : mask(s);
            if (!r.equals(s)) {
              edits(edits, in).touch(k.getKey()).put(AttributeKey.stringKey(k.getKey()), r);
            }
          } else if (v instanceof List<?> l
              && k.getType() == io.opentelemetry.api.common.AttributeType.STRING_ARRAY) {
            @SuppressWarnings("unchecked")
            List<String> list = (List<String>) l;
            List<String> r =
                command != null && k.equals(COMMAND_ARGS) ? command.args() : maskArgs(list);
            if (!r.equals(list)) {
              edits(edits, in).touch(k.getKey()).put(AttributeKey.stringArrayKey(k.getKey()), r);
            }
          }
        });
    Edits e = edits[0];
    if (e == null) {
      return in;
    }
    for (String raw : e.dropRaw) {
      e.builder.remove(AttributeKey.stringKey(raw));
    }
    e.builder.put(KsecAttributes.POLICY_REDACTED, List.copyOf(e.touched));
    return e.builder.build();
  }

  private static Edits edits(Edits[] holder, Attributes in) {
    if (holder[0] == null) {
      holder[0] = new Edits(in.toBuilder());
    }
    return holder[0];
  }

  /** What apply changed in one record: the copy, the masked keys and the raw copies to drop. */
  private static final class Edits {
    final AttributesBuilder builder;
    final Set<String> touched = new TreeSet<>();
    final Set<String> dropRaw = new TreeSet<>();

    Edits(AttributesBuilder builder) {
      this.builder = builder;
    }

    AttributesBuilder touch(String key) {
      touched.add(key);
      String raw = RAW_COPIES.get(key);
      if (raw != null) {
        dropRaw.add(raw);
      }
      return builder;
    }
  }

  /**
   * Results of mask() by input: every event of a process carries its command line, so the same
   * strings come back thousands of times; the regexes run once per distinct string (cleared when
   * full rather than kept in LRU order: cheaper, and a miss only costs the regex pass).
   */
  private final Map<String, String> memo = new ConcurrentHashMap<>();

  /** Characters held by the memo, keys and values; cleared whole past MEMO_MAX_CHARS. */
  private final AtomicLong memoChars = new AtomicLong();

  String mask(String s) {
    String cached = memo.get(s);
    if (cached != null) {
      return cached;
    }
    String r = maskUncached(s);
    remember(s, r);
    return r;
  }

  private void remember(String s, String r) {
    long size = (long) s.length() + (r == s ? 0 : r.length());
    if (memoChars.addAndGet(size) > MEMO_MAX_CHARS) {
      memo.clear();
      memoChars.set(size);
    }
    memo.put(s, r);
  }

  /** Characters the memo holds now (tests). */
  long memoChars() {
    return memoChars.get();
  }

  private String maskUncached(String s) {
    return render(s, spans(s));
  }

  /**
   * Where s is to be masked: [start, end) pairs, sorted and merged. Every pattern runs on the
   * original (so one pattern's mask cannot hide or create another's match); past MAX_MATCHED_CHARS
   * the rest is one span, masked unread.
   */
  private int[] spans(String s) {
    String r = s.length() > MAX_MATCHED_CHARS ? s.substring(0, MAX_MATCHED_CHARS) : s;
    Spans out = new Spans();
    String folded = null;
    for (Compiled c : patterns) {
      if (c.gate().ignoreCase() && folded == null) {
        folded = Gate.fold(r);
      }
      if (c.gate().admits(r, folded)) {
        collect(c, r, out, 0);
      }
    }
    if (r != s) {
      out.add(MAX_MATCHED_CHARS, s.length());
    }
    return out.merged();
  }

  /** Adds the spans one pattern masks in r, shifted by offset. */
  private static void collect(Compiled c, String r, Spans out, int offset) {
    Matcher m = c.pattern().regex().matcher(r);
    while (m.find()) {
      int start = c.named() ? m.start("secret") : m.start();
      int end = c.named() ? m.end("secret") : m.end();
      if (start < 0 || end <= start) {
        continue; // the group did not take part, or an empty match: nothing to mask
      }
      if (c.option() && NOT_A_SECRET.matcher(m.group("option")).find()) {
        continue;
      }
      out.add(offset + start, offset + end);
    }
  }

  /** Spans collected in any order. */
  private static final class Spans {
    private int[] a = new int[8];
    private int n;

    void add(int start, int end) {
      if (n + 2 > a.length) {
        a = java.util.Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = start;
      a[n++] = end;
    }

    /** Sorted by start, overlapping and touching spans joined. */
    int[] merged() {
      if (n == 0) {
        return NO_SPANS;
      }
      long[] packed = new long[n / 2];
      for (int i = 0; i < n; i += 2) {
        packed[i / 2] = ((long) a[i] << 32) | a[i + 1];
      }
      java.util.Arrays.sort(packed);
      int[] out = new int[n];
      int m = 0;
      for (long p : packed) {
        int start = (int) (p >>> 32);
        int end = (int) p;
        if (m > 0 && start <= out[m - 1]) {
          out[m - 1] = Math.max(out[m - 1], end);
        } else {
          out[m++] = start;
          out[m++] = end;
        }
      }
      return java.util.Arrays.copyOf(out, m);
    }
  }

  private static final int[] NO_SPANS = new int[0];

  /** s with each span (in s's coordinates, shifted by offset) replaced by MASK. */
  private static String render(String s, int[] spans) {
    return render(s, spans, 0);
  }

  private static String render(String s, int[] spans, int offset) {
    StringBuilder sb = null;
    int last = 0;
    for (int i = 0; i < spans.length; i += 2) {
      int start = Math.max(spans[i] - offset, 0);
      int end = Math.min(spans[i + 1] - offset, s.length());
      if (end <= start) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(s.length());
      }
      sb.append(s, last, start).append(MASK);
      last = end;
    }
    return sb == null ? s : sb.append(s, last, s.length()).toString();
  }

  private static final AttributeKey<String> COMMAND_LINE =
      AttributeKey.stringKey("process.command_line");
  private static final AttributeKey<List<String>> COMMAND_ARGS =
      AttributeKey.stringArrayKey("process.command_args");

  /** An exec's command line and arguments, masked alike. */
  record MaskedCommand(String line, List<String> args) {}

  /**
   * Masks a command line and the arguments it was joined from in one pass over the line; null when
   * the line is not exactly the arguments joined by spaces (then each is masked alone). An argument
   * after one naming a secret is masked whole, in both.
   */
  MaskedCommand maskCommand(String line, List<String> args) {
    if (line == null || args == null || args.isEmpty()) {
      return null;
    }
    int[] offsets = new int[args.size()];
    int at = 0;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (i > 0) {
        if (at >= line.length() || line.charAt(at) != ' ') {
          return null;
        }
        at++;
      }
      if (!line.startsWith(a, at)) {
        return null;
      }
      offsets[i] = at;
      at += a.length();
    }
    if (at != line.length()) {
      return null;
    }
    int[] spans = spans(line);
    Spans flagged = null;
    for (int i = 0; i + 1 < args.size(); i++) {
      if (isSecretFlag(args.get(i)) && !args.get(i + 1).isEmpty()) {
        flagged = flagged == null ? new Spans() : flagged;
        flagged.add(offsets[i + 1], offsets[i + 1] + args.get(i + 1).length());
      }
    }
    for (Compiled c : patterns) {
      if (!c.perArgument()) {
        continue;
      }
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.length()
            <= MAX_MATCHED_CHARS) { // longer ones are masked past the cap by the line's spans
          flagged = flagged == null ? new Spans() : flagged;
          collect(c, a, flagged, offsets[i]);
        }
      }
    }
    if (flagged != null) {
      for (int i = 0; i < spans.length; i += 2) {
        flagged.add(spans[i], spans[i + 1]);
      }
      spans = flagged.merged();
    }
    if (spans.length == 0) {
      remember(line, line); // the parent command line of this process's children: no second pass
      return new MaskedCommand(line, args);
    }
    List<String> masked = new ArrayList<>(args.size());
    for (int i = 0; i < args.size(); i++) {
      masked.add(render(args.get(i), spans, offsets[i]));
    }
    String maskedLine = render(line, spans);
    remember(line, maskedLine); // the parent command line of this process's children
    return new MaskedCommand(maskedLine, List.copyOf(masked));
  }

  private static boolean isSecretFlag(String arg) {
    return arg.startsWith("-")
        && SECRET_WORD_GATE.admits(arg, Gate.fold(arg))
        && SECRET_FLAG.matcher(arg).matches();
  }

  List<String> maskArgs(List<String> args) {
    List<String> out = new ArrayList<>(args.size());
    boolean next = false;
    for (String a : args) {
      if (next) {
        out.add(MASK);
        next = false;
        continue;
      }
      out.add(mask(a));
      next = isSecretFlag(a);
    }
    return out;
  }
}
