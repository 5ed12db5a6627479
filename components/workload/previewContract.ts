/**
 * The preview endpoint contract (docs/architecture.md, "The preview endpoint contract"): what a
 * request to the planning engine's Time Crunch preview looks like, and what each answer means.
 * `npm run verify` and `npm run load-test` ask the endpoint; this module decides what it said.
 * Pure: no HTTP.
 *
 * `POST <previewUrl>` with `{"targetMinutes": n}` merged with `previewEndpoint.requestBody`;
 * 2xx with a string `strategy` = preview data; a body whose `reason` is `feature_not_available` =
 * the flag is off for this caller; 4xx = a request the engine refuses; 5xx = an error.
 */
import type { PreviewEndpointConfig } from "../config/schema";

/** The planning engine's app name: its Deployment, its Service (the preview URL's host) and its labels. */
export const PLANNING_ENGINE_APP = "planning-engine";

/** The fallback reason of a caller for whom the flag is off. */
export const FEATURE_NOT_AVAILABLE = "feature_not_available";

/** What an answer of the endpoint means under the contract. */
export const PreviewAnswer = {
  /** 2xx with a `strategy`: the feature served this caller. */
  Preview: "preview",
  /** `reason: feature_not_available`: the flag is off for this caller. */
  FeatureNotAvailable: "feature-not-available",
  /** 4xx: a request the engine refuses (e.g. `targetMinutes` out of range). */
  Refused: "refused",
  /** 5xx: an error. */
  Error: "error",
  /** Anything else (a 2xx without a strategy, a 1xx/3xx): not what the contract allows. */
  Unexpected: "unexpected",
} as const;
export type PreviewAnswer = (typeof PreviewAnswer)[keyof typeof PreviewAnswer];

/** One answer, judged. */
export interface JudgedAnswer {
  readonly answer: PreviewAnswer;
  /** The compression strategy of preview data. */
  readonly strategy?: string;
}

/** The request body for `targetMinutes`: the config's extra fields, then the contract's own. */
export function previewRequestBody(endpoint: PreviewEndpointConfig, targetMinutes: number): Record<string, unknown> {
  return { ...endpoint.requestBody, targetMinutes };
}

/** What an answer means: its HTTP status and its body (parsed JSON, or undefined when not JSON). */
export function judgeAnswer(status: number, body: unknown): JudgedAnswer {
  const fields =
    typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  // A fallback can come with any status the engine chooses; its reason decides.
  if (fields.reason === FEATURE_NOT_AVAILABLE) return { answer: PreviewAnswer.FeatureNotAvailable };
  if (status >= 500 && status <= 599) return { answer: PreviewAnswer.Error };
  if (status >= 400 && status <= 499) return { answer: PreviewAnswer.Refused };
  if (status >= 200 && status <= 299 && typeof fields.strategy === "string" && fields.strategy !== "") {
    return { answer: PreviewAnswer.Preview, strategy: fields.strategy };
  }
  return { answer: PreviewAnswer.Unexpected };
}

/** The checklist's edge cases: the bounds answer preview data, one step beyond them is refused (4xx). */
export function edgeCases(endpoint: PreviewEndpointConfig): { targetMinutes: number; expected: PreviewAnswer }[] {
  const { min, max } = endpoint.targetMinutes;
  return [
    { targetMinutes: min, expected: PreviewAnswer.Preview },
    { targetMinutes: max, expected: PreviewAnswer.Preview },
    { targetMinutes: min - 1, expected: PreviewAnswer.Refused },
    { targetMinutes: max + 1, expected: PreviewAnswer.Refused },
  ];
}

/** The `targetMinutes` of the `index`-th request of a load, spread evenly over [min, max]. */
export function spreadTargetMinutes(endpoint: PreviewEndpointConfig, index: number): number {
  const { min, max } = endpoint.targetMinutes;
  return min + (index % (max - min + 1));
}
