package io.github.otelkernel.receiver.config;

import io.github.otelkernel.receiver.files.SafeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The Collector's configtls keys, shared by the otlp and otlphttp exporters and their metrics. */
public record TlsConfig(
    boolean insecure, Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {
  public static final TlsConfig DEFAULT =
      new TlsConfig(false, Optional.empty(), Optional.empty(), Optional.empty());

  static TlsConfig parse(ConfigNode.Section s) {
    var c =
        new TlsConfig(
            s.bool("insecure", DEFAULT.insecure()),
            s.get("ca_file").map(n -> Path.of(n.asString())),
            s.get("cert_file").map(n -> Path.of(n.asString())),
            s.get("key_file").map(n -> Path.of(n.asString())));
    s.done();
    return c;
  }

  public void validate(String at, List<Problem> out) {
    caFile.ifPresent(f -> trusted(at + ".ca_file", f, out));
    certFile.ifPresent(f -> trusted(at + ".cert_file", f, out));
    keyFile.ifPresent(f -> trusted(at + ".key_file", f, out));
    if (certFile.isPresent() != keyFile.isPresent()) {
      out.add(new Problem(at, "cert_file and key_file go together (mutual TLS needs both)"));
    }
  }

  private static void trusted(String key, Path p, List<Problem> out) {
    if (!Files.isReadable(p)) {
      out.add(
          new Problem(
              key,
              "cannot read " + p + (Files.exists(p) ? " (permission denied)" : " (no such file)")));
      return;
    }
    try {
      SafeFiles.checkTrusted(p); // a CA or key others can replace hands them the connection
    } catch (IOException e) {
      out.add(new Problem(key, String.valueOf(e.getMessage())));
    }
  }
}
