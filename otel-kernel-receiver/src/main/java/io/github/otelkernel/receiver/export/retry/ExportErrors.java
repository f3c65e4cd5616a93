package io.github.otelkernel.receiver.export.retry;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import java.util.HashSet;
import java.util.Set;

/**
 * What an OTLP exporter's failure means for the batch, as the Collector's exporterhelper decides it
 * (its consumererror.Permanent), and the failure in words an operator can act on.
 */
public final class ExportErrors {
  private ExportErrors() {}

  /**
   * The failure of an export call; null (a result that never completed) is an outage like any
   * other.
   */
  public static ExportFailure classify(Throwable t) {
    String message = describe(t);
    if (tooLarge(t)) {
      return new ExportFailure(message, ExportFailure.Kind.TOO_LARGE);
    }
    return new ExportFailure(
        message, permanent(t) ? ExportFailure.Kind.PERMANENT : ExportFailure.Kind.RETRYABLE);
  }

  /**
   * Rejections of the data itself are permanent, as in the Collector: gRPC INVALID_ARGUMENT and the
   * like, HTTP 400/404/413. Authentication and permission failures are not: an operator can fix
   * credentials, and the queue keeps the events until then.
   */
  static boolean permanent(Throwable t) {
    if (t instanceof FailedExportException.GrpcExportException g && g.getResponse() != null) {
      return switch (g.getResponse().getStatusCode()) {
        case INVALID_ARGUMENT,
            NOT_FOUND,
            ALREADY_EXISTS,
            FAILED_PRECONDITION,
            OUT_OF_RANGE,
            UNIMPLEMENTED ->
            true;
        default -> false;
      };
    }
    if (t instanceof FailedExportException.HttpExportException h && h.getResponse() != null) {
      int code = h.getResponse().getStatusCode();
      return code == 400 || code == 404 || code == 413;
    }
    return false;
  }

  /**
   * gRPC RESOURCE_EXHAUSTED for a message over the server's limit (the Collector's default is 4
   * MiB), or HTTP 413, anywhere in the cause chain. Other RESOURCE_EXHAUSTED (a server's memory
   * limiter refusing for now) is an outage.
   */
  static boolean tooLarge(Throwable t) {
    Set<Throwable> seen = new HashSet<>();
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      if (c instanceof FailedExportException.GrpcExportException g && g.getResponse() != null) {
        String d = String.valueOf(g.getResponse().getStatusDescription());
        return g.getResponse().getStatusCode() == GrpcStatusCode.RESOURCE_EXHAUSTED
            && d.contains("larger than max");
      }
      if (c instanceof FailedExportException.HttpExportException h && h.getResponse() != null) {
        return h.getResponse().getStatusCode() == 413;
      }
    }
    return false;
  }

  /**
   * The failure and its causes on one line, most specific last ("gRPC UNAVAILABLE: io exception:
   * SSLHandshakeException: …"), with a hint for the two mistakes operators make most: TLS that does
   * not match, and nothing listening at the endpoint.
   */
  public static String describe(Throwable t) {
    if (t == null) {
      return "export failed";
    }
    StringBuilder sb = new StringBuilder();
    Set<Throwable> seen = new HashSet<>();
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      String part =
          c.getClass().getSimpleName() + (c.getMessage() != null ? ": " + c.getMessage() : "");
      // the SDK reports a status from the server (or from gRPC's own transport) without a message
      if (c instanceof FailedExportException.GrpcExportException g && g.getResponse() != null) {
        part =
            "gRPC "
                + g.getResponse().getStatusCode()
                + (g.getResponse().getStatusDescription() != null
                    ? ": " + g.getResponse().getStatusDescription()
                    : "");
      } else if (c instanceof FailedExportException.HttpExportException h
          && h.getResponse() != null) {
        part = "HTTP " + h.getResponse().getStatusCode() + " " + h.getResponse().getStatusMessage();
      }
      if (sb.indexOf(part) < 0) {
        sb.append(sb.isEmpty() ? "" : ": ").append(part);
      }
    }
    return sb.toString().replace('\n', ' ') + hint(sb.toString());
  }

  private static String hint(String text) {
    if (text.matches(
        "(?is).*(SslHandler|ssl exception|SSLHandshake|PKIX|certificate|handshake).*")) {
      return " -- the TLS handshake failed: check that tls.ca_file signs the destination's certificate,"
          + " that tls.cert_file/key_file are accepted by it, and that it expects TLS at all";
    }
    if (text.contains("Connection refused")) {
      return " -- nothing listens there: is the Collector running, and is the endpoint right?";
    }
    return "";
  }
}
