package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** argv and paths are chosen by whoever runs a process: they must survive intact or be marked. */
class HostileInputIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void hostileArgvAndPathsRoundTripThroughFileAndConsole() throws Exception {
    String tag = "tag-" + System.nanoTime();
    // bash builds the arguments from raw bytes: a newline, a quote, an empty arg, and \xff (not
    // UTF-8)
    String script =
        """
        d=%s
        exe="$d/$(printf 'we ird\\nna\\377me')"
        cp /bin/true "$exe"
        "$exe" %s 'a b' 'ünïcødé ✓' "$(printf 'line1\\nline2')" "it's \\"quoted\\"" '' "$(printf 'bad\\377byte')"
        /bin/true %s-long "$(head -c 9000 /dev/zero | tr '\\0' x)"
        """
            .formatted(dir, tag, tag);
    try (AgentProcess agent = AgentProcess.start(dir, true)) {
      AgentProcess.run(dir, "/bin/bash", "-c", script);
      assertEquals(0, agent.stop(), agent.stderrText());

      List<ExportedLog> execs =
          agent.records().stream()
              .filter(
                  r ->
                      "process.exec".equals(r.eventName())
                          && r.args() != null
                          && r.args().size() > 1
                          && r.args().get(1).startsWith(tag))
              .toList();
      assertEquals(2, execs.size(), () -> "tagged execs: " + execs);

      ExportedLog hostile =
          execs.stream().filter(r -> r.args().get(1).equals(tag)).findFirst().orElseThrow();
      List<String> args = hostile.args();
      assertEquals(
          List.of("a b", "ünïcødé ✓", "line1\nline2", "it's \"quoted\"", "", "bad\uFFFDbyte"),
          args.subList(2, args.size()));
      // invalid UTF-8 is replaced in the text, and the exact bytes are kept beside it
      byte[] raw = Base64.getDecoder().decode(hostile.stringAttr("ksec.process.command_args.raw"));
      List<String> rawArgs = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          rawArgs.add(new String(raw, start, i - start, StandardCharsets.ISO_8859_1));
          start = i + 1;
        }
      }
      assertEquals("bad\u00ffbyte", rawArgs.get(rawArgs.size() - 1));
      String exe = dir.toRealPath() + "/we ird\nna\uFFFDme";
      assertEquals(exe, hostile.stringAttr("process.executable.path"));
      byte[] exeRaw =
          Base64.getDecoder().decode(hostile.stringAttr("ksec.process.executable.path.raw"));
      assertArrayEquals(
          (dir.toRealPath() + "/we ird\nna").getBytes(StandardCharsets.UTF_8),
          java.util.Arrays.copyOf(exeRaw, exeRaw.length - 3));
      assertEquals((byte) 0xff, exeRaw[exeRaw.length - 3]);

      ExportedLog longArgs =
          execs.stream()
              .filter(r -> r.args().get(1).equals(tag + "-long"))
              .findFirst()
              .orElseThrow();
      assertEquals(true, longArgs.attr("ksec.process.command_args.truncated"));
      long total = (long) "/bin/true".length() + 1 + (tag + "-long").length() + 1 + 9000 + 1;
      assertEquals(total, longArgs.longAttr("ksec.process.command_args.bytes"));
      int kept = String.join("\0", longArgs.args()).length();
      assertTrue(kept < total && kept >= 8000, "kept " + kept + " of " + total);

      // the console shows each event on exactly one line, control characters escaped
      String stdout = agent.stdoutText();
      List<String> lines =
          stdout.lines().filter(l -> l.contains(" exec ") && l.contains(tag + " 'a b'")).toList();
      assertEquals(1, lines.size(), () -> stdout);
      assertTrue(lines.get(0).contains("'line1\\nline2'"), lines.get(0));
      assertTrue(lines.get(0).contains("we ird\\nna"), lines.get(0));
    }
  }
}
