/**
 * The stand-in preview service follows the contract the tools judge by, and a real Prometheus
 * scrapes what it exports: the ground the verify and load-test suites stand on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StackConfigSchema } from "../components/config/schema";
import { judgeAnswer, previewRequestBody } from "../components/workload/previewContract";
import { startPrometheus, type LocalPrometheus } from "./support/localPrometheus";
import { startPreviewService, type PreviewService } from "./support/previewService";

const endpoint = StackConfigSchema.shape.previewEndpoint.parse(undefined);

async function ask(service: PreviewService, targetMinutes: number) {
  const response = await fetch(service.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(previewRequestBody(endpoint, targetMinutes)),
  });
  return judgeAnswer(response.status, await response.json());
}

let service: PreviewService;
let prometheus: LocalPrometheus;
beforeAll(async () => {
  service = await startPreviewService({ errorShare: 0.25 });
  prometheus = await startPrometheus([], { scrapeTargets: [service.target] });
});
afterAll(async () => {
  await prometheus.stop();
  await service.stop();
});

describe("the stand-in preview service", () => {
  it("answers preview data, refusals and errors as the contract says", async () => {
    const answers = [];
    for (const minutes of [10, 240, 9, 241, 30, 60, 90, 120]) answers.push((await ask(service, minutes)).answer);
    expect(answers.filter((a) => a === "refused")).toHaveLength(2);
    expect(answers.filter((a) => a === "error")).toHaveLength(1);
    expect(answers.filter((a) => a === "preview")).toHaveLength(5);
  });

  it("is scraped by a real Prometheus within a few seconds", async () => {
    const until = Date.now() + 15_000;
    let total = 0;
    while (Date.now() < until && total < 6) {
      const response = await fetch(
        `${prometheus.url}/api/v1/query?query=${encodeURIComponent("sum(stream5_time_crunch_preview_requests_total)")}`,
      );
      const json = (await response.json()) as { data: { result: { value: [number, string] }[] } };
      total = Number(json.data.result[0]?.value[1] ?? 0);
      if (total < 6) await new Promise((done) => setTimeout(done, 500));
    }
    expect(total).toBe(6);
  });
});
