package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file exporter's output: whole lines, rotated. */
class LineFileOutputTest {
  @Test
  void rotationKeepsAtMostMaxBackups(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("out.jsonl");
    try (LineFileOutput out = new LineFileOutput(f, 100, 2)) {
      for (int i = 0; i < 20; i++) {
        out.write(("line " + "x".repeat(40) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    assertTrue(Files.exists(dir.resolve("out.jsonl.1")));
    assertTrue(Files.exists(dir.resolve("out.jsonl.2")));
    assertTrue(Files.notExists(dir.resolve("out.jsonl.3")));
    assertTrue(Files.size(f) <= 100);
    for (String l : Files.readAllLines(dir.resolve("out.jsonl.1"))) {
      assertTrue(l.startsWith("line ") && l.length() == 45, "whole lines only");
    }
  }
}
