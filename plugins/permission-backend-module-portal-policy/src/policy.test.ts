import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import { mockCredentials } from '@backstage/backend-test-utils';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  secopsExemptionDecidePermission,
  secopsExemptionRequestPermission,
  secopsFindingsReadPermission,
  secopsOrganisationReadPermission,
  secopsReportUploadPermission,
} from '@portal/plugin-secops-common';
import { PortalPermissionPolicy, readPortalPolicyOptions } from './policy';

function userOf(userEntityRef: string, groups: string[]): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(userEntityRef),
    info: { userEntityRef, ownershipEntityRefs: [userEntityRef, ...groups] },
  };
}

const developer = userOf('user:default/ben-okafor', [
  'group:default/team-checkout',
]);
const admin = userOf('user:default/grace-liu', ['group:default/team-platform']);

describe('PortalPermissionPolicy', () => {
  const policy = new PortalPermissionPolicy(
    readPortalPolicyOptions(new ConfigReader({})),
  );

  it('lets every signed-in user read the catalog', async () => {
    await expect(
      policy.handle({ permission: catalogEntityReadPermission }, developer),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('refuses a request without a user', async () => {
    await expect(
      policy.handle({ permission: catalogEntityReadPermission }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it.each([
    ['delete', catalogEntityDeletePermission],
    ['refresh', catalogEntityRefreshPermission],
  ])(
    'lets developers %s only what their teams own',
    async (_action, permission) => {
      const decision = await policy.handle({ permission }, developer);
      expect(decision).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: ['user:default/ben-okafor', 'group:default/team-checkout'],
          },
        },
      });
    },
  );

  it('lets portal admins delete any entity and remove locations', async () => {
    await expect(
      policy.handle({ permission: catalogEntityDeletePermission }, admin),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy.handle({ permission: catalogLocationDeletePermission }, admin),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('refuses location removal to everyone else', async () => {
    await expect(
      policy.handle({ permission: catalogLocationDeletePermission }, developer),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('keeps any other delete action for admins', async () => {
    const permission = createPermission({
      name: 'someplugin.thing.delete',
      attributes: { action: 'delete' },
    });
    await expect(policy.handle({ permission }, developer)).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
    await expect(policy.handle({ permission }, admin)).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('shows an entity’s findings to its owners and to security', async () => {
    const ciso = userOf('user:default/jonas-berg', ['group:default/security']);
    for (const permission of [
      secopsFindingsReadPermission,
      secopsReportUploadPermission,
      secopsExemptionRequestPermission,
    ]) {
      await expect(policy.handle({ permission }, ciso)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
      await expect(policy.handle({ permission }, developer)).resolves.toEqual(
        expect.objectContaining({
          result: AuthorizeResult.CONDITIONAL,
          conditions: expect.objectContaining({ rule: 'IS_ENTITY_OWNER' }),
        }),
      );
    }
  });

  it('lets only security decide exemptions, not even portal admins', async () => {
    const ciso = userOf('user:default/jonas-berg', ['group:default/security']);
    const permission = secopsExemptionDecidePermission;
    await expect(policy.handle({ permission }, ciso)).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
    await expect(policy.handle({ permission }, admin)).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
    await expect(policy.handle({ permission }, developer)).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('keeps the organisation-wide security views to security and admins', async () => {
    const ciso = userOf('user:default/jonas-berg', ['group:default/security']);
    const permission = secopsOrganisationReadPermission;
    for (const [who, result] of [
      [ciso, AuthorizeResult.ALLOW],
      [admin, AuthorizeResult.ALLOW],
      [developer, AuthorizeResult.DENY],
    ] as const) {
      await expect(policy.handle({ permission }, who)).resolves.toEqual({
        result,
      });
    }
  });

  it('reads the admin groups from configuration, case-insensitively', async () => {
    const configured = new PortalPermissionPolicy(
      readPortalPolicyOptions(
        new ConfigReader({
          permission: { portalPolicy: { admins: ['Group:default/SRE'] } },
        }),
      ),
    );
    const sre = userOf('user:default/liam-walsh', ['group:default/sre']);
    await expect(
      configured.handle({ permission: catalogLocationDeletePermission }, sre),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      configured.handle({ permission: catalogLocationDeletePermission }, admin),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });
});
