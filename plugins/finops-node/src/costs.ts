import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  AttributedCost,
  CostSummary,
  DefaultApiClient,
} from '@portal/plugin-finops-common';

/** The most entities FinOps answers attributed spend for in one call. */
export const ATTRIBUTED_COST_MAX_ENTITIES = 500;

/**
 * What other backend plugins read of FinOps, typed by its OpenAPI spec.
 *
 * @public
 */
export interface FinopsCostsService {
  /**
   * An entity's cost over the last `days` days (30 when absent), as FinOps'
   * `GET /entities/{kind}/{namespace}/{name}/cost` answers it, read with a
   * plugin-to-plugin token on behalf of `credentials` (the policy decides
   * with them). Throws when FinOps cannot be reached or does not answer 200.
   */
  getEntityCost(
    request: {
      entity: { kind: string; namespace: string; name: string };
      days?: number;
    },
    options: { credentials: BackstageCredentials },
  ): Promise<CostSummary>;

  /**
   * The spend attributed to any number of entities over the last `days`
   * days (30 when absent), as FinOps' `POST /entities/attributed-cost`
   * answers it, asked for in parts of ATTRIBUTED_COST_MAX_ENTITIES on
   * behalf of `credentials`. Entities the caller may not see, or the
   * catalog does not have, are left out and counted in `hidden`. Throws as
   * getEntityCost does, and for an empty list.
   */
  getAttributedCost(
    request: { entityRefs: string[]; days?: number },
    options: { credentials: BackstageCredentials },
  ): Promise<AttributedCost>;
}

/**
 * FinOps through its generated client: the discovery service finds it, and
 * each call carries a token for FinOps on behalf of the caller's
 * credentials.
 *
 * @public
 */
export class DefaultFinopsCostsService implements FinopsCostsService {
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

  async getEntityCost(
    request: {
      entity: { kind: string; namespace: string; name: string };
      days?: number;
    },
    options: { credentials: BackstageCredentials },
  ): Promise<CostSummary> {
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: options.credentials,
      targetPluginId: 'finops',
    });
    const { kind, namespace, name } = request.entity;
    return bodyOf(
      await this.client.getEntityCost(
        {
          path: { kind, namespace, name },
          query: { days: request.days ?? 30 },
        },
        { token },
      ),
    );
  }

  async getAttributedCost(
    request: { entityRefs: string[]; days?: number },
    options: { credentials: BackstageCredentials },
  ): Promise<AttributedCost> {
    const refs = [...new Set(request.entityRefs)];
    if (!refs.length)
      throw new Error('Ask for the cost of at least one entity');
    let answer: AttributedCost | undefined;
    for (let i = 0; i < refs.length; i += ATTRIBUTED_COST_MAX_ENTITIES) {
      const { token } = await this.deps.auth.getPluginRequestToken({
        onBehalfOf: options.credentials,
        targetPluginId: 'finops',
      });
      const part = await bodyOf(
        await this.client.listAttributedCost(
          {
            query: { days: request.days ?? 30 },
            body: {
              entityRefs: refs.slice(i, i + ATTRIBUTED_COST_MAX_ENTITIES),
            },
          },
          { token },
        ),
      );
      answer = answer
        ? {
            ...answer,
            items: [...answer.items, ...part.items],
            hidden: answer.hidden + part.hidden,
          }
        : part;
    }
    return answer!;
  }
}

/**
 * The body of FinOps' answer when it is 200; otherwise an error with its
 * status and Backstage's error message, when the body has one.
 */
async function bodyOf<T>(response: {
  ok: boolean;
  status: number;
  statusText: string;
  json(): Promise<T>;
  text(): Promise<string>;
}): Promise<T> {
  if (response.ok) return response.json();
  const status = [response.status, response.statusText]
    .filter(Boolean)
    .join(' ');
  throw new Error(`FinOps answered ${status}${await errorMessageOf(response)}`);
}

/** ": <message>" of Backstage's error body, when the response has one. */
async function errorMessageOf(response: {
  text(): Promise<string>;
}): Promise<string> {
  try {
    const message = JSON.parse(await response.text())?.error?.message;
    return typeof message === 'string' ? `: ${message}` : '';
  } catch {
    return '';
  }
}

/**
 * FinOps' cost for other backend plugins, one per plugin (each calls with
 * its own tokens).
 *
 * @public
 */
export const finopsCostsServiceRef = createServiceRef<FinopsCostsService>({
  id: 'finops.costs',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { auth: coreServices.auth, discovery: coreServices.discovery },
      factory: ({ auth, discovery }) =>
        new DefaultFinopsCostsService({ auth, discovery }),
    }),
});
