import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { readAllEntities, trustedProjectSlug } from '@portal/catalog-ownership';
import { DeliverySignal } from '@portal/plugin-sre-common';
import { SreStore } from '../database/SreStore';
import { eachLimited } from '../service/SloEvaluator';
import { computeDora } from './dora';
import { DeliveryClient } from './github';

/** Per entity: which signal counts as a deploy (deployments or releases). */
export const DORA_SIGNAL_ANNOTATION = 'acme.example/dora-signal';
/** The deployment environment that counts (default production). */
export const DORA_ENVIRONMENT_ANNOTATION = 'acme.example/dora-environment';
/** The issue label of incidents (default incident). */
export const DORA_INCIDENT_LABEL_ANNOTATION =
  'acme.example/dora-incident-label';

const SLUG = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

/**
 * Computes the DORA measures of every entity with a github.com/project-slug,
 * from its repository's history, and stores them. A repository that cannot
 * be read keeps its last measures with the error. A slug is only read for an
 * entity registered from that repository, or one an admin allowed
 * (`catalog.trustedProjectSlugs`): anyone can write another team's slug into
 * a catalog-info.yaml.
 */
export class DeliveryTask {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      store: SreStore;
      logger: LoggerService;
      clientFor: (slug: string) => Promise<DeliveryClient>;
      periodDays: number;
      /** Entity refs (lower case) allowed to name another repository. */
      trusted?: ReadonlySet<string>;
    },
  ) {}

  async run(now = new Date()): Promise<{ computed: number; failed: number }> {
    const entities = await readAllEntities(
      this.deps.catalog,
      {
        filter: {
          kind: ['component', 'system'],
          'metadata.annotations.github.com/project-slug': CATALOG_FILTER_EXISTS,
        },
      },
      await this.deps.auth.getOwnServiceCredentials(),
    );
    let computed = 0;
    let failed = 0;
    await eachLimited(entities, 4, async entity => {
      const ref = stringifyEntityRef(entity);
      try {
        await this.compute(entity, now);
        computed += 1;
      } catch (error: any) {
        failed += 1;
        await this.deps.store.saveDeliveryError(ref, error.message);
      }
    });
    if (failed)
      this.deps.logger.warn(
        `Delivery measures of ${failed} entities could not be read from GitHub`,
      );
    return { computed, failed };
  }

  async compute(entity: Entity, now: Date) {
    const annotations = entity.metadata.annotations ?? {};
    const slug = annotations['github.com/project-slug'];
    const m = SLUG.exec(slug ?? '');
    if (!m)
      throw new Error(`github.com/project-slug "${slug}" is not owner/name`);
    const signalValue = annotations[DORA_SIGNAL_ANNOTATION] ?? 'deployments';
    if (signalValue !== 'deployments' && signalValue !== 'releases') {
      throw new Error(
        `${DORA_SIGNAL_ANNOTATION} must be deployments or releases, not ${signalValue}`,
      );
    }
    const signal: DeliverySignal = signalValue;
    const entityRef = stringifyEntityRef(entity);
    if (!trustedProjectSlug(entity, this.deps.trusted, entityRef)) {
      throw new Error(
        `github.com/project-slug "${slug}" is not the repository this entity was registered from; an admin can allow it in catalog.trustedProjectSlugs`,
      );
    }
    const client = await this.deps.clientFor(slug);
    const days = this.deps.periodDays;
    let history;
    try {
      history = await client.history(
        { owner: m[1], repo: m[2] },
        {
          signal,
          environment: annotations[DORA_ENVIRONMENT_ANNOTATION] ?? 'production',
          incidentLabel:
            annotations[DORA_INCIDENT_LABEL_ANNOTATION] ?? 'incident',
          since: new Date(now.getTime() - days * 86_400_000),
        },
      );
    } catch (error: any) {
      const status = error?.status ? ` (${error.status})` : '';
      throw new Error(
        `GitHub could not be read for ${slug}${status}: ${error.message}`,
      );
    }
    await this.deps.store.saveDelivery({
      entityRef,
      ...computeDora(history, signal, days, now),
      computedAt: now.toISOString(),
    });
  }
}
