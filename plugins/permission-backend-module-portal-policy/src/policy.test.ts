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
import {
  finopsCostReadPermission,
  finopsManagePermission,
  finopsOrganisationReadPermission,
} from '@portal/plugin-finops-common';
import { biProductReadPermission } from '@portal/plugin-bi-common';
import {
  sreManagePermission,
  sreReliabilityReadPermission,
} from '@portal/plugin-sre-common';
import { PortalPermissionPolicy, readPortalPolicyOptions } from './policy';

/** Direct groups and the groups above them, as the demo organisation has them. */
const ROLE_GROUPS: Record<string, string[]> = {
  'user:default/ben-okafor': [
    'group:default/team-checkout',
    'group:default/engineering',
  ],
  'user:default/grace-liu': [
    'group:default/team-platform',
    'group:default/engineering',
  ],
  'user:default/jonas-berg': ['group:default/security'],
  'user:default/maya-patel': ['group:default/engineering'],
  'user:default/liam-walsh': ['group:default/sre'],
  'user:default/quentin-dubois': [
    'group:default/team-analytics',
    'group:default/business',
  ],
  'user:default/priya-sharma': [
    'group:default/team-finops',
    'group:default/finance',
  ],
};
const roleGroupsOf = async (ref: string) => ROLE_GROUPS[ref] ?? [];

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
    roleGroupsOf,
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

  it('shows cost to owners (a filter on the owner), and all of it to finance', async () => {
    const finops = userOf('user:default/priya-sharma', [
      'group:default/team-finops',
    ]);
    const permission = finopsCostReadPermission;
    await expect(policy.handle({ permission }, finops)).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
    await expect(policy.handle({ permission }, developer)).resolves.toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'finops',
      resourceType: 'finops-cost',
      conditions: {
        rule: 'HAS_OWNER',
        resourceType: 'finops-cost',
        params: {
          claims: ['user:default/ben-okafor', 'group:default/team-checkout'],
        },
      },
    });
    for (const basic of [
      finopsOrganisationReadPermission,
      finopsManagePermission,
    ]) {
      await expect(
        policy.handle({ permission: basic }, finops),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
      await expect(
        policy.handle({ permission: basic }, developer),
      ).resolves.toEqual({ result: AuthorizeResult.DENY });
    }
  });

  it('shows product economics to business, finance and admins only', async () => {
    const analyst = userOf('user:default/quentin-dubois', [
      'group:default/team-analytics',
    ]);
    const permission = biProductReadPermission;
    for (const who of [analyst, admin]) {
      await expect(policy.handle({ permission }, who)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
    await expect(policy.handle({ permission }, developer)).resolves.toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('shows reliability to everyone, and keeps evaluations by hand to admins', async () => {
    for (const who of [developer, admin]) {
      await expect(
        policy.handle({ permission: sreReliabilityReadPermission }, who),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    }
    await expect(
      policy.handle({ permission: sreManagePermission }, admin),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy.handle({ permission: sreManagePermission }, developer),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
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

  it('takes roles from membership, not from ownership of sub-groups', async () => {
    // The head of engineering owns what the platform team owns…
    const head = userOf('user:default/maya-patel', [
      'group:default/engineering',
      'group:default/team-platform',
      'group:default/team-checkout',
    ]);
    // …but is not a platform admin.
    await expect(
      policy.handle({ permission: catalogLocationDeletePermission }, head),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle({ permission: secopsOrganisationReadPermission }, head),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('reads the admin groups from configuration, case-insensitively', async () => {
    const configured = new PortalPermissionPolicy(
      readPortalPolicyOptions(
        new ConfigReader({
          permission: { portalPolicy: { admins: ['Group:default/SRE'] } },
        }),
      ),
      roleGroupsOf,
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
