package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.OtlpExporterConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Whether an OTLP exporter's destination answers, for {@code doctor}: a TCP connect and, unless the
 * exporter sends plaintext, a TLS handshake with the exporter's own CA and client certificate and
 * the host name verified. Nothing is sent past the handshake.
 */
public final class EndpointProbe {
  private EndpointProbe() {}

  /**
   * @param reached whether the connection (and the handshake) succeeded
   * @param detail what was reached, or what failed and how to fix it, on one line
   */
  public record Result(boolean reached, String detail) {}

  public static Result probe(OtlpExporterConfig exporter, Duration timeout) {
    URI uri = exporter.uri();
    boolean tls = uri.getScheme().equals("https");
    String host = uri.getHost();
    int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
    String where = host + ":" + port;
    int millis = (int) timeout.toMillis();
    Socket socket = new Socket();
    try (socket) {
      try {
        socket.connect(new InetSocketAddress(host, port), millis);
      } catch (IOException e) {
        return new Result(
            false,
            "cannot connect to "
                + where
                + " ("
                + e.getMessage()
                + "): start the Collector there or fix the endpoint");
      }
      if (!tls) {
        return new Result(true, where + " accepts connections (plaintext)");
      }
      TlsMaterial material =
          TlsMaterial.read("exporters." + exporter.id() + ".tls", exporter.tls());
      try (SSLSocket ssl =
          (SSLSocket)
              material.jdkContext().getSocketFactory().createSocket(socket, host, port, true)) {
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        if (!host.startsWith("[") && !Character.isDigit(host.charAt(0))) {
          params.setServerNames(List.of(new SNIHostName(host)));
        }
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(millis);
        ssl.startHandshake();
        var peer = ssl.getSession().getPeerCertificates()[0];
        String subject =
            peer instanceof X509Certificate x
                ? x.getSubjectX500Principal().getName()
                : peer.getType();
        return new Result(
            true,
            where
                + " completes a TLS handshake ("
                + ssl.getSession().getProtocol()
                + ", certificate "
                + subject
                + (exporter.tls().caFile().isPresent()
                    ? ", verified with " + exporter.tls().caFile().get()
                    : ", verified with the system's trust store")
                + ")");
      } catch (IOException e) {
        String fix =
            exporter.tls().caFile().isPresent()
                ? "check that tls.ca_file signed the Collector's certificate and that it names "
                    + host
                : "set tls.ca_file to the CA that signed the Collector's certificate";
        return new Result(
            false, "TLS handshake with " + where + " failed (" + rootMessage(e) + "): " + fix);
      }
    } catch (ConfigException e) {
      return new Result(false, e.getMessage());
    } catch (IOException e) {
      return new Result(false, "cannot connect to " + where + " (" + e.getMessage() + ")");
    }
  }

  /** A JDK TLS context that trusts {@code ca} (PEM), or the system's trust store without one. */
  public static javax.net.ssl.SSLContext trusting(String at, java.util.Optional<Path> ca) {
    return TlsMaterial.read(
            at,
            new io.github.otelkernel.receiver.config.TlsConfig(
                false, ca, java.util.Optional.empty(), java.util.Optional.empty()))
        .jdkContext();
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    return m.replace('\n', ' ');
  }
}
