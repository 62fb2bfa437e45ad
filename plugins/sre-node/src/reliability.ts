import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { bodyOf } from '@portal/common';
import { DefaultApiClient, SloBriefs } from '@portal/plugin-sre-common';

/** The most entities the SRE backend answers for in one call. */
export const SLO_BRIEFS_MAX_ENTITIES = 500;

/**
 * What other backend plugins read of SRE, typed by its OpenAPI spec.
 *
 * @public
 */
export interface SreReliabilityService {
  /**
   * The SLOs of any number of entities in brief (name, status, budget
   * left), as SRE's `POST /slos/by-entity` answers them, asked for in
   * parts of SLO_BRIEFS_MAX_ENTITIES with a plugin-to-plugin token on
   * behalf of `credentials`. Entities the caller may not see, or the
   * catalog does not have, are left out and counted in `hidden`. Throws
   * when SRE cannot be reached, or its error (a ResponseError) when it
   * does not answer 200.
   */
  sloBriefs(
    request: { entityRefs: string[] },
    options: { credentials: BackstageCredentials },
  ): Promise<SloBriefs>;
}

/**
 * SRE through its generated client: the discovery service finds it, and
 * each call carries a token for SRE on behalf of the caller's credentials.
 *
 * @public
 */
export class DefaultSreReliabilityService implements SreReliabilityService {
  private readonly client: DefaultApiClient;

  constructor(
    private readonly deps: {
      auth: AuthService;
      discovery: DiscoveryService;
      fetchApi?: { fetch: typeof fetch };
    },
  ) {
    this.client = new DefaultApiClient({
      discoveryApi: deps.discovery,
      fetchApi: deps.fetchApi,
    });
  }

  async sloBriefs(
    request: { entityRefs: string[] },
    options: { credentials: BackstageCredentials },
  ): Promise<SloBriefs> {
    const refs = [...new Set(request.entityRefs)];
    const answer: SloBriefs = { items: [], hidden: 0 };
    for (let i = 0; i < refs.length; i += SLO_BRIEFS_MAX_ENTITIES) {
      const { token } = await this.deps.auth.getPluginRequestToken({
        onBehalfOf: options.credentials,
        targetPluginId: 'sre',
      });
      const part = await bodyOf(
        this.client.listSloBriefs(
          {
            body: { entityRefs: refs.slice(i, i + SLO_BRIEFS_MAX_ENTITIES) },
          },
          { token },
        ),
      );
      answer.items.push(...part.items);
      answer.hidden += part.hidden;
    }
    return answer;
  }
}

/**
 * SRE's reliability data for other backend plugins, one per plugin (each
 * calls with its own tokens).
 *
 * @public
 */
export const sreReliabilityServiceRef = createServiceRef<SreReliabilityService>(
  {
    id: 'sre.reliability',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { auth: coreServices.auth, discovery: coreServices.discovery },
        factory: ({ auth, discovery }) =>
          new DefaultSreReliabilityService({ auth, discovery }),
      }),
  },
);
