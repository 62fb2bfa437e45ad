import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { MachineIdentities } from './MachineIdentities';

const identities = MachineIdentities.fromConfig(
  new ConfigReader({
    machineIdentity: {
      ci: [
        { subjectPrefix: 'external:github-actions:repo:', host: 'github.com' },
        { subjectPrefix: 'local-ci:', host: 'local' },
      ],
      grants: [
        { subject: 'alertmanager', allow: ['sre.alerts'] },
        {
          subject:
            'external:github-actions:repo:acme/security-tools:ref:refs/heads/main',
          allow: ['secops.upload'],
        },
      ],
    },
    goldenPath: { local: { repositoriesDir: '/data/repositories' } },
  }),
);

const component = (name: string, origin: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    annotations: { 'backstage.io/managed-by-origin-location': origin },
  },
});
const payments = component(
  'payments-api',
  'url:https://github.com/acme/payments-api/blob/main/catalog-info.yaml',
);
const cart = component(
  'cart-service',
  'url:https://github.com/acme/cart-service/blob/main/catalog-info.yaml',
);
const wishlist = component(
  'wishlist-service',
  'file:/data/repositories/wishlist-service/catalog-info.yaml',
);

describe('MachineIdentities', () => {
  it('binds a GitHub OIDC token to the repository in its subject', () => {
    const caller = identities.classify(
      mockCredentials.service(
        'external:github-actions:repo:Acme/Payments-API:ref:refs/heads/main',
      ),
    );
    expect(caller).toMatchObject({
      type: 'ci',
      repository: 'github.com/acme/payments-api',
    });
    expect(() =>
      identities.requireEntity(caller, payments, 'secops.upload', 'upload for'),
    ).not.toThrow();
    expect(() =>
      identities.requireEntity(caller, cart, 'secops.upload', 'upload for'),
    ).toThrow(
      'The CI of github.com/acme/payments-api may not upload for component:default/cart-service: it was registered from github.com/acme/cart-service',
    );
    expect(() =>
      identities.requireGrant(caller, 'secops.export', 'export events'),
    ).toThrow(/needs the secops.export grant/);
  });

  it('binds the local CI identity to its local repository', () => {
    const caller = identities.classify(
      mockCredentials.service('local-ci:wishlist-service'),
    );
    expect(caller).toMatchObject({
      type: 'ci',
      repository: 'local/wishlist-service',
    });
    expect(() =>
      identities.requireEntity(caller, wishlist, 'secops.upload', 'upload for'),
    ).not.toThrow();
    expect(() =>
      identities.requireEntity(caller, payments, 'secops.upload', 'upload for'),
    ).toThrow(/may not upload for component:default\/payments-api/);
  });

  it('lets a granted subject do exactly what it is granted', () => {
    const alertmanager = identities.classify(
      mockCredentials.service('alertmanager'),
    );
    expect(alertmanager.type).toBe('granted');
    expect(() =>
      identities.requireGrant(alertmanager, 'sre.alerts', 'post alerts'),
    ).not.toThrow();
    expect(() =>
      identities.requireEntity(alertmanager, cart, 'secops.read', 'read'),
    ).toThrow(/needs the secops.read grant/);
    const tools = identities.classify(
      mockCredentials.service(
        'external:github-actions:repo:acme/security-tools:ref:refs/heads/main',
      ),
    );
    expect(() =>
      identities.requireEntity(tools, cart, 'secops.upload', 'upload for'),
    ).not.toThrow();
  });

  it('refuses a token that is neither bound nor granted', () => {
    expect(() =>
      identities.classify(mockCredentials.service('external:curl-admin')),
    ).toThrow(/neither a CI identity of a repository .* nor granted anything/);
    expect(() =>
      identities.classify(
        mockCredentials.service('external:github-actions:repo:'),
      ),
    ).toThrow();
  });

  it('trusts the portal itself and leaves people to the policy', () => {
    const portal = identities.classify(
      mockCredentials.service('plugin:scaffolder'),
    );
    expect(portal.type).toBe('portal');
    expect(() =>
      identities.requireEntity(portal, cart, 'secops.upload', 'upload for'),
    ).not.toThrow();
    const user = identities.classify(mockCredentials.user());
    expect(user.type).toBe('user');
    expect(() =>
      identities.requireGrant(user, 'secops.export', 'export'),
    ).not.toThrow();
  });

  it("refuses a CI token of another organisation's repository when owners are named", () => {
    const pinned = MachineIdentities.fromConfig(
      new ConfigReader({
        machineIdentity: {
          ci: [
            {
              subjectPrefix: 'external:github-actions:repo:',
              host: 'github.com',
              owners: ['Acme'],
            },
          ],
        },
      }),
    );
    expect(
      pinned.classify(
        mockCredentials.service(
          'external:github-actions:repo:acme/payments-api:pull_request',
        ),
      ),
    ).toMatchObject({ type: 'ci', repository: 'github.com/acme/payments-api' });
    expect(() =>
      pinned.classify(
        mockCredentials.service(
          'external:github-actions:repo:mallory/payments-api:ref:refs/heads/main',
        ),
      ),
    ).toThrow(/neither a CI identity/);
  });

  it('refuses an unknown grant in configuration', () => {
    expect(() =>
      MachineIdentities.fromConfig(
        new ConfigReader({
          machineIdentity: {
            grants: [{ subject: 'x', allow: ['everything'] }],
          },
        }),
      ),
    ).toThrow(/unknown grant "everything"/);
  });
});
