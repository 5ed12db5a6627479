// The API groups one by one: the package's index loads every group of Kubernetes (120 modules),
// a fifth of the offline plan's time (docs/development.md, "The offline plan's speed").
import { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import * as appsV1 from "@pulumi/kubernetes/apps/v1";
import * as autoscalingV2 from "@pulumi/kubernetes/autoscaling/v2";
import * as coreV1 from "@pulumi/kubernetes/core/v1";
import * as policyV1 from "@pulumi/kubernetes/policy/v1";
import * as launchdarkly from "@pulumi/launchdarkly";
import * as pulumi from "@pulumi/pulumi";
import type { PlanningEngineConfig } from "../config/schema";
import { ComponentType } from "../resources";
import { PLANNING_ENGINE_APP } from "./previewContract";

export interface PlanningEngineArgs extends PlanningEngineConfig {
  /** The LaunchDarkly flag the engine evaluates. */
  readonly flagKey: string;
  readonly launchdarklyProject: string;
  /** The LaunchDarkly environment whose SDK key the engine uses. */
  readonly launchdarklyEnvironment: string;
  /** The engine's database URL (a secret). */
  readonly databaseUrl: pulumi.Input<string>;
}

/** The engine's HTTP port: API, health and metrics. */
export const HTTP_PORT = 8080;
/** What the engine serves besides its API (docs/architecture.md, "The planning engine"). */
export const Endpoint = { Live: "/healthz", Ready: "/readyz", Metrics: "/metrics" } as const;

// A non-root user id that exists in no base image, so nothing depends on it.
const RUN_AS_USER = 10001;
const APP = PLANNING_ENGINE_APP;

/**
 * The planning engine that serves the Time Crunch preview endpoint: its configuration and secrets,
 * Deployment, Service, autoscaler and disruption budget. Nothing here reads the rollout settings:
 * a percentage change or the kill switch never restarts a pod.
 */
export class PlanningEngine extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  /** The preview endpoint's in-cluster URL. */
  readonly previewUrl: pulumi.Output<string>;

  constructor(name: string, args: PlanningEngineArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ComponentType.PlanningEngine, name, {}, opts);
    const child = { parent: this };
    const labels = { "app.kubernetes.io/name": APP, "app.kubernetes.io/instance": name };

    const namespace = args.createNamespace
      ? new coreV1.Namespace(
          name,
          {
            metadata: {
              name: args.namespace,
              labels: {
                // The pod below meets the "restricted" Pod Security Standard; make the namespace enforce it.
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
              },
            },
          },
          child,
        ).metadata.name
      : pulumi.output(args.namespace);
    const metadata = { namespace, labels };

    const serviceAccount = new coreV1.ServiceAccount(
      name,
      // The engine calls no Kubernetes API: no token in the pod.
      { metadata, automountServiceAccountToken: false },
      child,
    );

    // Auto-named (no metadata.name): a content change creates a new object under a new name, the
    // Deployment's reference changes with it, and the pods roll. No hash of the secret is needed.
    const settings = new coreV1.ConfigMap(
      name,
      {
        metadata,
        data: {
          FLAG_KEY: args.flagKey,
          LAUNCHDARKLY_ENVIRONMENT: args.launchdarklyEnvironment,
          LOG_LEVEL: args.logLevel,
        },
      },
      child,
    );
    const sdkKey = launchdarkly
      .getEnvironmentOutput({ projectKey: args.launchdarklyProject, key: args.launchdarklyEnvironment }, child)
      .apply((environment) => environment.apiKey);
    const secrets = new coreV1.Secret(
      name,
      {
        metadata,
        type: "Opaque",
        stringData: {
          DATABASE_URL: pulumi.secret(args.databaseUrl),
          LAUNCHDARKLY_SDK_KEY: pulumi.secret(sdkKey),
        },
      },
      child,
    );

    const deployment = new appsV1.Deployment(
      name,
      {
        metadata,
        spec: {
          // No `replicas`: the autoscaler owns the count, and `pulumi up` must not reset it.
          selector: { matchLabels: labels },
          // Never below the desired count during a rollout: new pods first, old ones after.
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: {
              labels,
              // With the operator, the ServiceMonitor below selects the pods: no scrape annotations.
              ...(!args.prometheusOperator && {
                annotations: {
                  "prometheus.io/scrape": "true",
                  "prometheus.io/port": String(HTTP_PORT),
                  "prometheus.io/path": Endpoint.Metrics,
                },
              }),
            },
            spec: {
              serviceAccountName: serviceAccount.metadata.name,
              automountServiceAccountToken: false,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: RUN_AS_USER,
                runAsGroup: RUN_AS_USER,
                fsGroup: RUN_AS_USER,
                seccompProfile: { type: "RuntimeDefault" },
              },
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: "kubernetes.io/hostname",
                  whenUnsatisfiable: "ScheduleAnyway",
                  labelSelector: { matchLabels: labels },
                },
              ],
              containers: [
                {
                  name: APP,
                  image: args.image,
                  ports: [{ name: "http", containerPort: HTTP_PORT, protocol: "TCP" }],
                  envFrom: [
                    { configMapRef: { name: settings.metadata.name } },
                    { secretRef: { name: secrets.metadata.name } },
                  ],
                  resources: args.resources,
                  // Up to 60 s to start (migrations, flag store warm-up) before liveness counts.
                  startupProbe: {
                    httpGet: { path: Endpoint.Live, port: "http" },
                    periodSeconds: 2,
                    failureThreshold: 30,
                  },
                  livenessProbe: {
                    httpGet: { path: Endpoint.Live, port: "http" },
                    periodSeconds: 10,
                    failureThreshold: 3,
                  },
                  readinessProbe: {
                    httpGet: { path: Endpoint.Ready, port: "http" },
                    periodSeconds: 5,
                    failureThreshold: 2,
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    capabilities: { drop: ["ALL"] },
                  },
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: {} }],
            },
          },
        },
      },
      child,
    );

    const service = new coreV1.Service(
      name,
      {
        metadata: { ...metadata, name: APP },
        spec: {
          type: "ClusterIP",
          selector: labels,
          ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
        },
      },
      child,
    );

    new autoscalingV2.HorizontalPodAutoscaler(
      name,
      {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
          minReplicas: args.replicas,
          maxReplicas: args.maxReplicas,
          metrics: [
            {
              type: "Resource",
              resource: {
                name: "cpu",
                target: { type: "Utilization", averageUtilization: args.targetCpuUtilizationPercent },
              },
            },
          ],
        },
      },
      child,
    );

    // At most one pod down by choice at any scale: node drains proceed, one pod at a time.
    new policyV1.PodDisruptionBudget(
      name,
      { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
      child,
    );

    if (args.prometheusOperator) {
      new CustomResource(
        name,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata,
          spec: {
            selector: { matchLabels: labels },
            endpoints: [{ port: "http", path: Endpoint.Metrics, interval: "30s" }],
          },
        },
        { ...child, dependsOn: [service] },
      );
    }

    this.namespace = namespace;
    this.serviceName = service.metadata.name;
    this.previewUrl = pulumi.interpolate`http://${service.metadata.name}.${namespace}.svc.cluster.local${args.previewPath}`;
    // Stryker disable next-line ObjectLiteral,CallExpression: a component's registered outputs reach only the state; index.ts exports the same properties
    this.registerOutputs({ namespace: this.namespace, serviceName: this.serviceName, previewUrl: this.previewUrl });
  }
}
