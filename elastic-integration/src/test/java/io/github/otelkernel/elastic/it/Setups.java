package io.github.otelkernel.elastic.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.otelkernel.elastic.ElasticConnection;
import io.github.otelkernel.elastic.ElasticSetup;
import io.github.otelkernel.elastic.SetupReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Running setup through its public API, and the test documents. */
public final class Setups {
  public static final String DATA_STREAM = "logs-ksec.process.otel-default";

  private Setups() {}

  public static SetupReport run(ElasticsearchServer es) throws Exception {
    String auth =
        es.security
            ? ElasticConnection.basicAuthorization("elastic", ElasticsearchServer.ELASTIC_PASSWORD)
            : null;
    try (ElasticConnection connection = ElasticConnection.open(es.url, auth, null)) {
      return new ElasticSetup(connection).run(90);
    }
  }

  /**
   * A document of src/test/resources/documents/, shaped as the exporter writes it in mapping mode
   * otel.
   */
  static String document(String name) {
    try (InputStream in = Setups.class.getResourceAsStream("/documents/" + name + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same, for the data stream of another namespace, so tests sharing a cluster keep apart. */
  static String document(String name, String namespace) {
    try {
      ObjectNode doc = (ObjectNode) EsHttp.JSON.readTree(document(name));
      ((ObjectNode) doc.path("data_stream")).put("namespace", namespace);
      return doc.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
