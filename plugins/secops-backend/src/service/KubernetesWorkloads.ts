/*
 * The workloads (Deployments, StatefulSets, DaemonSets) of the clusters the
 * Kubernetes plugin is configured with, by the kubernetes-id label that
 * ties them to the catalog, and what the golden-path admission policy
 * (deploy/admission/golden-path-policy.yaml) asks of each: the owner and
 * cost-entity labels on the workload and its pod template, and the
 * security sidecar. A workload running without them was admitted before
 * the policy, in a namespace it does not bind, or under an off-path
 * exception: the scorecard says which.
 */
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { LoggerService } from '@backstage/backend-plugin-api';
import { RefreshingValue } from '@portal/common';
import {
  KUBERNETES_ID_ANNOTATION,
  KubernetesCluster,
  listLabelled,
} from './kubernetesClusters';

/** The labels the admission policy requires (deploy/admission). */
export const OWNER_LABEL = 'portal.acme.example/owner';
export const COST_ENTITY_LABEL = 'portal.acme.example/cost-entity';
/** The container (or native sidecar) the admission policy requires. */
export const SECURITY_SIDECAR = 'security-sidecar';

/** The workload kinds the admission policy matches, by their collection. */
const COLLECTIONS: Array<[kind: string, collection: string]> = [
  ['Deployment', '/apis/apps/v1/deployments'],
  ['StatefulSet', '/apis/apps/v1/statefulsets'],
  ['DaemonSet', '/apis/apps/v1/daemonsets'],
];

/** How long the clusters' workloads are answered before they are read again. */
const WORKLOADS_MAX_AGE_MS = 5 * 60 * 1000;

type Labels = Record<string, string>;
type WorkloadObject = {
  metadata?: { name?: string; namespace?: string; labels?: Labels };
  spec?: {
    template?: {
      metadata?: { labels?: Labels };
      spec?: {
        containers?: Array<{ name?: string }>;
        initContainers?: Array<{ name?: string }>;
      };
    };
  };
};

/** A workload as the check reads it. */
export interface Workload {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
  labels: Labels;
  podLabels: Labels;
  containers: string[];
}

/** What the clusters run, by kubernetes id, and which clusters could not be read. */
export interface WorkloadsByKubernetesId {
  byId: Map<string, Workload[]>;
  unreadable: string[];
}

export class KubernetesWorkloads {
  private readonly value: RefreshingValue<WorkloadsByKubernetesId>;

  constructor(
    private readonly deps: {
      clusters: KubernetesCluster[];
      logger: LoggerService;
      fetch?: typeof fetch;
    },
  ) {
    this.value = new RefreshingValue(() => this.read(), {
      maxAgeMs: WORKLOADS_MAX_AGE_MS,
    });
  }

  get configured(): boolean {
    return this.deps.clusters.length > 0;
  }

  get clusterNames(): string[] {
    return this.deps.clusters.map(c => c.name);
  }

  async byKubernetesId(): Promise<WorkloadsByKubernetesId> {
    return this.value.get();
  }

  private async read(): Promise<WorkloadsByKubernetesId> {
    const byId = new Map<string, Workload[]>();
    const unreadable: string[] = [];
    for (const cluster of this.deps.clusters) {
      let lists: Array<[string, WorkloadObject[]]>;
      try {
        lists = await Promise.all(
          COLLECTIONS.map(
            async ([kind, collection]): Promise<[string, WorkloadObject[]]> => [
              kind,
              await listLabelled<WorkloadObject>(
                cluster,
                collection,
                this.deps.fetch,
              ),
            ],
          ),
        );
      } catch (error) {
        this.deps.logger.warn(
          `Could not read the workloads of cluster ${cluster.name}: ${error}`,
        );
        unreadable.push(cluster.name);
        continue;
      }
      for (const [kind, items] of lists) {
        for (const item of items) {
          const labels = item.metadata?.labels ?? {};
          const id = labels[KUBERNETES_ID_ANNOTATION];
          if (!id) continue;
          const pod = item.spec?.template;
          byId.set(id, [
            ...(byId.get(id) ?? []),
            {
              cluster: cluster.name,
              kind,
              namespace: item.metadata?.namespace ?? '',
              name: item.metadata?.name ?? '',
              labels,
              podLabels: pod?.metadata?.labels ?? {},
              containers: [
                ...(pod?.spec?.containers ?? []),
                ...(pod?.spec?.initContainers ?? []),
              ].map(c => c.name ?? ''),
            },
          ]);
        }
      }
    }
    return { byId, unreadable };
  }
}

/** The cost-entity label's value for an entity: its ref with dots (component.default.cart). */
export function costEntityLabelOf(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `${kind}.${namespace}.${name}`.toLowerCase();
}

/** Where a workload is, for people and for the evidence. */
export const workloadName = (w: Workload) =>
  `${w.kind} ${w.namespace}/${w.name} in ${w.cluster}`;

/**
 * What the admission policy would refuse of a workload today, and where its
 * labels disagree with the catalog (the owner's team, the entity its cost
 * goes to); empty when it is on the path.
 */
export function admissionProblems(
  workload: Workload,
  entity: Entity,
  entityRef: string,
): string[] {
  const problems: string[] = [];
  for (const label of [OWNER_LABEL, COST_ENTITY_LABEL]) {
    const where = [
      label in workload.labels ? undefined : 'the workload',
      label in workload.podLabels ? undefined : 'its pod template',
    ].filter(Boolean);
    if (where.length) problems.push(`no ${label} on ${where.join(' or ')}`);
  }
  if (!workload.containers.includes(SECURITY_SIDECAR)) {
    problems.push(`no ${SECURITY_SIDECAR} container`);
  }
  const owner = entity.spec?.owner
    ? parseEntityRef(String(entity.spec.owner), { defaultKind: 'group' }).name
    : undefined;
  const ownerLabel = workload.labels[OWNER_LABEL];
  if (owner && ownerLabel && ownerLabel.toLowerCase() !== owner.toLowerCase()) {
    problems.push(`${OWNER_LABEL} is ${ownerLabel}, the catalog says ${owner}`);
  }
  const costLabel = workload.labels[COST_ENTITY_LABEL];
  const expected = costEntityLabelOf(entityRef);
  if (costLabel && costLabel.toLowerCase() !== expected) {
    problems.push(`${COST_ENTITY_LABEL} is ${costLabel}, not ${expected}`);
  }
  return problems;
}
