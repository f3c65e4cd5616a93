package io.github.otelkernel.receiver.policy;

import io.github.otelkernel.receiver.config.PolicyConfig.RedactionPattern;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in command lines, arguments and paths before a record leaves the agent. A pattern's
 * named group {@code secret} is replaced (so "--password=[REDACTED]" still says what was there), or
 * the whole match when it has none. An argument that names a secret ("--password", "-p" is not one:
 * too many programs use it) masks the argument after it. The raw base64 copy of a masked value is
 * dropped: it would carry the secret past the mask.
 */
public final class Redactor {
  public static final String MASK = "[REDACTED]";

  /**
   * An option naming a secret (--password, --api-key, --db-token) but not a file or length that
   * holds or describes one (--password-file, --token-path).
   */
  private static final String SECRET_NAME = "--?[a-z0-9_.]*(?:password|passwd|passphrase|secret|token|api[-_]?key|"
      + "access[-_]?key|private[-_]?key|credentials?)(?![a-z0-9_.-]*(?:file|path|dir|length|len)\\b)[a-z0-9_.-]*";

  /** The shipped patterns (redaction.defaults: true). */
  public static final List<RedactionPattern> DEFAULTS = List.of(
      p("secret-option", "(?i)(?:^|\\s)" + SECRET_NAME + "(?:[=:]|\\s+)(?<secret>[^\\s'\"]+)"),
      p("secret-env", "(?<![A-Za-z0-9_])[A-Za-z_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|ACCESS_KEY|"
          + "PRIVATE_KEY|CREDENTIALS)[A-Za-z0-9_]*=(?<secret>[^\\s'\"]+)"),
      p("url-credentials", "[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s:@]*:(?<secret>[^@\\s/]+)@"),
      p("authorization-header", "(?i)(?:authorization|proxy-authorization|x-api-key|private-token):\\s*"
          + "(?:bearer\\s+|basic\\s+|token\\s+)?(?<secret>[^\\s'\"]+)"),
      p("aws-access-key-id", "(?<![A-Z0-9])(?<secret>(?:AKIA|ASIA)[0-9A-Z]{16})(?![A-Z0-9])"),
      p("github-token", "(?<secret>gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"),
      p("slack-token", "(?<secret>xox[abposr]-[A-Za-z0-9-]{10,})"),
      p("jwt", "(?<secret>eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})"),
      p("private-key-block", "(?<secret>-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]*)"));

  /** An argument that is the name of a secret whose value is the next argument. */
  private static final Pattern SECRET_FLAG = Pattern.compile("(?i)" + SECRET_NAME);

  /** Attributes that can carry what a process was given, and the raw copies to drop when masked. */
  private static final Map<String, String> FIELDS = Map.ofEntries(
      Map.entry("process.command_line", KsecAttributes.PROCESS_COMMAND_ARGS_RAW.getKey()),
      Map.entry("process.command_args", KsecAttributes.PROCESS_COMMAND_ARGS_RAW.getKey()),
      Map.entry(KsecAttributes.PROCESS_PARENT_COMMAND_LINE.getKey(), ""),
      Map.entry("file.path", KsecAttributes.FILE_PATH_RAW.getKey()),
      Map.entry(KsecAttributes.FILE_ORIGINAL_PATH.getKey(), ""),
      Map.entry(KsecAttributes.FILE_SYMLINK_TARGET_PATH.getKey(), ""),
      Map.entry("process.executable.path", KsecAttributes.PROCESS_EXECUTABLE_PATH_RAW.getKey()),
      Map.entry("process.working_directory", KsecAttributes.PROCESS_WORKING_DIRECTORY_RAW.getKey()));

  private final List<RedactionPattern> patterns;
  /** FIELDS' keys and the extra ones. */
  private final List<String> fields;

  public Redactor(boolean defaults, List<RedactionPattern> extra) {
    this(defaults, extra, Set.of());
  }

  /** @param extraFields more string attributes to redact (other events' names, mount sources…) */
  public Redactor(boolean defaults, List<RedactionPattern> extra, Set<String> extraFields) {
    List<RedactionPattern> all = new ArrayList<>(defaults ? DEFAULTS : List.of());
    all.addAll(extra);
    this.patterns = List.copyOf(all);
    List<String> f = new ArrayList<>(FIELDS.keySet());
    f.addAll(extraFields);
    this.fields = List.copyOf(f);
  }

  private static RedactionPattern p(String name, String regex) {
    return new RedactionPattern(name, Pattern.compile(regex));
  }

  public boolean active() {
    return !patterns.isEmpty();
  }

  /** The attributes with secrets masked; ksec.policy.redacted lists what was touched. */
  public Attributes apply(Attributes in) {
    if (patterns.isEmpty()) {
      return in;
    }
    // look up the few fields that can carry secrets; no copy of the whole record per event
    Set<String> touched = new TreeSet<>();
    Set<String> dropRaw = new TreeSet<>();
    AttributesBuilder out = null;
    for (String key : fields) {
      String s = in.get(AttributeKey.stringKey(key));
      if (s != null) {
        String r = mask(s);
        if (!r.equals(s)) {
          out = out == null ? in.toBuilder() : out;
          out.put(AttributeKey.stringKey(key), r);
          touched.add(key);
        }
      }
      List<String> list = in.get(AttributeKey.stringArrayKey(key));
      if (list != null) {
        List<String> r = maskArgs(list);
        if (!r.equals(list)) {
          out = out == null ? in.toBuilder() : out;
          out.put(AttributeKey.stringArrayKey(key), r);
          touched.add(key);
        }
      }
      if (touched.contains(key) && !FIELDS.getOrDefault(key, "").isEmpty()) {
        dropRaw.add(FIELDS.get(key));
      }
    }
    if (out == null) {
      return in;
    }
    for (String raw : dropRaw) {
      out.remove(AttributeKey.stringKey(raw));
    }
    out.put(KsecAttributes.POLICY_REDACTED, List.copyOf(touched));
    return out.build();
  }

  /**
   * Results of mask() by input: every event of a process carries its command line, so the same
   * strings come back thousands of times; the regexes run once per distinct string (cleared when
   * full rather than kept in LRU order: cheaper, and a miss only costs the regex pass).
   */
  private final Map<String, String> memo = new ConcurrentHashMap<>();
  private static final int MEMO_MAX = 8192;

  String mask(String s) {
    String cached = memo.get(s);
    if (cached != null) {
      return cached;
    }
    String r = maskUncached(s);
    if (memo.size() >= MEMO_MAX) {
      memo.clear();
    }
    memo.put(s, r);
    return r;
  }

  private String maskUncached(String s) {
    String r = s;
    for (RedactionPattern p : patterns) {
      Matcher m = p.regex().matcher(r);
      if (!m.find()) {
        continue;
      }
      boolean named = p.regex().pattern().contains("(?<secret>");
      StringBuilder sb = new StringBuilder();
      int last = 0;
      do {
        int start = named ? m.start("secret") : m.start();
        int end = named ? m.end("secret") : m.end();
        if (start < 0) {
          continue;
        }
        sb.append(r, last, start).append(MASK);
        last = end;
      } while (m.find());
      sb.append(r, last, r.length());
      r = sb.toString();
    }
    return r;
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
      next = SECRET_FLAG.matcher(a).matches();
    }
    return out;
  }
}
