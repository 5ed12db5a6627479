import { describe, expect, it } from "vitest";
import { durationSeconds, formatPercent, metricContract } from "../components/observability/metrics";
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

describe("durationSeconds", () => {
  it.each(
    cases([
      ["0s", 0],
      ["30s", 30],
      ["5m", 300],
      ["24h", 86_400],
      ["2d", 172_800],
    ]),
  )("%s is %s seconds", (duration, seconds) => {
    expect(durationSeconds(duration)).toBe(seconds);
  });

  it.each(cases(["x5m", "5mx", "05m", "5", "m", "5 m", "1h30m", "1w", ""]))("%j is not a duration", (duration) => {
    expect(durationSeconds(duration)).toBeUndefined();
  });
});
