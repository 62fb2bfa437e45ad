import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import goldenPathDemo from '@portal/plugin-catalog-backend-module-golden-path-demo';
import finopsDemo from '@portal/plugin-finops-backend-module-demo';
import secopsDemo from '@portal/plugin-secops-backend-module-demo';
import sreDemo from '@portal/plugin-sre-backend-module-demo';
import srePlugin from '@portal/plugin-sre-backend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import embedded, {
  embeddedDemoModules,
  EMBEDDED_DEMO_PACKAGES,
} from './embedded';

describe("the embedded default's demo modules", () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it('are every demo module outside production, each a backend feature', () => {
    process.env.NODE_ENV = 'development';
    expect(
      embeddedDemoModules(
        new ConfigReader({ auth: { environment: 'development' } }),
      ),
    ).toHaveLength(EMBEDDED_DEMO_PACKAGES.length);
    for (const feature of [goldenPathDemo, secopsDemo, finopsDemo, sreDemo]) {
      expect(feature.$$type).toBe('@backstage/BackendFeature');
    }
  });

  it.each([
    ['auth.environment is production', 'production', 'development'],
    ['NODE_ENV is production', 'development', 'production'],
  ])('are none when %s', (_when, environment, nodeEnv) => {
    process.env.NODE_ENV = nodeEnv;
    expect(
      embeddedDemoModules(new ConfigReader({ auth: { environment } })),
    ).toEqual([]);
  });
});

describe('the embedded default with a production configuration', () => {
  it('adds no demo module: no demo metrics route, no demo Prometheus, even if sre.demo is configured', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-demo-'));
    const rootLogger = mockServices.rootLogger.mock();
    rootLogger.child.mockImplementation(() => rootLogger);
    const backend = await startTestBackend({
      features: [
        srePlugin,
        embedded,
        rootLogger.factory,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            auth: { environment: 'production' },
            sre: { demo: { dataDir, port: 1 } },
          },
        }),
      ],
    });
    try {
      // The test backend applies no auth policy: a demo route would answer
      // 200 here; there is none.
      const res = await request(backend.server).get('/api/sre/demo/metrics');
      expect(res.status).toBe(404);
      expect(fs.readdirSync(dataDir)).toEqual([]);
      expect(rootLogger.error).toHaveBeenCalledWith(
        expect.stringMatching(/production configuration .*no demo modules/),
      );
    } finally {
      await backend.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
