/*
 * Internet-facing services without a recent dynamic scan. A service is
 * internet-facing when its catalog entity says so (the
 * `portal.io/internet-facing: "true"` annotation) or when a Kubernetes
 * Ingress carries its `backstage.io/kubernetes-id` label (read from the
 * clusters the Kubernetes plugin is configured with). It is flagged when no
 * DAST report (ZAP, or a tool named in secops.exposure.dastTools) was
 * uploaded for it within secops.exposure.dastMaxAgeDays (30).
 */
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';
import { RefreshingValue } from '@portal/common';
import { DastExposure } from '@portal/plugin-secops-common';
import { FindingStore } from '../database/types';
import {
  KUBERNETES_ID_ANNOTATION,
  KubernetesCluster,
  listLabelled,
} from './kubernetesClusters';

export const INTERNET_FACING_ANNOTATION = 'portal.io/internet-facing';

const DAY_MS = 24 * 3600 * 1000;
/** How long the clusters' Ingresses are answered before they are read again. */
const INGRESS_MAX_AGE_MS = 5 * 60 * 1000;

type Ingress = {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec?: { rules?: Array<{ host?: string }> };
};

/**
 * Which kubernetes ids an Ingress exposes, and how (`Ingress shop/web
 * (shop.example.com)`), over every configured cluster. A cluster that
 * cannot be read is logged and left out until the next read.
 */
export class KubernetesIngresses {
  private readonly value: RefreshingValue<Map<string, string[]>>;

  constructor(
    private readonly deps: {
      clusters: KubernetesCluster[];
      logger: LoggerService;
      fetch?: typeof fetch;
    },
  ) {
    this.value = new RefreshingValue(() => this.read(), {
      maxAgeMs: INGRESS_MAX_AGE_MS,
    });
  }

  get configured(): boolean {
    return this.deps.clusters.length > 0;
  }

  async byKubernetesId(): Promise<Map<string, string[]>> {
    return this.configured ? this.value.get() : new Map();
  }

  private async read(): Promise<Map<string, string[]>> {
    const exposed = new Map<string, string[]>();
    for (const cluster of this.deps.clusters) {
      let ingresses: Ingress[];
      try {
        ingresses = await listLabelled<Ingress>(
          cluster,
          '/apis/networking.k8s.io/v1/ingresses',
          this.deps.fetch,
        );
      } catch (error) {
        this.deps.logger.warn(
          `Could not read the Ingresses of cluster ${cluster.name}: ${error}`,
        );
        continue;
      }
      for (const ingress of ingresses) {
        const id = ingress.metadata?.labels?.[KUBERNETES_ID_ANNOTATION];
        if (!id) continue;
        const hosts = (ingress.spec?.rules ?? [])
          .map(rule => rule.host)
          .filter((host): host is string => !!host);
        const where = `Ingress ${ingress.metadata?.namespace ?? ''}/${
          ingress.metadata?.name ?? ''
        } in ${cluster.name}${hosts.length ? ` (${hosts.join(', ')})` : ''}`;
        exposed.set(id, [...(exposed.get(id) ?? []), where]);
      }
    }
    return exposed;
  }
}

export interface DastExposureOptions {
  /** Days after which a DAST scan no longer counts. */
  maxAgeDays: number;
  /** Tools whose reports are dynamic scans, besides ZAP-format reports. */
  dastTools: string[];
}

export function readDastExposureOptions(config: Config): DastExposureOptions {
  return {
    maxAgeDays:
      config.getOptionalNumber('secops.exposure.dastMaxAgeDays') ?? 30,
    dastTools: config.getOptionalStringArray('secops.exposure.dastTools') ?? [
      'zap',
    ],
  };
}

/** Where each entity stands: internet-facing or not, and its last DAST scan. */
export class DastExposureService {
  constructor(
    private readonly deps: {
      findings: Pick<FindingStore, 'lastScans'>;
      ingresses: KubernetesIngresses;
      options: DastExposureOptions;
    },
  ) {}

  /** Why the entity is internet-facing; empty when it is not. */
  reasons(entity: Entity, ingresses: Map<string, string[]>): string[] {
    const annotations = entity.metadata.annotations ?? {};
    const reasons: string[] = [];
    if (annotations[INTERNET_FACING_ANNOTATION]?.trim() === 'true') {
      reasons.push(`annotation ${INTERNET_FACING_ANNOTATION}`);
    }
    const id = annotations[KUBERNETES_ID_ANNOTATION];
    if (id) {
      reasons.push(...(ingresses.get(id) ?? []));
    }
    return reasons;
  }

  /**
   * The exposure of each entity (by entity ref, as given). Entities that
   * are not internet-facing are left out.
   */
  async exposures(
    entities: Array<{ ref: string; entity: Entity }>,
    now: Date,
  ): Promise<Map<string, DastExposure>> {
    const ingresses = await this.deps.ingresses.byKubernetesId();
    const facing = entities
      .map(({ ref, entity }) => ({
        ref,
        reasons: this.reasons(entity, ingresses),
      }))
      .filter(e => e.reasons.length > 0);
    const lastScans = await this.deps.findings.lastScans(
      facing.map(e => e.ref),
      { formats: ['zap'], tools: this.deps.options.dastTools },
    );
    const since = now.getTime() - this.deps.options.maxAgeDays * DAY_MS;
    return new Map(
      facing.map(({ ref, reasons }) => {
        const last = lastScans.get(ref);
        return [
          ref,
          {
            internetFacing: true,
            reasons,
            lastDastScanAt: last?.toISOString(),
            dastMaxAgeDays: this.deps.options.maxAgeDays,
            dastMissing: !last || last.getTime() < since,
          },
        ];
      }),
    );
  }
}
