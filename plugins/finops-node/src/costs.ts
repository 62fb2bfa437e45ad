import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { CostSummary, DefaultApiClient } from '@portal/plugin-finops-common';

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
    const response = await this.client.getEntityCost(
      { path: { kind, namespace, name }, query: { days: request.days ?? 30 } },
      { token },
    );
    if (!response.ok) {
      const status = [response.status, response.statusText]
        .filter(Boolean)
        .join(' ');
      throw new Error(
        `FinOps answered ${status}${await errorMessageOf(response)}`,
      );
    }
    return response.json();
  }
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
