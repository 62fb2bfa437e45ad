import { Entity } from '@backstage/catalog-model';
import {
  repositoryOfLocation,
  sourceRepositoryOf,
  trustedProjectSlug,
} from './repository';

const entity = (origin: string | undefined, slug?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: {
      ...(origin ? { 'backstage.io/managed-by-origin-location': origin } : {}),
      ...(slug ? { 'github.com/project-slug': slug } : {}),
    },
  },
});

describe('repositoryOfLocation', () => {
  it('names a GitHub repository by host, owner and name', () => {
    expect(
      repositoryOfLocation(
        'url:https://github.com/Acme/Payments-API/blob/main/catalog-info.yaml',
      ),
    ).toBe('github.com/acme/payments-api');
    expect(
      repositoryOfLocation('url:https://github.com/acme/payments-api.git'),
    ).toBe('github.com/acme/payments-api');
  });

  it('names a local repository only inside the repositories folder', () => {
    const options = { localRepositoriesDir: '/data/repositories' };
    expect(
      repositoryOfLocation(
        'file:/data/repositories/wishlist-service/catalog-info.yaml',
        options,
      ),
    ).toBe('local/wishlist-service');
    expect(
      repositoryOfLocation(
        'file:/data/repositories/../../etc/catalog-info.yaml',
        options,
      ),
    ).toBeUndefined();
    expect(
      repositoryOfLocation('file:/work/catalog/all.yaml', options),
    ).toBeUndefined();
    expect(
      repositoryOfLocation('file:/data/repositories/wishlist-service/x.yaml'),
    ).toBeUndefined();
  });

  it('gives nothing for what is not a repository', () => {
    expect(repositoryOfLocation('url:https://github.com/acme')).toBeUndefined();
    expect(repositoryOfLocation('url:javascript:alert(1)')).toBeUndefined();
    expect(repositoryOfLocation('not a location')).toBeUndefined();
  });
});

describe('trustedProjectSlug', () => {
  const origin =
    'url:https://github.com/acme/payments-api/blob/main/catalog-info.yaml';

  it('trusts a slug that names the repository the entity came from', () => {
    expect(sourceRepositoryOf(entity(origin))).toBe(
      'github.com/acme/payments-api',
    );
    expect(trustedProjectSlug(entity(origin, 'acme/payments-api'))).toBe(
      'acme/payments-api',
    );
  });

  it("refuses a slug that borrows another team's repository", () => {
    const borrower = entity(
      'url:https://github.com/mallory/anything/blob/main/catalog-info.yaml',
      'acme/payments-api',
    );
    expect(trustedProjectSlug(borrower)).toBeUndefined();
    expect(trustedProjectSlug(entity(undefined, 'acme/payments-api'))).toBe(
      undefined,
    );
  });

  it('trusts a slug an admin allowed for that entity', () => {
    const central = entity('file:/work/catalog/all.yaml', 'acme/payments-api');
    expect(trustedProjectSlug(central)).toBeUndefined();
    expect(
      trustedProjectSlug(
        central,
        new Set(['component:default/payments-api']),
        'Component:default/payments-api',
      ),
    ).toBe('acme/payments-api');
  });

  it('refuses a malformed slug', () => {
    expect(
      trustedProjectSlug(entity(origin, 'acme/payments-api/../x')),
    ).toBeUndefined();
  });
});
