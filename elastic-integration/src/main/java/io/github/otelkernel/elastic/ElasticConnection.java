package io.github.otelkernel.elastic;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.instrumentation.NoopInstrumentation;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import co.elastic.clients.transport.rest5_client.low_level.Rest5ClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * One cluster, reached through both faces of the Elasticsearch Java client: the typed {@link
 * ElasticsearchClient} that installs things, and its low-level {@link Rest5Client} that probes.
 */
public final class ElasticConnection implements AutoCloseable {
  private final URI url;
  private final Rest5Client rest;
  private final ElasticsearchClient client;

  private ElasticConnection(URI url, Rest5Client rest) {
    this.url = url;
    this.rest = rest;
    // no instrumentation: setup's calls are not the agent's telemetry
    this.client =
        new ElasticsearchClient(
            new Rest5ClientTransport(
                rest, new JacksonJsonpMapper(), null, NoopInstrumentation.INSTANCE));
  }

  /**
   * @param url the cluster's base URL, http or https
   * @param authorization the {@code Authorization} header value, or null
   * @param caFile PEM certificates to trust for https instead of the JDK's, or null
   */
  public static ElasticConnection open(URI url, String authorization, Path caFile)
      throws SetupException {
    Rest5ClientBuilder builder = Rest5Client.builder(url);
    if (authorization != null) {
      builder.setDefaultHeaders(new Header[] {new BasicHeader("Authorization", authorization)});
    }
    if (caFile != null) {
      builder.setSSLContext(trusting(caFile));
    }
    return new ElasticConnection(url, builder.build());
  }

  public static String apiKeyAuthorization(String apiKey) {
    return "ApiKey " + apiKey;
  }

  public static String basicAuthorization(String username, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * An SSL context that trusts exactly the certificates in a PEM file (the cluster's CA, or its own
   * certificate).
   */
  static SSLContext trusting(Path caFile) throws SetupException {
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, certificate);
      }
      if (i == 0) {
        throw SetupException.usage("--ca-file " + caFile + ": no PEM certificate in it");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw SetupException.usage(
          "--ca-file " + caFile + ": cannot read it (" + e.getClass().getSimpleName() + ")");
    } catch (GeneralSecurityException e) {
      throw SetupException.usage(
          "--ca-file " + caFile + ": not a PEM certificate file (" + e.getMessage() + ")");
    }
  }

  public URI url() {
    return url;
  }

  Rest5Client rest() {
    return rest;
  }

  public ElasticsearchClient client() {
    return client;
  }

  @Override
  public void close() throws IOException {
    client.close(); // closes the transport and with it the low-level client
  }
}
