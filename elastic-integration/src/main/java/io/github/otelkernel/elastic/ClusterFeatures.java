package io.github.otelkernel.elastic;

import java.util.Set;

/**
 * What the cluster can do, as {@link ClusterProbe} found it. Setup installs the richest variant the
 * cluster takes and reports what it left out.
 *
 * @param version the oldest node's version: every node must accept what setup installs
 * @param license the active license type ({@code basic}, {@code trial}, {@code platinum}…), or
 *     {@code expired} when it is not active
 * @param ilm index lifecycle management is there ({@code _ilm} answers)
 * @param dataStreamLifecycle the data stream lifecycle service is there ({@code _lifecycle}
 *     answers)
 * @param security security is enabled ({@code _security} answers), so roles mean something
 * @param missingFieldTypes field types setup uses that this cluster does not know
 */
public record ClusterFeatures(
    String version,
    String license,
    boolean ilm,
    boolean dataStreamLifecycle,
    boolean security,
    Set<String> missingFieldTypes) {

  /**
   * Field- and document-level security are licensed features: basic clusters disable roles that use
   * them.
   */
  static final Set<String> LICENSES_WITH_FIELD_LEVEL_SECURITY =
      Set.of("platinum", "enterprise", "trial");

  public boolean fieldLevelSecurity() {
    return LICENSES_WITH_FIELD_LEVEL_SECURITY.contains(license);
  }
}
