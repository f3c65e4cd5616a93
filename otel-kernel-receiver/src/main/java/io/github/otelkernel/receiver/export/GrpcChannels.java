package io.github.otelkernel.receiver.export;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * gRPC channels to OTLP destinations, built here with gRPC-Java's own TLS setup and handed to the
 * SDK exporters. The SDK's TLS options on the managed-channel sender (1.63) rejected a CA that
 * openssl and gRPC-Java accept, in our mutual-TLS tests; building the channel ourselves avoids it.
 * One channel per exporter, shared by its logs and metrics; closed when the agent stops.
 */
public final class GrpcChannels implements AutoCloseable {
  private final List<ManagedChannel> channels = new ArrayList<>();

  public synchronized ManagedChannel channel(URI uri, TlsMaterial tls) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort() == -1 ? 4317 : uri.getPort());
    if (uri.getScheme().equals("http")) {
      b.usePlaintext();
    } else {
      b.sslContext(tls.grpcContext());
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
