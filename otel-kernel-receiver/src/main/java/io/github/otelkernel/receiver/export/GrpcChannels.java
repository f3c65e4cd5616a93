package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.config.AgentConfig.OtlpExporterConfig;
import io.github.otelkernel.receiver.config.ConfigException;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * gRPC channels to OTLP destinations, built here with gRPC-Java's own TLS setup and handed to the
 * SDK exporters. The SDK's TLS options on the managed-channel sender (1.63) rejected a CA that
 * openssl and gRPC-Java accept, in our mutual-TLS tests; building the channel ourselves avoids it.
 * One channel per exporter, shared by its logs and metrics; closed when the agent stops.
 */
public final class GrpcChannels implements AutoCloseable {
  private final List<ManagedChannel> channels = new ArrayList<>();

  public synchronized ManagedChannel channel(OtlpExporterConfig o, URI uri) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort() == -1 ? 4317 : uri.getPort());
    if (uri.getScheme().equals("http")) {
      b.usePlaintext();
    } else {
      try {
        SslContextBuilder ssl = GrpcSslContexts.forClient();
        o.tls().caFile().ifPresent(f -> ssl.trustManager(f.toFile()));
        if (o.tls().certFile().isPresent()) {
          ssl.keyManager(o.tls().certFile().get().toFile(), o.tls().keyFile().get().toFile());
        }
        b.sslContext(ssl.build());
      } catch (SSLException | IllegalArgumentException e) {
        throw new ConfigException(
            "exporters."
                + o.id()
                + ".tls: "
                + e.getMessage()
                + " (ca_file, cert_file and key_file must be PEM; the key PKCS#8 or PKCS#1)");
      }
    }
    ManagedChannel channel = b.build();
    channels.add(channel);
    return channel;
  }

  @Override
  public synchronized void close() {
    for (ManagedChannel c : channels) {
      c.shutdown();
    }
    for (ManagedChannel c : channels) {
      try {
        if (!c.awaitTermination(5, TimeUnit.SECONDS)) {
          c.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        c.shutdownNow();
      }
    }
    channels.clear();
  }
}
