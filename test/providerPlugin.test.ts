/**
 * The `terraform-provider` plugin that runs the LaunchDarkly provider exists and is pinned once:
 * Pulumi.yaml's `packages:` entry (what `pulumi install` generates from), the local SDK's
 * package.json (what the engine reads from the package) and what the SDK's compiled code registers
 * with the engine (`registerPackage`, called here for real) name the same plugin and provider.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { PROJECT_DIR } from "../components/config/stackFile";

/**
 * Release tags of pulumi/pulumi-terraform-provider seen upstream (v1.1.3 is the newest, 2026-05-27).
 * Moving the plugin: add the new tag here once you have seen it (docs: "Regenerating the LaunchDarkly SDK").
 */
const RELEASED_PLUGIN_VERSIONS = ["1.1.3"];

interface PackageEntry {
  source: string;
  version: string;
  parameters: [string, string];
}
const project = parse(readFileSync(join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
  packages: { launchdarkly: PackageEntry };
};
const sdkPackage = JSON.parse(readFileSync(join(PROJECT_DIR, "sdks", "launchdarkly", "package.json"), "utf8")) as {
  version: string;
  pulumi: { name: string; version: string; parameterization: { name: string; version: string; value: string } };
};

/** What the compiled SDK (the code `pulumi up` loads) registers with the engine. */
async function registeredPackage(): Promise<Parameters<typeof pulumi.runtime.registerPackage>[0]> {
  const spy = vi.spyOn(pulumi.runtime, "registerPackage").mockResolvedValue("ref");
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled SDK as npm installed it
    const utilities = require("@pulumi/launchdarkly/bin/utilities.js") as { getPackage(): Promise<unknown> };
    await utilities.getPackage();
    expect(spy).toHaveBeenCalledTimes(1);
    return spy.mock.calls[0]![0];
  } finally {
    spy.mockRestore();
  }
}

describe("the terraform-provider plugin", () => {
  it("is a released version, the same in Pulumi.yaml, the SDK's package.json and what the SDK registers", async () => {
    const entry = project.packages.launchdarkly;
    const registered = await registeredPackage();
    expect(entry.source).toBe("terraform-provider");
    expect(RELEASED_PLUGIN_VERSIONS).toContain(entry.version);
    expect(sdkPackage.pulumi).toMatchObject({ name: "terraform-provider", version: entry.version });
    expect(registered).toMatchObject({ baseProviderName: "terraform-provider", baseProviderVersion: entry.version });
  });

  it("parameterizes it with the same LaunchDarkly provider everywhere", async () => {
    const [source, providerVersion] = project.packages.launchdarkly.parameters;
    const registered = await registeredPackage();
    const parameter = JSON.parse(Buffer.from(sdkPackage.pulumi.parameterization.value, "base64").toString("utf8")) as {
      remote: { url: string; version: string };
    };
    expect(parameter).toEqual({ remote: { url: `registry.opentofu.org/${source}`, version: providerVersion } });
    expect(sdkPackage.version).toBe(providerVersion);
    expect(sdkPackage.pulumi.parameterization).toMatchObject({ name: "launchdarkly", version: providerVersion });
    expect(registered).toMatchObject({
      packageName: "launchdarkly",
      packageVersion: providerVersion,
      base64Parameter: sdkPackage.pulumi.parameterization.value,
    });
  });
});
