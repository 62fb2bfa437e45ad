import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  PrometheusSource,
  SliSource,
  sreSliSourcesExtensionPoint,
} from '@portal/plugin-sre-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { sreModuleDemo } from './module';

describe('the SRE demo module', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-demo-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function start(sre: object) {
    const sources: SliSource[] = [];
    const logger = mockServices.logger.mock();
    const backend = await startTestBackend({
      extensionPoints: [
        [sreSliSourcesExtensionPoint, { addSliSource: s => sources.push(s) }],
      ],
      features: [
        sreModuleDemo,
        logger.factory,
        mockServices.rootConfig.factory({ data: { sre } }),
      ],
    });
    return {
      server: backend.server,
      stop: () => backend.stop(),
      sources,
      logger,
    };
  }

  it('adds the demo Prometheus as an SLI source and serves the live demo metrics', async () => {
    const { server, sources, logger, stop } = await start({
      // No Prometheus binary: the module says so and serves the rest.
      demo: { dataDir, port: 19464, binary: path.join(dataDir, 'none') },
    });
    try {
      expect(sources).toHaveLength(1);
      expect(sources[0]).toBeInstanceOf(PrometheusSource);
      expect(sources[0].describe()).toEqual({
        name: 'demo',
        url: 'http://127.0.0.1:19464/',
      });
      const res = await request(server).get('/api/sre/demo/metrics');
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/plain');
      expect(res.text).toMatch(
        /^http_requests_total\{service="payments-api",code="500"\} /m,
      );
      // The Prometheus starts in the background once the backend is up;
      // without the binary, that is a warning.
      while (!logger.warn.mock.calls.length) {
        await new Promise(resolve => setImmediate(resolve));
      }
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(/^The demo SLOs have no Prometheus/),
      );
    } finally {
      await stop();
    }
  }, 120_000);

  it('does nothing without sre.demo', async () => {
    const { server, sources, logger, stop } = await start({});
    try {
      expect(sources).toEqual([]);
      const res = await request(server).get('/api/sre/demo/metrics');
      expect(res.status).toBe(404);
      expect(logger.warn).not.toHaveBeenCalled();
      expect(fs.readdirSync(dataDir)).toEqual([]);
    } finally {
      await stop();
    }
  }, 120_000);
});
