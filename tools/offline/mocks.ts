/**
 * Deterministic answers for what the providers would compute (ids, looked-up keys), so the real
 * program runs under Pulumi's mock engine with no credentials and no network. An unknown resource
 * type or function token is an error, not an echo: a program change that needs a new mock says so.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { ROLLOUT_INTENT_OUTPUT } from "../../components/rollout/guards";
import { FunctionToken, ResourceType } from "../../components/resources";

type State = Record<string, unknown>;

/** Stands for the Grafana instance's URL, which only the provider config (`grafana:url`) knows. */
export const GRAFANA_URL = "<grafana>";

/** How every offline flag trigger URL starts (a secret: tests look for it where it must not be). */
export const OFFLINE_TRIGGER_URL_PREFIX = "https://app.launchdarkly.com/webhook/triggers/offline-";

/** A stack reference: a read of a stack's last outputs, not a resource sent to a provider. */
const STACK_REFERENCE = ResourceType.StackReference;
const GET_FLAG_ENVIRONMENT = FunctionToken.GetFlagEnvironment;

/** What the mock engine answers about the world outside the program: the stack's last deployment and the live flag. */
export interface DeployedState {
  /** The stack outputs of the last completed update; undefined: the stack was never deployed. */
  readonly outputs?: Readonly<Record<string, unknown>> | undefined;
  /** Whether targeting is on in LaunchDarkly now (default: what the last deployment intended). */
  readonly liveOn?: boolean | undefined;
}

/** What each provider would return, by resource type token: the new resource's id and extra state. */
const RESOURCE_OUTPUTS: Record<string, (name: string, inputs: State) => { id: string; state?: State }> = {
  [ResourceType.Flag]: (_name, inputs) => ({
    // The provider's id for a flag is `projectKey/flagKey`.
    id: `${String(inputs.projectKey)}/${String(inputs.key)}`,
  }),
  [ResourceType.FlagEnvironment]: (_name, inputs) => ({
    id: `${String(inputs.flagId)}/${String(inputs.envKey)}`,
  }),
  [ResourceType.FlagTrigger]: (name, inputs) => ({
    id: `${String(inputs.projectKey)}/${String(inputs.envKey)}/${String(inputs.flagKey)}/${suffix(name)}`,
    // LaunchDarkly's trigger URLs are `.../webhook/triggers/<trigger id>/<token>`; this one is a stand-in.
    state: {
      triggerUrl: `${OFFLINE_TRIGGER_URL_PREFIX}${suffix(name)}/${suffix(`token:${name}`)}`,
      maintainerId: "offline",
    },
  }),
  [ResourceType.Folder]: (_name, inputs) => ({ id: String(inputs.uid) }),
  [ResourceType.Dashboard]: (_name, inputs) => {
    const { uid } = JSON.parse(String(inputs.configJson)) as { uid: string };
    // Grafana's id is `<orgId>:<uid>`; its URL is the instance's (the `grafana:url` provider config).
    return { id: `1:${uid}`, state: { uid, url: `${GRAFANA_URL}/d/${uid}` } };
  },
  // The provider's id is `<orgId>:<name>`: Grafana knows a contact point by its name in the org.
  [ResourceType.ContactPoint]: (_name, inputs) => ({ id: `1:${String(inputs.name)}` }),
  [ResourceType.RuleGroup]: (_name, inputs) => ({
    id: `${String(inputs.folderUid)}:${String(inputs.name)}`,
  }),
};

/** Kubernetes resource types the program declares: the provider names unnamed objects `<name>-<suffix>`. */
const KUBERNETES_TYPES = [
  ResourceType.Namespace,
  ResourceType.ServiceAccount,
  ResourceType.ConfigMap,
  ResourceType.KubernetesSecret,
  ResourceType.Service,
  ResourceType.Deployment,
  ResourceType.Autoscaler,
  ResourceType.PodDisruptionBudget,
  ResourceType.ServiceMonitor,
];
for (const type of KUBERNETES_TYPES) {
  RESOURCE_OUTPUTS[type] = (name, inputs) => {
    const metadata = (inputs.metadata ?? {}) as State;
    // Pulumi's auto-name suffix is random; offline it is derived from the name, so runs repeat.
    const objectName = typeof metadata.name === "string" ? metadata.name : `${name}-${suffix(name)}`;
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
    return {
      id: namespace ? `${namespace}/${objectName}` : objectName,
      state: { metadata: { ...metadata, name: objectName } },
    };
  };
}

function suffix(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 8);
}

/** What each provider function would return, by token. */
const CALL_RESULTS: Record<string, (inputs: State) => State> = {
  // The environment's SDK key: a stand-in, never a real key.
  [FunctionToken.GetEnvironment]: (inputs) => ({
    id: `${String(inputs.projectKey)}/${String(inputs.key)}`,
    key: inputs.key,
    projectKey: inputs.projectKey,
    name: inputs.key,
    apiKey: `sdk-offline-${String(inputs.key)}`,
  }),
};

/** Pulumi's marker for a secret value in a deserialized property (see `rpc.specialSigKey`). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as State)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** A resource the program declared, as the mock engine received it. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** Inputs as sent to the provider; secret values keep Pulumi's secret marker. */
  readonly inputs: State;
}

/** Mocks that record every registration, in order, and fail loudly on anything they don't know. */
export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly registered: RegisteredResource[] = [];
  readonly failures: Error[] = [];

  /**
   * `ownStack`: the fully qualified name of the stack being run (`organization/project/stack`), the
   * one stack whose last deployment `deployed` describes.
   */
  constructor(
    private readonly ownStack: string,
    private readonly deployed: DeployedState = {},
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
    const inputs = args.inputs as State;
    if (args.type === STACK_REFERENCE) {
      if (inputs.name !== this.ownStack) {
        return this.fail(
          `stack reference to ${JSON.stringify(inputs.name)}: the offline engine knows only this stack's own last deployment (${this.ownStack})`,
        );
      }
      // Read, not declared: it stays out of `registered`, as it stays out of what `pulumi up` sends.
      return {
        id: this.ownStack,
        state: { name: inputs.name, outputs: this.deployed.outputs ?? {}, secretOutputNames: [] },
      };
    }
    this.registered.push({ type: args.type, name: args.name, custom: args.custom ?? false, inputs });
    if (!args.custom) return { id: undefined, state: inputs };
    const outputs = RESOURCE_OUTPUTS[args.type];
    if (!outputs) {
      return this.fail(`no offline mock for resource type ${args.type}: add one to tools/offline/mocks.ts`);
    }
    const { id, state } = outputs(args.name, inputs);
    return { id, state: { ...inputs, ...state } };
  }

  call(args: pulumi.runtime.MockCallArgs): State {
    if (args.token === GET_FLAG_ENVIRONMENT) return this.liveFlagEnvironment(args.inputs as State);
    const result = CALL_RESULTS[args.token];
    if (!result) return this.fail(`no offline mock for function ${args.token}: add one to tools/offline/mocks.ts`);
    return result(args.inputs as State);
  }

  /** The flag's live targeting, as the data source reads it from LaunchDarkly. */
  private liveFlagEnvironment(inputs: State): State {
    const intent = this.deployed.outputs?.[ROLLOUT_INTENT_OUTPUT] as { targeting?: unknown } | undefined;
    const on = this.deployed.liveOn ?? (intent === undefined ? undefined : intent.targeting === "on");
    if (on === undefined) {
      // Before any deployment the flag may not exist: LaunchDarkly would answer "Flag not found".
      return this.fail(`${GET_FLAG_ENVIRONMENT} read before any deployment recorded an intent: nothing to read`);
    }
    // The provider requires both arguments and reads the flag from `project_key/flag_key`.
    const [project, flag, ...rest] = typeof inputs.flagId === "string" ? inputs.flagId.split("/") : [];
    if (!project || !flag || rest.length > 0 || typeof inputs.envKey !== "string" || inputs.envKey === "") {
      return this.fail(
        `${GET_FLAG_ENVIRONMENT} needs flagId "<project key>/<flag key>" and envKey, as the provider does: got flagId ${JSON.stringify(inputs.flagId)}, envKey ${JSON.stringify(inputs.envKey)}`,
      );
    }
    return {
      id: `${project}/${inputs.envKey}/${flag}`,
      flagId: inputs.flagId,
      envKey: inputs.envKey,
      on,
      offVariation: 1,
      trackEvents: false,
    };
  }

  private fail(message: string): never {
    const error = new Error(message);
    this.failures.push(error);
    throw error;
  }
}
