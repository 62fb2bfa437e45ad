import { mockCredentials } from '@backstage/backend-test-utils';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  createPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { EntityAuthorization } from './EntityAuthorization';

const readPermission = createPermission({
  name: 'test.data.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

function entity(name: string, owner: string, kind = 'Component'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: { owner },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
  };
}

/** A permissions service whose policy gives one decision, counting calls. */
function permissionsGiving(decision: PolicyDecision) {
  const calls: unknown[] = [];
  const permissions = {
    authorize: jest.fn(),
    authorizeConditional: jest.fn(async (requests: unknown[]) => {
      calls.push(requests);
      return requests.map(() => decision);
    }),
  } as unknown as PermissionsService;
  return { permissions, calls };
}

const entities = [
  entity('payments', 'checkout'),
  entity('search', 'discovery'),
  entity('billing-db', 'checkout', 'Resource'),
];
const credentials = mockCredentials.user('user:default/ana');

describe('EntityAuthorization', () => {
  it("applies a conditional decision with the catalog's rules, in one call however many entities", async () => {
    const { permissions, calls } = permissionsGiving(
      createCatalogConditionalDecision(readPermission, {
        allOf: [
          catalogConditions.isEntityOwner({
            claims: ['group:default/checkout'],
          }),
          { not: catalogConditions.isEntityKind({ kinds: ['resource'] }) },
        ],
      }),
    );
    const visible = await new EntityAuthorization(permissions).filter(
      credentials,
      readPermission,
      entities,
    );
    expect(visible.map(e => e.metadata.name)).toEqual(['payments']);
    expect(calls).toHaveLength(1);
  });

  it('gives everything for ALLOW and nothing for DENY', async () => {
    for (const [result, count] of [
      [AuthorizeResult.ALLOW, 3],
      [AuthorizeResult.DENY, 0],
    ] as const) {
      const { permissions } = permissionsGiving({ result });
      expect(
        await new EntityAuthorization(permissions).filter(
          credentials,
          readPermission,
          entities,
        ),
      ).toHaveLength(count);
    }
  });

  it('refuses one entity the decision does not allow, naming it', async () => {
    const { permissions } = permissionsGiving(
      createCatalogConditionalDecision(
        readPermission,
        catalogConditions.isEntityOwner({ claims: ['group:default/checkout'] }),
      ),
    );
    const authorization = new EntityAuthorization(permissions);
    await expect(
      authorization.require(
        credentials,
        readPermission,
        entities[0],
        'see the SLOs of',
      ),
    ).resolves.toBeUndefined();
    await expect(
      authorization.require(
        credentials,
        readPermission,
        entities[1],
        'see the SLOs of',
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'You may not see the SLOs of component:default/search',
    });
  });
});
