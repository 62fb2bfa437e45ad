import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { srePlugin } from './plugin';

describe('the SRE demo in production', () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it.each([
    ['auth.environment is production', { environment: 'production' }, 'test'],
    ['NODE_ENV is production', { environment: 'development' }, 'production'],
  ])(
    'starts no demo Prometheus and serves no demo metrics when %s, even if sre.demo is configured',
    async (_when, auth, nodeEnv) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-demo-'));
      process.env.NODE_ENV = nodeEnv;
      try {
        const { server } = await startTestBackend({
          features: [
            srePlugin,
            catalogServiceMock.factory({ entities: [] }),
            mockServices.rootConfig.factory({
              data: {
                auth,
                sre: { demo: { dataDir, port: 1 } },
              },
            }),
          ],
        });
        // The test backend's router applies no auth policy: a demo route
        // would answer 200 here; there is none.
        const res = await request(server).get('/api/sre/demo/metrics');
        expect(res.status).toBe(404);
        // Nothing was prepared for a Prometheus either.
        expect(fs.readdirSync(dataDir)).toEqual([]);
        await server.close();
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
