/**
 * Runs the real Pulumi program under Pulumi's mock engine and returns what it declared: every
 * resource with its URN, type token, name, parent and inputs, and the stack outputs. This is the
 * one way the program is run offline, by the tests and by `npm run plan`.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, StackConfigError } from "../../components/config/schema";
import type { OfflineConfig } from "../../components/config/stackFile";
import { isDeployRefusal } from "../../components/rollout/guards";
import { type DeployedState, RecordingMocks, type RegisteredResource, SECRET_SIG, SECRET_SIG_KEY } from "./mocks";

export type { DeployedState } from "./mocks";

/** The organization offline runs belong to (the name Pulumi gives it on self-managed backends). */
export const OFFLINE_ORGANIZATION = "organization";

/** One config value as the Pulumi CLI would hand it to the program. */
/** A resource the program declared. `inputs` keep Pulumi's secret markers (see `mocks.ts`). */
export interface DeclaredResource extends RegisteredResource {
  readonly urn: string;
  /** The parent's URN, or undefined for a resource at the top of the program. */
  readonly parent: string | undefined;
  /** Whether the resource is `protect`ed against deletion. */
  readonly protect: boolean;
  /**
   * The URNs it waits for, as the engine receives them: its `dependsOn` and the resources whose
   * outputs its inputs use. The engine creates it only after them.
   */
  readonly dependsOn: readonly string[];
}

export interface ProgramRun {
  readonly resources: readonly DeclaredResource[];
  /** Stack outputs, resolved; secret outputs keep Pulumi's secret marker. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

/** The program failed; `declared` is what it had registered by then (nothing, for bad config). */
export class ProgramFailed extends Error {
  constructor(
    override readonly cause: unknown,
    readonly declared: readonly RegisteredResource[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "ProgramFailed";
  }

  /** Whether the program stopped on invalid stack config (before declaring anything). */
  get isConfigError(): boolean {
    return this.cause instanceof StackConfigError;
  }

  /** Whether the rollout guards refused the deployment (before declaring anything). */
  get isRefusal(): boolean {
    return isDeployRefusal(this.cause);
  }
}

/**
 * Evaluates the program module once and returns its exports: the program function (as index.ts
 * exports it, or as a default export), or named exports that are the stack outputs.
 */
export type ProgramLoader = () => Promise<unknown>;

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean;
  getDependenciesList(): string[];
}

/** Where the engine placed a registered resource. */
interface Placement {
  readonly type: string;
  readonly name: string;
  readonly parent: string;
  readonly urn: string;
  readonly protect: boolean;
  readonly dependsOn: readonly string[];
}
interface RegisterResponse {
  getUrn(): string;
}
type RegisterResource = (req: RegisterRequest, callback: (err: unknown, resp?: RegisterResponse) => void) => void;

/**
 * Runs the program with `config` under the mock engine; `deployed` is what the engine answers
 * about the stack's last deployment and the live flag (`{}`: never deployed). The loader must
 * evaluate the program afresh (a cached module would not declare anything again). Throws what the
 * program throws, for example a `StackConfigError` or a refusal, and any mock failure.
 */
export async function runProgram(
  config: OfflineConfig,
  deployed: DeployedState,
  loadProgram: ProgramLoader,
): Promise<ProgramRun> {
  const mocks = new RecordingMocks(`${OFFLINE_ORGANIZATION}/${PROJECT}/${config.stack}`, deployed);
  const placement: Placement[] = [];

  await pulumi.runtime.disconnect();
  await pulumi.runtime.setMocks(mocks, PROJECT, config.stack, false, OFFLINE_ORGANIZATION);
  recordPlacement(placement);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config.values).map(([key, v]) => [key, v.value])),
    Object.entries(config.values)
      .filter(([, v]) => v.secret)
      .map(([key]) => key),
  );

  const outputs: Record<string, unknown> = {};
  try {
    for (const [name, value] of Object.entries(await stackOutputs(await loadProgram()))) {
      if (name === "__esModule" || name === "default") continue;
      outputs[name] = await resolve(value);
    }
  } catch (error) {
    await pulumi.runtime.disconnect();
    throw new ProgramFailed(error, mocks.registered);
  }
  // Drain every outstanding registration before reading the record.
  await pulumi.runtime.disconnect();
  const [failure] = mocks.failures;
  if (failure) throw new ProgramFailed(failure, mocks.registered);

  const unplaced = [...placement];
  const resources = mocks.registered.map((resource) => {
    const at = unplaced.findIndex((p) => p.type === resource.type && p.name === resource.name);
    const [place] = unplaced.splice(at, 1);
    if (at < 0 || !place) throw new Error(`the mock engine gave no URN for ${resource.type} ${resource.name}`);
    return {
      ...resource,
      urn: place.urn,
      parent: place.parent === "" ? undefined : place.parent,
      protect: place.protect,
      dependsOn: place.dependsOn,
    };
  });
  return { resources, outputs };
}

/**
 * What the program returns as stack outputs. As Pulumi's Node runtime does: a module that exports
 * a function is run by calling it and awaiting the result; otherwise its named exports are the
 * outputs.
 */
async function stackOutputs(exports: unknown): Promise<Record<string, unknown>> {
  const main = typeof exports === "function" ? exports : (exports as { default?: unknown } | undefined)?.default;
  if (typeof main === "function") return ((await (main as () => unknown)()) ?? {}) as Record<string, unknown>;
  return exports as Record<string, unknown>;
}

/** Records where each resource is registered: the URN the engine gives it and its parent's URN. */
function recordPlacement(into: Placement[]): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: RegisterResource } | undefined;
  if (!monitor || !pulumi.runtime.hasMonitor()) throw new Error("Pulumi's mock engine is not installed");
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    register(req, (err, resp) => {
      if (!err && resp) {
        into.push({
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          urn: resp.getUrn(),
          protect: req.getProtect(),
          dependsOn: req.getDependenciesList(),
        });
      }
      callback(err, resp);
    });
  };
}

/** Resolves an Output (or plain value) to its value; a secret comes back wrapped in its marker. */
async function resolve(value: unknown): Promise<unknown> {
  if (!pulumi.Output.isInstance(value)) return value;
  const [resolved, secret] = await Promise.all([
    new Promise((done) => {
      value.apply(done);
    }),
    pulumi.isSecret(value),
  ]);
  return secret ? { [SECRET_SIG_KEY]: SECRET_SIG, value: resolved } : resolved;
}
