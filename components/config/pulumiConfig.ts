/**
 * The program's config, read from Pulumi: the only reader of `pulumi.Config` in the program. It
 * validates through the schema (`schema.ts`) and keeps the secret keys as secret Outputs, so they
 * stay secrets from config to provider.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  configInput,
  parseStackConfig,
  PROJECT,
  STACK_CONFIG_ERROR,
  StackConfigError,
  type ParsedConfig,
  type SecretKey,
} from "./schema";

/** The validated stack config. Secrets are Outputs marked secret; nothing else is. */
export type ProgramConfig = Omit<ParsedConfig, SecretKey> & {
  readonly [K in SecretKey]: pulumi.Output<string>;
};

/**
 * Invalid stack config, as the program stops on it: a `RunError`, so `pulumi up` prints the
 * schema's message (every bad key, what is allowed) without a stack trace; and, by its mark, a
 * `StackConfigError` to the tools (`error instanceof StackConfigError`).
 */
export class InvalidStackConfig extends pulumi.RunError {
  readonly [STACK_CONFIG_ERROR] = true;
  override readonly name = "InvalidStackConfig";
  readonly problems: readonly string[];

  constructor(cause: StackConfigError) {
    super(cause.message);
    this.problems = cause.problems;
  }
}

/**
 * Reads and validates this stack's config. Call it before declaring any resource: a bad value
 * stops the program with every problem listed and nothing declared.
 */
export function loadStackConfig(): ProgramConfig {
  const config = new pulumi.Config(PROJECT);
  let parsed: ParsedConfig;
  try {
    // Secret keys count only as present here: their values stay inside the secret Outputs below.
    parsed = parseStackConfig(configInput(pulumi.runtime.allConfig()));
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: equivalent, the schema throws nothing else
    if (error instanceof StackConfigError) throw new InvalidStackConfig(error);
    throw error;
  }
  return {
    ...parsed,
    databaseUrl: config.requireSecret("databaseUrl"),
    slackWebhookUrl: config.requireSecret("slackWebhookUrl"),
  };
}
