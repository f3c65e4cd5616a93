package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.TlsConfig;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The PEM files of one exporter's tls settings, read once and applied alike to everything that
 * sends there: the gRPC channel, the HTTP logs exporter and the HTTP metrics exporter.
 *
 * @param at the settings' key, for errors ({@code exporters.otlp.tls})
 */
record TlsMaterial(String at, Optional<byte[]> ca, Optional<byte[]> cert, Optional<byte[]> key) {

  static TlsMaterial read(String at, TlsConfig tls) {
    return new TlsMaterial(
        at, read(at, tls.caFile()), read(at, tls.certFile()), read(at, tls.keyFile()));
  }

  private static Optional<byte[]> read(String at, Optional<Path> file) {
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(file.get()));
    } catch (IOException e) {
      throw new ConfigException(at + ": cannot read " + e.getMessage());
    }
  }

  /** For the SDK's HTTP exporter builders: they take the same two calls but share no interface. */
  void applyTo(Consumer<byte[]> trustedCertificates, BiConsumer<byte[], byte[]> clientKeyAndCert) {
    ca.ifPresent(trustedCertificates);
    if (cert.isPresent() && key.isPresent()) {
      clientKeyAndCert.accept(key.get(), cert.get());
    }
  }

  /**
   * gRPC-Java's client context with this material; it parses every PEM file, so building it also
   * checks them without connecting.
   */
  SslContext grpcContext() {
    try {
      SslContextBuilder ssl = GrpcSslContexts.forClient();
      ca.ifPresent(c -> ssl.trustManager(new ByteArrayInputStream(c)));
      if (cert.isPresent() && key.isPresent()) {
        ssl.keyManager(new ByteArrayInputStream(cert.get()), new ByteArrayInputStream(key.get()));
      }
      return ssl.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new ConfigException(
          at
              + ": "
              + e.getMessage()
              + " (ca_file, cert_file and key_file must be PEM; the key PKCS#8 or PKCS#1)");
    }
  }

  /**
   * The same trust and client key as a JDK {@link javax.net.ssl.SSLContext}, for a handshake
   * without gRPC ({@code doctor}'s endpoint check): Netty's JDK provider parses the PEM files
   * alike.
   */
  javax.net.ssl.SSLContext jdkContext() {
    try {
      SslContextBuilder ssl =
          SslContextBuilder.forClient()
              .sslProvider(io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider.JDK);
      ca.ifPresent(c -> ssl.trustManager(new ByteArrayInputStream(c)));
      if (cert.isPresent() && key.isPresent()) {
        ssl.keyManager(new ByteArrayInputStream(cert.get()), new ByteArrayInputStream(key.get()));
      }
      return ((io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext) ssl.build()).context();
    } catch (SSLException | IllegalArgumentException e) {
      throw new ConfigException(
          at
              + ": "
              + e.getMessage()
              + " (ca_file, cert_file and key_file must be PEM; the key PKCS#8 or PKCS#1)");
    }
  }
}
