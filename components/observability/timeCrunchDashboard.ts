import * as pulumi from "@pulumi/pulumi";
// One namespace of the provider: its index loads them all (see planningEngine.ts).
import * as oss from "@pulumiverse/grafana/oss";
import { dashboardJson, type DashboardSettings } from "./dashboardModel";
import { ComponentType } from "../resources";

export interface TimeCrunchDashboardArgs extends DashboardSettings {
  /** Title of the Grafana folder that holds the dashboard and the alert rules. */
  readonly folderTitle: string;
  /** The folder's uid (derived from the stack name unless the config pins one: `grafanaIdentity.ts`). */
  readonly folderUid: string;
}

/**
 * The Grafana folder and the Time Crunch dashboard (the checklist's five key metrics), replacing
 * the PowerShell dashboard deploy. The dashboard JSON is built in `dashboardModel.ts`.
 */
export class TimeCrunchDashboard extends pulumi.ComponentResource {
  /** The folder's uid, where the alert rules live too. */
  readonly folderUid: pulumi.Output<string>;
  /** The dashboard's URL, `<grafana>/d/<uid>`, as Grafana reports it. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: TimeCrunchDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ComponentType.TimeCrunchDashboard, name, {}, opts);

    const folder = new oss.Folder(name, { title: args.folderTitle, uid: args.folderUid }, { parent: this });
    const board = new oss.Dashboard(
      name,
      {
        folder: folder.uid,
        configJson: dashboardJson(args),
        // The stack owns this uid: a hand-edited copy in Grafana is replaced, not merged.
        overwrite: true,
        message: "Managed by the stream5-time-crunch Pulumi project",
      },
      { parent: this },
    );

    this.folderUid = folder.uid;
    this.url = board.url;
    // Stryker disable next-line ObjectLiteral,CallExpression: a component's registered outputs reach only the state; index.ts exports the same properties
    this.registerOutputs({ folderUid: this.folderUid, url: this.url });
  }
}
