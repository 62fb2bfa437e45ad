import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthResolverContext } from '@backstage/plugin-auth-node';
import { createDemoAuthProviderFactory } from './provider';

describe('createDemoAuthProviderFactory', () => {
  const factory = createDemoAuthProviderFactory({
    catalog: catalogServiceMock({ entities: [] }),
    auth: mockServices.auth(),
  });
  const options = (config: object) => ({
    providerId: 'demo',
    globalConfig: {
      baseUrl: 'http://localhost:7007/api/auth',
      appUrl: 'http://localhost:3000',
      isOriginAllowed: () => true,
    },
    config: new ConfigReader(config),
    logger: mockServices.logger.mock(),
    resolverContext: {} as AuthResolverContext,
    baseUrl: 'http://localhost:7007/api/auth',
    appUrl: 'http://localhost:3000',
    isOriginAllowed: () => true,
  });

  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it('starts in development and warns that anyone can be anyone', () => {
    const opts = options({});
    const handlers = factory(opts);
    expect(handlers.refresh).toBeDefined();
    expect(handlers.start).toBeDefined();
    expect(opts.logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/anyone who reaches the portal/),
    );
  });

  it('refuses to start in production', () => {
    process.env.NODE_ENV = 'production';
    expect(() => factory(options({}))).toThrow(/disabled in production/);
  });

  it('starts in production only when told to, dangerously', () => {
    process.env.NODE_ENV = 'production';
    expect(() =>
      factory(options({ dangerouslyAllowInProduction: true })),
    ).not.toThrow();
  });
});
