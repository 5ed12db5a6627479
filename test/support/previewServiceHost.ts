/**
 * A process that hosts stand-in preview services (test/support/previewService.ts) for a parent
 * that loads them: started by previewServiceProcess.ts over an IPC channel, never run by hand.
 */
import { startPreviewService, type PreviewFaults, type PreviewService } from "./previewService";

/** What the parent asks: start a service, or one service's record (whole, or its length). */
export type HostAsk =
  | { readonly op: "start"; readonly faults: PreviewFaults }
  | { readonly op: "requests" | "count"; readonly service: number };
type HostRequest = HostAsk & { readonly id: number };

const services: PreviewService[] = [];

async function answer(message: HostRequest): Promise<unknown> {
  if (message.op === "start") {
    const service = await startPreviewService(message.faults);
    services.push(service);
    return { service: services.length - 1, url: service.url, target: service.target };
  }
  const { requests } = services[message.service]!;
  return message.op === "count" ? requests.length : requests;
}

process.on("message", (message: HostRequest) => {
  void answer(message).then(
    (value) => process.send!({ id: message.id, value }),
    (error: unknown) => process.send!({ id: message.id, error: String(error) }),
  );
});
// The parent gone, nothing is left to serve.
process.on("disconnect", () => process.exit(0));
process.send!({ ready: true });
