package io.github.otelkernel.receiver.export;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What the SDK hands its exporter, kept (no in-memory exporter on this module's test class path).
 */
final class CollectingExporter implements LogRecordExporter {
  final List<LogRecordData> records = new ArrayList<>();

  @Override
  public CompletableResultCode export(Collection<LogRecordData> logs) {
    records.addAll(logs);
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
