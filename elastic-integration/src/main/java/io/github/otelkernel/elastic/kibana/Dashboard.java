package io.github.otelkernel.elastic.kibana;

import java.util.List;

/**
 * One dashboard: its panels in reading order, the options-list controls above them, the time range
 * it opens with, and the markdown guide that opens it (how to read it, what is missing).
 *
 * @param id the saved object id, also the NDJSON file name ({@code <id>.ndjson})
 * @param summary the dashboard's one-line description in Kibana's list
 * @param guide markdown, the first panel
 */
public record Dashboard(
    String id,
    String title,
    String summary,
    String guide,
    List<Control> controls,
    List<Panel> panels,
    String timeFrom) {

  /** An options list control: pick values of a keyword field; the whole dashboard follows. */
  public record Control(Field field, String label) {}

  public Dashboard {
    controls = List.copyOf(controls);
    panels = List.copyOf(panels);
  }

  /** The saved object id of a panel's Lens visualization. */
  public String lensId(Panel panel) {
    return id + "-" + panel.slug();
  }

  /** The saved object id of the guide (a markdown visualization). */
  public String guideId() {
    return id + "-guide";
  }
}
