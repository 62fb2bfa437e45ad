import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthResolverContext } from '@backstage/plugin-auth-node';
import { createDemoAuthProviderFactory, isLoopbackAddress } from './provider';

describe('createDemoAuthProviderFactory', () => {
  const factory = createDemoAuthProviderFactory({
    catalog: catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'User',
          metadata: { name: 'ada', namespace: 'default' },
          spec: { memberOf: ['team-platform'] },
        },
      ],
    }),
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

  describe('who may sign in', () => {
    /** A request as express hands it over, from a peer address. */
    const req = (
      remoteAddress: string,
      headers: Record<string, string> = {},
    ): any => ({
      socket: { remoteAddress },
      headers: { 'x-demo-user': 'nobody', ...headers },
      header: (name: string) =>
        (({ 'x-demo-user': 'nobody', ...headers } as Record<string, string>)[
          name.toLowerCase()
        ]),
    });
    const res = (): any => {
      const r: any = {};
      r.status = jest.fn(() => r);
      r.json = jest.fn(() => r);
      return r;
    };

    it('knows loopback addresses', () => {
      expect(
        ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1'].map(
          isLoopbackAddress,
        ),
      ).toEqual([true, true, true, true]);
      expect(
        [
          '10.0.0.5',
          '192.168.1.20',
          '::ffff:10.0.0.5',
          'fe80::1',
          '0.0.0.0',
          '128.0.0.1',
          undefined,
        ].map(isLoopbackAddress),
      ).toEqual([false, false, false, false, false, false, false]);
    });

    it.each([
      ['another machine', '10.0.0.5', {}],
      ['another machine over IPv6', 'fe80::1', {}],
      [
        'another machine through a proxy here',
        '127.0.0.1',
        { 'x-forwarded-for': '203.0.113.9, 127.0.0.1' },
      ],
      [
        'another machine through a Forwarded proxy here',
        '127.0.0.1',
        { forwarded: 'for="[2001:db8::1]:4711";proto=https' },
      ],
    ])(
      'refuses to mint a token or list users for %s',
      async (_what, address, headers) => {
        const handlers = factory(options({}));
        await expect(
          handlers.refresh!(req(address, headers), res()),
        ).rejects.toMatchObject({
          name: 'NotAllowedError',
          message: expect.stringMatching(
            /only accepts requests from this machine/,
          ),
        });
        const listed = res();
        await expect(
          handlers.start(req(address, headers), listed),
        ).rejects.toMatchObject({ name: 'NotAllowedError' });
        expect(listed.json).not.toHaveBeenCalled();
      },
    );

    it('serves this machine', async () => {
      const handlers = factory(options({}));
      const listed = res();
      await handlers.start(req('::ffff:127.0.0.1'), listed);
      expect(listed.json).toHaveBeenCalledWith({
        items: [expect.objectContaining({ name: 'ada' })],
      });
      // Past the address check: the catalog is asked for the user.
      await expect(handlers.refresh!(req('127.0.0.1'), res())).rejects.toThrow(
        "There is no user 'nobody' in the catalog",
      );
    });

    it('serves other machines only when told to, dangerously', async () => {
      const handlers = factory(options({ dangerouslyAllowRemote: true }));
      const listed = res();
      await handlers.start(req('10.0.0.5'), listed);
      expect(listed.json).toHaveBeenCalled();
    });
  });
});
