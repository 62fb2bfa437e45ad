import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Octokit } from '@octokit/rest';
import { entityPages, trustedProjectSlug } from '@portal/catalog-ownership';
import { FindingStore } from '../database/types';
import {
  AlertsClient,
  octokitAlertsClient,
  PROJECT_SLUG_ANNOTATION,
  pullAlerts,
} from './GithubAlertsSource';

const TOOLS = {
  codeScanning: 'github-code-scanning',
  dependabot: 'github-dependabot',
} as const;

/**
 * The entities an admin allowed to name a repository they were not
 * registered from (`catalog.trustedProjectSlugs`, entity refs), lower case.
 */
export function trustedProjectSlugEntities(config: Config): Set<string> {
  return new Set(
    (config.getOptionalStringArray('catalog.trustedProjectSlugs') ?? []).map(
      ref => ref.toLowerCase(),
    ),
  );
}

/**
 * Pulls GitHub code-scanning and Dependabot alerts for every entity with a
 * github.com/project-slug annotation that it may read (the repository it was
 * registered from, or allowed in `catalog.trustedProjectSlugs`), on the
 * schedule in
 * `secops.github.schedule`, into the same findings as uploads. Runs on one
 * replica at a time (global scope).
 */
export async function scheduleGithubAlerts(options: {
  config: Config;
  scheduler: SchedulerService;
  catalog: CatalogService;
  auth: AuthService;
  store: FindingStore;
  logger: LoggerService;
  /** For tests: a client for a repository instead of Octokit. */
  clientFor?: (slug: string) => Promise<AlertsClient>;
}) {
  const scheduleConfig = options.config.getOptionalConfig(
    'secops.github.schedule',
  );
  if (!scheduleConfig) {
    return;
  }
  const integrations = ScmIntegrations.fromConfig(options.config);
  const credentials =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  const clientFor =
    options.clientFor ??
    (async (slug: string) => {
      const url = `https://github.com/${slug}`;
      const { token } = await credentials.getCredentials({ url });
      const baseUrl = integrations.github.byUrl(url)?.config.apiBaseUrl;
      return octokitAlertsClient(new Octokit({ auth: token, baseUrl }));
    });

  // Backstage's schedule shape (frequency, timeout, …); the older
  // frequencyMinutes and timeoutMinutes are still read when it is not used.
  const schedule: SchedulerServiceTaskScheduleDefinition = scheduleConfig.has(
    'frequency',
  )
    ? {
        ...readSchedulerServiceTaskScheduleDefinitionFromConfig(scheduleConfig),
        // On one replica, whatever the configuration says.
        scope: 'global',
      }
    : {
        frequency: {
          minutes: scheduleConfig.getOptionalNumber('frequencyMinutes') ?? 60,
        },
        timeout: {
          minutes: scheduleConfig.getOptionalNumber('timeoutMinutes') ?? 15,
        },
        initialDelay: { seconds: 30 },
        scope: 'global',
      };

  await options.scheduler.scheduleTask({
    id: 'secops-github-alerts',
    ...schedule,
    fn: async () => {
      await pullAllGithubAlerts({
        ...options,
        clientFor,
        trusted: trustedProjectSlugEntities(options.config),
      });
    },
  });
}

/**
 * One pass over every annotated entity. An entity whose slug names a
 * repository it was not registered from (anyone can write another team's
 * slug into a catalog-info.yaml) is skipped without asking GitHub, unless
 * its ref is in `trusted`.
 */
export async function pullAllGithubAlerts(options: {
  catalog: CatalogService;
  auth: AuthService;
  store: FindingStore;
  logger: LoggerService;
  clientFor: (slug: string) => Promise<AlertsClient>;
  /** Entity refs (lower case) allowed to name another repository. */
  trusted?: ReadonlySet<string>;
}) {
  const { catalog, auth, store, logger } = options;
  let pulled = 0;
  let skipped = 0;
  const pages = entityPages(
    catalog,
    {
      filter: {
        [`metadata.annotations.${PROJECT_SLUG_ANNOTATION}`]:
          CATALOG_FILTER_EXISTS,
      },
      fields: ['kind', 'metadata'],
    },
    await auth.getOwnServiceCredentials(),
  );
  for await (const page of pages) {
    for (const entity of page) {
      const claimed = entity.metadata.annotations?.[PROJECT_SLUG_ANNOTATION];
      const entityRef = stringifyEntityRef(entity);
      const slug = trustedProjectSlug(entity, options.trusted, entityRef);
      if (!slug) {
        skipped += 1;
        logger.warn(
          `Not pulling GitHub alerts for ${entityRef}: its github.com/project-slug (${claimed}) is not the repository it was registered from; an admin can allow it in catalog.trustedProjectSlugs`,
        );
        continue;
      }
      try {
        const alerts = await pullAlerts(
          await options.clientFor(slug),
          slug,
          logger,
        );
        for (const source of ['codeScanning', 'dependabot'] as const) {
          const findings = alerts[source];
          if (!findings) continue;
          await store.ingest(
            {
              entityRef,
              tool: TOOLS[source],
              format: 'github',
              uploadedBy: 'service:secops-github-alerts',
              reportSha256: '-',
              findings,
            },
            new Date(),
          );
        }
        pulled += 1;
      } catch (error) {
        logger.warn(
          `Could not pull GitHub alerts for ${entityRef} (${slug}): ${
            (error as Error).message
          }`,
        );
      }
    }
  }
  logger.info(
    `Pulled GitHub alerts for ${pulled} entities${
      skipped ? ` (${skipped} skipped: slug not their repository)` : ''
    }`,
  );
}
