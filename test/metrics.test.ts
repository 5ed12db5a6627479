import { describe, expect, it } from "vitest";
import { formatPercent, metricContract } from "../components/metrics";
import { cases } from "./support/cases";

describe("metricContract", () => {
  it("names the contract's metrics under the default prefix, and under another", () => {
    expect(metricContract()).toEqual({
      previewRequests: "stream5_time_crunch_preview_requests_total",
      previewDuration: "stream5_time_crunch_preview_duration_seconds",
      timeConstraint: "stream5_time_crunch_time_constraint_total",
      fallbacks: "stream5_time_crunch_fallbacks_total",
    });
    expect(metricContract("tc:v2").previewRequests).toBe("tc:v2_preview_requests_total");
  });

  it.each(cases(["1stream5", "stream-5", "", " stream5", "stream5 "]))(
    "refuses %j, which is not a Prometheus metric name",
    (prefix) => {
      expect(() => metricContract(prefix)).toThrow(
        `metric prefix ${JSON.stringify(prefix)} is not a Prometheus metric name`,
      );
    },
  );
});

describe("formatPercent", () => {
  it.each(
    cases([
      [0.1, "10%"],
      [0.9, "90%"],
      [0.125, "12.5%"],
      [0.0004, "0%"],
      [0.9999, "100%"],
    ]),
  )("%s -> %s", (ratio, text) => {
    expect(formatPercent(ratio)).toBe(text);
  });
});
