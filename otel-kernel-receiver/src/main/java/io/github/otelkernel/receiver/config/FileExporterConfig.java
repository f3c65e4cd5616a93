package io.github.otelkernel.receiver.config;

import io.github.otelkernel.receiver.files.SafeFiles;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** exporters.file: OTLP/JSON lines, the format of the Collector's file exporter. */
public record FileExporterConfig(String id, Path path, int maxMegabytes, int maxBackups)
    implements ExporterConfig {
  /** rotation: the Collector fileexporter's defaults. */
  public static final int DEFAULT_MAX_MEGABYTES = 100;

  public static final int DEFAULT_MAX_BACKUPS = 5;

  public FileExporterConfig(String id, Path path) {
    this(id, path, DEFAULT_MAX_MEGABYTES, DEFAULT_MAX_BACKUPS);
  }

  static FileExporterConfig parse(String id, ConfigNode.Section s) {
    Path path = Path.of(s.required("path").asString());
    ConfigNode.Section r = s.section("rotation");
    var c =
        new FileExporterConfig(
            id,
            path,
            r.integer("max_megabytes", 1, 1 << 20, DEFAULT_MAX_MEGABYTES),
            r.integer("max_backups", 0, 1000, DEFAULT_MAX_BACKUPS));
    r.done();
    s.done();
    return c;
  }

  /** The checks opening the file makes (the agent runs as root), made without creating it. */
  @Override
  public void validate(String at, List<Problem> out) {
    try {
      SafeFiles.checkWritable(path);
    } catch (NoSuchFileException e) {
      out.add(new Problem(at + ".path", "cannot write " + path + ": no such directory"));
    } catch (IOException e) {
      String why = String.valueOf(e.getMessage());
      out.add(
          new Problem(
              at + ".path",
              why.startsWith(path.toString()) || why.startsWith("directory ")
                  ? why
                  : "cannot write "
                      + path
                      + ": "
                      + why
                      + " (check that the directory exists and is writable)"));
    }
    if (maxMegabytes < 1 || maxBackups < 0) {
      out.add(new Problem(at + ".rotation", "max_megabytes >= 1 and max_backups >= 0"));
    }
  }
}
