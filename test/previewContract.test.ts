/** The preview endpoint contract (components/workload/previewContract.ts): answers and requests. */
import { describe, expect, it } from "vitest";
import { StackConfigSchema } from "../components/config/schema";
import {
  edgeCases,
  judgeAnswer,
  PreviewAnswer,
  previewRequestBody,
  spreadTargetMinutes,
} from "../components/workload/previewContract";
import { cases } from "./support/cases";

const endpoint = StackConfigSchema.shape.previewEndpoint.parse(undefined);

describe("judgeAnswer", () => {
  it.each(
    cases([
      [200, { strategy: "compress_intervals" }, { answer: "preview", strategy: "compress_intervals" }],
      [201, { strategy: "drop_accessories", plan: [] }, { answer: "preview", strategy: "drop_accessories" }],
      [200, { reason: "feature_not_available" }, { answer: "feature-not-available" }],
      [403, { reason: "feature_not_available" }, { answer: "feature-not-available" }],
      [400, { error: "targetMinutes out of range" }, { answer: "refused" }],
      [422, undefined, { answer: "refused" }],
      [500, { strategy: "compress_intervals" }, { answer: "error" }],
      [503, undefined, { answer: "error" }],
      [200, {}, { answer: "unexpected" }],
      [200, { strategy: "" }, { answer: "unexpected" }],
      [200, { strategy: 3 }, { answer: "unexpected" }],
      [200, ["compress_intervals"], { answer: "unexpected" }],
      [302, { strategy: "x" }, { answer: "unexpected" }],
      [600, undefined, { answer: "unexpected" }],
    ] as [number, unknown, object][]),
  )("HTTP %d with %j: %j", (status, body, judged) => {
    expect(judgeAnswer(status, body)).toEqual(judged);
  });
});

describe("requests", () => {
  it("put targetMinutes last, over the config's extra fields", () => {
    expect(previewRequestBody(endpoint, 30)).toEqual({ targetMinutes: 30 });
    expect(previewRequestBody({ ...endpoint, requestBody: { athleteId: "qa-1", targetMinutes: 1 } }, 30)).toEqual({
      athleteId: "qa-1",
      targetMinutes: 30,
    });
  });

  it("test the bounds and one beyond each", () => {
    expect(edgeCases(endpoint)).toEqual([
      { targetMinutes: 10, expected: PreviewAnswer.Preview },
      { targetMinutes: 240, expected: PreviewAnswer.Preview },
      { targetMinutes: 9, expected: PreviewAnswer.Refused },
      { targetMinutes: 241, expected: PreviewAnswer.Refused },
    ]);
  });

  it("spread a load over the whole range, both bounds included", () => {
    const small = { targetMinutes: { min: 10, max: 13 } };
    expect([0, 1, 2, 3, 4, 5].map((i) => spreadTargetMinutes(small, i))).toEqual([10, 11, 12, 13, 10, 11]);
  });
});
