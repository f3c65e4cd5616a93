package io.github.otelkernel.elastic;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.otelkernel.semconv.KsecDataStreams.Domain;
import java.io.IOException;
import java.util.List;

/**
 * Installs what the otel-kernel-receiver data streams need in an Elasticsearch cluster: component
 * and index templates, retention, roles. Checks the cluster first and installs the richest variant
 * it takes; everything it leaves out is a report line with the reason. Every step is a PUT of the
 * whole object, so running it again converges to the same state.
 */
public final class ElasticSetup {
  /** The roles in {@code elastic/roles/}, in install order. */
  static final List<String> ROLES =
      List.of("ksec_analyst", "ksec_collector_writer", "ksec_analyst_restricted");

  /** The role that hides command lines with field-level security. */
  static final String RESTRICTED_ROLE = "ksec_analyst_restricted";

  private final ElasticConnection connection;
  private final SemanticConventions conventions;

  public ElasticSetup(ElasticConnection connection) {
    this(connection, SemanticConventions.load());
  }

  ElasticSetup(ElasticConnection connection, SemanticConventions conventions) {
    this.connection = connection;
    this.conventions = conventions;
  }

  /**
   * @param retentionDays how long records are kept (ILM delete phase, or data stream retention)
   */
  public SetupReport run(int retentionDays) throws SetupException {
    if (retentionDays < 1) {
      throw SetupException.usage("retention must be at least 1 day, not " + retentionDays);
    }
    return run(Retention.uniform(retentionDays));
  }

  /** Setup with each domain's stream kept as long as its retention says. */
  public SetupReport run(Retention retention) throws SetupException {
    String address = connection.url().toString();
    ClusterFeatures features = new ClusterProbe(connection.rest(), address).detect();
    SetupReport report = new SetupReport();
    report.cluster(
        "Elasticsearch " + features.version() + " at " + address, "license " + features.license());
    TemplateFactory templates = new TemplateFactory(conventions, features.missingFieldTypes());
    installTemplates(templates, features, retention, report);
    installRoles(features, report);
    return report;
  }

  /**
   * The ILM policies where there is ILM, the component templates, the catch-all index template and
   * one per domain.
   */
  private void installTemplates(
      TemplateFactory templates, ClusterFeatures features, Retention retention, SetupReport report)
      throws SetupException {
    ElasticsearchClient es = connection.client();
    // the policies first: the settings and the domain templates name them
    if (features.ilm()) {
      putPolicy(templates, TemplateFactory.POLICY, retention.defaultDays(), report);
      for (Domain d : Domain.values()) {
        putPolicy(templates, TemplateFactory.domainName(d), retention.days(d), report);
      }
    }

    ObjectNode settings = templates.settings(features.ilm());
    call(
        "PUT _component_template/" + TemplateFactory.SETTINGS,
        () ->
            es.cluster()
                .putComponentTemplate(
                    r ->
                        r.name(TemplateFactory.SETTINGS).withJson(JsonResources.reader(settings))));
    report.installed(
        "component template " + TemplateFactory.SETTINGS,
        features.ilm() ? "uses ILM policy " + TemplateFactory.POLICY : "");

    ObjectNode mappings = templates.mappings();
    call(
        "PUT _component_template/" + TemplateFactory.MAPPINGS,
        () ->
            es.cluster()
                .putComponentTemplate(
                    r ->
                        r.name(TemplateFactory.MAPPINGS).withJson(JsonResources.reader(mappings))));
    report.installed(
        "component template " + TemplateFactory.MAPPINGS,
        templates.attributeFields()
            + " attribute fields, "
            + templates.ecsAliases()
            + " ECS aliases");
    templates.degradations().forEach((type, how) -> report.skipped("field type " + type, how));

    // without ILM, the data stream lifecycle keeps time if the cluster runs it
    boolean lifecycle = !features.ilm() && features.dataStreamLifecycle();
    putIndexTemplate(
        TemplateFactory.INDEX_TEMPLATE,
        templates.indexTemplate(lifecycle ? retention.defaultDays() : null),
        lifecycle ? retention.defaultDays() : null,
        report);
    for (Domain d : Domain.values()) {
      String name = TemplateFactory.domainName(d);
      Integer days = lifecycle ? retention.days(d) : null;
      putIndexTemplate(
          name, templates.domainIndexTemplate(d, features.ilm() ? name : null, days), days, report);
    }
    if (!features.ilm() && !lifecycle) {
      report.skipped(
          "retention",
          "this cluster has neither ILM nor the data stream lifecycle; records are kept until deleted");
    }
  }

  private void putPolicy(TemplateFactory templates, String name, int days, SetupReport report)
      throws SetupException {
    ObjectNode policy = templates.ilmPolicy(days);
    call(
        "PUT _ilm/policy/" + name,
        () ->
            connection
                .client()
                .ilm()
                .putLifecycle(r -> r.name(name).withJson(JsonResources.reader(policy))));
    report.installed("ILM policy " + name, "delete " + days + " days after rollover");
  }

  private void putIndexTemplate(
      String name, ObjectNode body, Integer lifecycleDays, SetupReport report)
      throws SetupException {
    call(
        "PUT _index_template/" + name,
        () ->
            connection
                .client()
                .indices()
                .putIndexTemplate(r -> r.name(name).withJson(JsonResources.reader(body))));
    report.installed(
        "index template " + name,
        body.get("index_patterns").get(0).asText()
            + ", priority "
            + body.get("priority").asInt()
            + (lifecycleDays != null
                ? ", data stream lifecycle: retention " + lifecycleDays + " days"
                : body.at("/template/settings/index/lifecycle/name").isTextual()
                    ? ", ILM policy " + body.at("/template/settings/index/lifecycle/name").asText()
                    : ""));
  }

  /**
   * The roles, where security makes them mean something; the restricted one where its license
   * allows.
   */
  private void installRoles(ClusterFeatures features, SetupReport report) throws SetupException {
    if (!features.security()) {
      report.skipped("roles " + String.join(", ", ROLES), "security is disabled on this cluster");
      return;
    }
    for (String role : ROLES) {
      if (role.equals(RESTRICTED_ROLE) && !features.fieldLevelSecurity()) {
        report.skipped(
            "role " + role,
            "field-level security needs a platinum, enterprise or trial license; this cluster's is "
                + features.license());
        continue;
      }
      ObjectNode body = JsonResources.object("roles/" + role + ".json");
      call(
          "PUT _security/role/" + role,
          () ->
              connection
                  .client()
                  .security()
                  .putRole(r -> r.name(role).withJson(JsonResources.reader(body))));
      report.installed("role " + role, "");
    }
  }

  private interface Call {
    void run() throws IOException;
  }

  /** One request of the typed client; its failure as one line. */
  private void call(String what, Call call) throws SetupException {
    try {
      call.run();
    } catch (ElasticsearchException e) {
      throw ClusterErrors.refused(connection.url().toString(), what, e);
    } catch (IOException e) {
      throw ClusterErrors.unreachable(connection.url().toString(), e);
    }
  }
}
