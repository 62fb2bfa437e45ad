import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { parseEntityRef } from '@backstage/catalog-model';
import { CostReader } from './economics';

/**
 * Reads a product's monthly cost from the FinOps backend as this plugin (a
 * service call): product totals, whoever the FinOps policy would show the
 * per-team detail to.
 */
export function finopsCostReader(deps: {
  auth: AuthService;
  discovery: DiscoveryService;
}): CostReader {
  return async entityRef => {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const { token } = await deps.auth.getPluginRequestToken({
      onBehalfOf: await deps.auth.getOwnServiceCredentials(),
      targetPluginId: 'finops',
    });
    const baseUrl = await deps.discovery.getBaseUrl('finops');
    const response = await fetch(
      `${baseUrl}/entities/${[kind, namespace, name]
        .map(encodeURIComponent)
        .join('/')}/cost?days=30`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const body = await response.json();
    return {
      currency: body.currency,
      monthly: body.monthly,
      demo: body.demo,
    };
  };
}
