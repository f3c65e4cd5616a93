package io.github.otelkernel.receiver.export.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import java.io.IOException;
import java.net.ConnectException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ExportErrorsTest {
  static Throwable grpc(GrpcStatusCode code, String description) {
    return FailedExportException.grpcFailedWithResponse(
        new GrpcResponse() {
          @Override
          public GrpcStatusCode getStatusCode() {
            return code;
          }

          @Override
          public String getStatusDescription() {
            return description;
          }

          @Override
          public byte[] getResponseMessage() {
            return new byte[0];
          }
        });
  }

  static Throwable http(int code) {
    return FailedExportException.httpFailedWithResponse(
        new HttpResponse() {
          @Override
          public int getStatusCode() {
            return code;
          }

          @Override
          public String getStatusMessage() {
            return "status " + code;
          }

          @Override
          public byte[] getResponseBody() {
            return new byte[0];
          }
        });
  }

  static ExportFailure.Kind kind(Throwable t) {
    return ExportErrors.classify(t).kind();
  }

  @Test
  void rejectedDataIsPermanentAsInTheCollector() {
    for (GrpcStatusCode c :
        new GrpcStatusCode[] {
          GrpcStatusCode.INVALID_ARGUMENT,
          GrpcStatusCode.NOT_FOUND,
          GrpcStatusCode.ALREADY_EXISTS,
          GrpcStatusCode.FAILED_PRECONDITION,
          GrpcStatusCode.OUT_OF_RANGE,
          GrpcStatusCode.UNIMPLEMENTED
        }) {
      assertEquals(ExportFailure.Kind.PERMANENT, kind(grpc(c, "refused")), c.name());
    }
    assertEquals(ExportFailure.Kind.PERMANENT, kind(http(400)));
    assertEquals(ExportFailure.Kind.PERMANENT, kind(http(404)));
  }

  @Test
  void outagesAndCredentialsAreRetried() {
    for (GrpcStatusCode c :
        new GrpcStatusCode[] {
          GrpcStatusCode.UNAVAILABLE,
          GrpcStatusCode.DEADLINE_EXCEEDED,
          GrpcStatusCode.UNAUTHENTICATED,
          GrpcStatusCode.PERMISSION_DENIED,
          GrpcStatusCode.ABORTED
        }) {
      assertTrue(ExportErrors.classify(grpc(c, "x")).retryable(), c.name());
    }
    assertTrue(ExportErrors.classify(http(401)).retryable());
    assertTrue(ExportErrors.classify(http(503)).retryable());
    assertTrue(ExportErrors.classify(new IOException("broken pipe")).retryable());
    assertTrue(ExportErrors.classify(null).retryable(), "a result that never completed");
  }

  @Test
  void overTheMessageLimitIsTooLargeButAMemoryLimiterIsAnOutage() {
    assertEquals(
        ExportFailure.Kind.TOO_LARGE,
        kind(
            grpc(
                GrpcStatusCode.RESOURCE_EXHAUSTED,
                "grpc: received message larger than max (5000000 vs. 4194304)")));
    assertEquals(ExportFailure.Kind.TOO_LARGE, kind(http(413)));
    assertEquals(
        ExportFailure.Kind.TOO_LARGE,
        kind(new RuntimeException(grpc(GrpcStatusCode.RESOURCE_EXHAUSTED, "larger than max"))),
        "found in the causes");
    assertEquals(
        ExportFailure.Kind.RETRYABLE,
        kind(grpc(GrpcStatusCode.RESOURCE_EXHAUSTED, "data refused due to high memory usage")));
  }

  @Test
  void describesTheWholeChainOnOneLineWithAHint() {
    Throwable tls =
        FailedExportException.grpcFailedExceptionally(
            new IOException(
                "io exception", new SSLHandshakeException("PKIX path building failed\nat line 2")));
    String d = ExportErrors.describe(tls);
    assertTrue(d.contains("SSLHandshakeException: PKIX path building failed at line 2"), d);
    assertTrue(d.contains("check that tls.ca_file signs the destination's certificate"), d);
    assertTrue(!d.contains("\n"), d);

    String refused =
        ExportErrors.describe(
            new IOException("failed", new ConnectException("Connection refused")));
    assertTrue(
        refused.endsWith(
            "nothing listens there: is the Collector running, and is the endpoint right?"),
        refused);

    assertEquals(
        "gRPC UNAVAILABLE: down", ExportErrors.describe(grpc(GrpcStatusCode.UNAVAILABLE, "down")));
    assertEquals("HTTP 503 status 503", ExportErrors.describe(http(503)));
    assertEquals("export failed", ExportErrors.describe(null));
  }

  @Test
  void aCauseCycleEnds() {
    Exception a = new Exception("a");
    Exception b = new Exception("b", a);
    a.initCause(b);
    assertEquals("Exception: a: Exception: b", ExportErrors.describe(a));
    assertTrue(ExportErrors.classify(a).retryable());
  }
}
