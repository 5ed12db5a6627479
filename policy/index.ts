// The policy pack `pulumi preview --policy-pack policy` loads: constructing it serves the policies
// to the engine over gRPC (see docs/architecture.md, "Policy pack"). The policies themselves are in policies.ts.
import { PolicyPack } from "@pulumi/policy";
import { POLICIES, POLICY_PACK_ENFORCEMENT, POLICY_PACK_NAME } from "./policies";

new PolicyPack(POLICY_PACK_NAME, {
  description:
    "The stream5-time-crunch stack's invariants: pod security, pinned images, rollout weights, no plain-text credentials, alerts while the flag is on, kill rules that an outage cannot fire, replicas owned by the autoscaler, a protected flag definition.",
  enforcementLevel: POLICY_PACK_ENFORCEMENT,
  policies: POLICIES,
});
