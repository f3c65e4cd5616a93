package io.github.otelkernel.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The agent's packages form no cycle (probe → decode → enrich → policy → export reads one way):
 * each package's imports of the others, from the main sources, make a graph without loops. A
 * subpackage counts as a package of its own.
 */
class PackageCyclesTest {
  private static final String ROOT = "io.github.otelkernel.receiver";
  private static final Path SOURCES = Path.of("src/main/java/io/github/otelkernel/receiver");
  private static final Pattern IMPORT =
      Pattern.compile(
          "^import (?:static )?" + Pattern.quote(ROOT) + "\\.([a-z.]+?)\\.[A-Z]",
          Pattern.MULTILINE);

  @Test
  void noPackageDependsOnItselfThroughOthers() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = SOURCES.relativize(f.getParent()).toString().replace('/', '.');
        Set<String> out = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          if (!m.group(1).equals(pkg)) {
            out.add(m.group(1));
          }
        }
      }
    }
    List<String> cycles = new ArrayList<>();
    for (String start : uses.keySet()) {
      walk(start, start, new ArrayList<>(List.of(start)), uses, cycles);
    }
    assertEquals(List.of(), cycles, "package cycles (each listed from its smallest package)");
  }

  private static void walk(
      String start,
      String at,
      List<String> path,
      Map<String, Set<String>> uses,
      List<String> cycles) {
    for (String next : uses.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        cycles.add(String.join(" -> ", path) + " -> " + start);
      } else if (!path.contains(next) && next.compareTo(start) > 0) {
        path.add(next);
        walk(start, next, path, uses, cycles);
        path.remove(path.size() - 1);
      }
    }
  }
}
