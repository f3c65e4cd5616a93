package io.github.otelkernel.receiver.config;

import io.github.otelkernel.receiver.files.SafeFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** extensions.file_storage: where sending queues spool, and how much disk they may take in all. */
public record FileStorageConfig(String id, Path directory, long maxSizeMib) {
  public static final long DEFAULT_MAX_SIZE_MIB = 1024;

  static FileStorageConfig parse(String id, ConfigNode.Section s) {
    var c =
        new FileStorageConfig(
            id,
            Path.of(s.required("directory").asString()),
            s.number("max_size_mib", 1, 1 << 20, DEFAULT_MAX_SIZE_MIB));
    s.done();
    return c;
  }

  /** The checks the spool makes when it creates its directory, made without creating it. */
  public void validate(String at, List<Problem> out) {
    try {
      SafeFiles.checkPrivateDirectoryPossible(directory);
    } catch (IOException e) {
      out.add(new Problem(at + ".directory", String.valueOf(e.getMessage())));
    }
    if (maxSizeMib < 1) {
      out.add(new Problem(at + ".max_size_mib", maxSizeMib + " is less than 1"));
    }
  }
}
