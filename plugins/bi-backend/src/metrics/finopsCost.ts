import { AuthService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { parseEntityRef } from '@backstage/catalog-model';
import { FinopsCostsService } from '@portal/plugin-finops-node';
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
 * service call, through FinOps' typed client): product totals, whoever the
 * FinOps policy would show the per-team detail to. When FinOps cannot
 * answer, or answers with a body of another shape, the economics request
 * gets 503 saying so (never FinOps' own status, which would read as if the
 * product were missing).
 */
export function finopsCostReader(deps: {
  auth: AuthService;
  finopsCosts: FinopsCostsService;
}): CostReader {
  return async entityRef => {
    let body: unknown;
    try {
      body = await deps.finopsCosts.getEntityCost(
        { entity: parseEntityRef(entityRef), days: 30 },
        { credentials: await deps.auth.getOwnServiceCredentials() },
      );
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
