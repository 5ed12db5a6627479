/**
 * What a pinned container image reference is. Pure: the stack config checks the planning engine's
 * image with it, and the policy pack checks every container of every pod template.
 */

/**
 * A container image pinned to a version: `registry/name:tag` with a tag other than `latest`, or
 * `registry/name@sha256:<digest>`. An unpinned image would change under a running rollout.
 */
export const PINNED_IMAGE =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::(?!latest$)[A-Za-z0-9_][A-Za-z0-9._-]{0,127}(?:@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/;
