/**
 * The policy pack as the Pulumi CLI runs it, minus the CLI: the Pulumi SDK's policy-pack runner
 * (`@pulumi/pulumi/cmd/run-policy-pack`, what the Node language host starts for
 * `--policy-pack policy`) in a child process, working directory `policy/`, and a gRPC client that
 * sends it what the engine sends: resources with their properties, secrets marked, and options.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { PROJECT_DIR } from "../../components/config/stackFile";

// google-protobuf ships no typings; the two classes this client builds, as it uses them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Empty } = require("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };

/** A resource as the engine describes it to an analyzer. */
export interface EngineResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Properties as the engine marshals them: secrets keep Pulumi's secret marker. */
  readonly properties: Record<string, unknown>;
  readonly protect: boolean;
}

export interface Diagnostic {
  readonly policy: string;
  readonly urn: string;
  readonly message: string;
}

const POLICY_DIR = join(PROJECT_DIR, "policy");
const RUNNER = join(PROJECT_DIR, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
/** How long the pack may take to start (the runner compiles it with ts-node). */
const START_TIMEOUT_MS = 60_000;
/** How long one analysis may take. */
const CALL_TIMEOUT_MS = 10_000;

/** The setters an Analyze request and a stack resource share. */
interface ResourceMessage {
  setUrn(value: string): unknown;
  setType(value: string): unknown;
  setName(value: string): unknown;
  setProperties(value: never): unknown;
  setOptions(value: analyzer.AnalyzerResourceOptions): unknown;
}

/** Fills `message` with the resource, as the engine does. */
function describing<T extends ResourceMessage>(message: T, resource: EngineResource): T {
  message.setUrn(resource.urn);
  message.setType(resource.type);
  message.setName(resource.name);
  message.setProperties(Struct.fromJavaScript(resource.properties) as never);
  const options = new analyzer.AnalyzerResourceOptions();
  options.setProtect(resource.protect);
  message.setOptions(options);
  return message;
}

function diagnosticsOf(response: analyzer.AnalyzeResponse): Diagnostic[] {
  return response.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    urn: d.getUrn(),
    // The SDK prefixes the policy's description; the policy's own message is the last line.
    message: d.getMessage().split("\n").at(-1) ?? "",
  }));
}

/** Call options that bound each call. */
const bounded = () => [new grpc.Metadata(), { deadline: Date.now() + CALL_TIMEOUT_MS }] as const;

export class PolicyPackServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: analyzerRpc.AnalyzerClient,
  ) {}

  /** Starts the pack and waits (bounded) for the port it serves on. */
  static async start(): Promise<PolicyPackServer> {
    // The runner's arguments as the language host passes them: the engine's address, the pack.
    const child = spawn(process.execPath, [RUNNER, "127.0.0.1:0", POLICY_DIR], { cwd: POLICY_DIR });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => {
        reject(new Error(`the policy pack did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
      }, START_TIMEOUT_MS);
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const port = /^(\d+)\n/.exec(stdout)?.[1];
        if (port === undefined) return;
        clearTimeout(timer);
        resolve(port);
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the policy pack exited with ${String(code)}: ${stderr}`));
      });
    }).catch((error: unknown) => {
      child.kill();
      throw error;
    });
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackServer(child, client);
  }

  /** The pack's name and its policies' names with their enforcement levels. */
  info(): Promise<{ name: string; policies: [string, string][] }> {
    return new Promise((resolve, reject) => {
      this.client.getAnalyzerInfo(new Empty() as never, ...bounded(), (error, info) => {
        if (error) {
          reject(error);
          return;
        }
        const levels = ["advisory", "mandatory", "disabled", "remediate"];
        resolve({
          name: info.getName(),
          policies: info.getPoliciesList().map((p) => [p.getName(), levels[p.getEnforcementlevel()] ?? "?"]),
        });
      });
    });
  }

  /** Analyze: one resource's inputs, before it is changed (resource policies). */
  analyze(resource: EngineResource): Promise<Diagnostic[]> {
    const request = describing(new analyzer.AnalyzeRequest(), resource);
    return new Promise((resolve, reject) => {
      this.client.analyze(request, ...bounded(), (error, response) => {
        if (error) reject(error);
        else resolve(diagnosticsOf(response));
      });
    });
  }

  /** AnalyzeStack: every resource of the stack (stack policies). */
  analyzeStack(resources: readonly EngineResource[]): Promise<Diagnostic[]> {
    const request = new analyzer.AnalyzeStackRequest();
    request.setResourcesList(resources.map((resource) => describing(new analyzer.AnalyzerResource(), resource)));
    return new Promise((resolve, reject) => {
      this.client.analyzeStack(request, ...bounded(), (error, response) => {
        if (error) reject(error);
        else resolve(diagnosticsOf(response));
      });
    });
  }

  close(): void {
    this.client.close();
    this.child.kill();
  }
}
