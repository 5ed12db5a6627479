/**
 * Alertmanager's template engine, `amtool template render` (Debian package
 * `prometheus-alertmanager`): Grafana renders contact-point text with Alertmanager's template
 * package and data (status, alerts with labels and annotations). Never skipped: missing is a failure.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const AMTOOL = process.env.AMTOOL ?? "amtool";

/** One alert of a notification, as Alertmanager's template data carries it. */
export interface NotifiedAlert {
  readonly status: "firing" | "resolved";
  readonly alertname: string;
  readonly severity: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** Labels beyond alertname and severity (Grafana's `rulename`, `datasource_uid` on a DatasourceError). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Renders `text` for a notification of `alerts` (status "firing" while any alert fires). */
export function renderNotification(text: string, alerts: readonly NotifiedAlert[]): string {
  const dir = mkdtempSync(join(tmpdir(), "amtool-"));
  const data = {
    receiver: "stream5-time-crunch",
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    alerts: alerts.map((alert, i) => ({
      status: alert.status,
      labels: { ...alert.labels, alertname: alert.alertname, severity: alert.severity },
      annotations: alert.annotations,
      startsAt: "2026-03-02T12:00:00Z",
      endsAt: alert.status === "firing" ? "0001-01-01T00:00:00Z" : "2026-03-02T12:30:00Z",
      generatorURL: "",
      fingerprint: String(i),
    })),
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://grafana.invalid",
  };
  writeFileSync(join(dir, "data.json"), JSON.stringify(data));
  // amtool wants at least one template file; the text under test is the whole template.
  writeFileSync(join(dir, "none.tmpl"), "");
  try {
    return execFileSync(
      AMTOOL,
      [
        "template",
        "render",
        `--template.glob=${join(dir, "none.tmpl")}`,
        `--template.data=${join(dir, "data.json")}`,
        `--template.text=${text}`,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 },
    );
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === "ENOENT") {
      throw new Error(
        `amtool not found (${AMTOOL}): install Debian's \`prometheus-alertmanager\` package (apt-get install prometheus-alertmanager) or set AMTOOL`,
      );
    }
    throw new Error(`amtool refused the template: ${failure.stderr ?? String(error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
