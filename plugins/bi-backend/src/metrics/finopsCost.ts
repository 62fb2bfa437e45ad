import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError, ServiceUnavailableError } from '@backstage/errors';
import { parseEntityRef } from '@backstage/catalog-model';
import { z } from 'zod/v3';
import { CostReader } from './economics';

/** The part of FinOps' entity cost answer that BI reads, checked. */
const entityCost = z.object({
  currency: z.string(),
  monthly: z.array(z.object({ period: z.string(), amount: z.number() })),
  demo: z.boolean().default(false),
});

/**
 * Reads a product's monthly cost from the FinOps backend as this plugin (a
 * service call): product totals, whoever the FinOps policy would show the
 * per-team detail to. When FinOps cannot answer, or answers with a body of
 * another shape, the economics request gets 503 saying so (never FinOps'
 * own status, which would read as if the product were missing).
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
    let body: unknown;
    try {
      const response = await fetch(
        `${baseUrl}/entities/${[kind, namespace, name]
          .map(encodeURIComponent)
          .join('/')}/cost?days=30`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      body = await response.json();
    } catch (error) {
      throw new ServiceUnavailableError(
        `FinOps could not give the cost of ${entityRef}: ${
          (error as Error).message
        }`,
      );
    }
    const parsed = entityCost.safeParse(body);
    if (!parsed.success) {
      throw new ServiceUnavailableError(
        `FinOps answered the cost of ${entityRef} in a shape BI does not read: ${parsed.error.issues[0].path.join(
          '.',
        )} ${parsed.error.issues[0].message}`,
      );
    }
    return parsed.data;
  };
}
