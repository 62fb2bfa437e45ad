/*
 * Internet-facing services without a recent DAST scan: from the catalog
 * annotation, and from Kubernetes Ingresses read from a cluster of the
 * Kubernetes plugin's configuration (a recorded IngressList served
 * locally); flagged on the entity's summary and the group's posture until a
 * ZAP report arrives.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import request from 'supertest';
import { component, fixture, start, upload } from './__testUtils__/backend';
import {
  DastExposureService,
  KubernetesIngresses,
} from './service/DastExposure';
import { kubernetesClusters } from './service/kubernetesClusters';

/** What `GET /apis/networking.k8s.io/v1/ingresses` answers (two Ingresses, one unlabelled). */
const INGRESS_LIST = {
  kind: 'IngressList',
  apiVersion: 'networking.k8s.io/v1',
  metadata: { resourceVersion: '81231' },
  items: [
    {
      metadata: {
        name: 'storefront',
        namespace: 'shop',
        labels: { 'backstage.io/kubernetes-id': 'storefront' },
      },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: {
                    service: { name: 'storefront', port: { number: 80 } },
                  },
                },
              ],
            },
          },
        ],
      },
    },
    {
      metadata: { name: 'grafana', namespace: 'monitoring', labels: {} },
      spec: { rules: [{ host: 'grafana.example.com' }] },
    },
  ],
};

/** A cluster API that answers the Ingress list to the right token only. */
async function fakeCluster() {
  const seen: Array<{ url?: string; authorization?: string }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    if (req.headers.authorization !== 'Bearer cluster-token') {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(INGRESS_LIST));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => server.close() };
}

const owned = (name: string, annotations: Record<string, string>) => {
  const entity = component(name, 'group:default/team-web');
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: { ...entity.metadata.annotations, ...annotations },
    },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-web' }],
  };
};

const team = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-web', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

describe('DAST exposure', () => {
  it('flags internet-facing services without a recent DAST scan until a ZAP report arrives', async () => {
    const cluster = await fakeCluster();
    try {
      const server = await start({
        entities: [
          team,
          owned('public-api', { 'portal.io/internet-facing': 'true' }),
          owned('storefront', { 'backstage.io/kubernetes-id': 'storefront' }),
          owned('internal-batch', {}),
        ],
        config: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'prod-eu',
                    url: cluster.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 'cluster-token',
                  },
                ],
              },
            ],
          },
        },
      });
      const summary = (name: string) =>
        request(server).get(
          `/api/secops/entities/component/default/${name}/summary`,
        );

      const annotated = await summary('public-api');
      expect(annotated.status).toBe(200);
      expect(annotated.body.exposure).toEqual({
        internetFacing: true,
        reasons: ['annotation portal.io/internet-facing'],
        dastMaxAgeDays: 30,
        dastMissing: true,
      });
      const ingress = await summary('storefront');
      expect(ingress.body.exposure).toMatchObject({
        reasons: ['Ingress shop/storefront in prod-eu (shop.example.com)'],
        dastMissing: true,
      });
      expect(cluster.seen[0]).toEqual({
        url: '/apis/networking.k8s.io/v1/ingresses?labelSelector=backstage.io%2Fkubernetes-id',
        authorization: 'Bearer cluster-token',
      });
      expect((await summary('internal-batch')).body.exposure).toBeUndefined();

      const posture = await request(server).get(
        '/api/secops/groups/default/team-web/posture',
      );
      expect(posture.status).toBe(200);
      expect(posture.body.totals.dastMissing).toBe(2);

      // A ZAP scan of the storefront: no longer missing.
      const zap = await upload(
        server,
        { entityRef: 'component:default/storefront', tool: 'zap' },
        fixture('zap/zap-traditional-json-petstore-api-scan.json'),
      );
      expect(zap.status).toBe(201);
      const scanned = await summary('storefront');
      expect(scanned.body.exposure.dastMissing).toBe(false);
      expect(scanned.body.exposure.lastDastScanAt).toEqual(expect.any(String));
      const after = await request(server).get(
        '/api/secops/groups/default/team-web/posture',
      );
      expect(after.body.totals.dastMissing).toBe(1);
      const rows = Object.fromEntries(
        after.body.items.map((r: any) => [r.entityRef, r.exposure]),
      );
      expect(rows['component:default/public-api'].dastMissing).toBe(true);
      expect(rows['component:default/storefront'].dastMissing).toBe(false);
      expect(rows['component:default/internal-batch']).toBeUndefined();
    } finally {
      cluster.close();
    }
  }, 120_000);

  it('counts a DAST scan for 30 days, and a cluster that cannot be read only costs its Ingresses', async () => {
    const day = 24 * 3600 * 1000;
    const now = new Date('2026-12-07T12:00:00Z');
    const lastScans = jest.fn(
      async () =>
        new Map([
          ['component:default/fresh', new Date(now.getTime() - 29 * day)],
          ['component:default/stale', new Date(now.getTime() - 31 * day)],
        ]),
    );
    const logger = mockServices.logger.mock();
    const service = new DastExposureService({
      findings: { lastScans },
      ingresses: new KubernetesIngresses({
        clusters: kubernetesClusters(
          new ConfigReader({
            kubernetes: {
              clusterLocatorMethods: [
                { type: 'catalog' },
                {
                  type: 'config',
                  clusters: [{ name: 'down', url: 'http://127.0.0.1:9/' }],
                },
              ],
            },
          }),
        ),
        logger,
      }),
      options: { maxAgeDays: 30, dastTools: ['zap', 'burp'] },
    });
    const facing = (name: string) => ({
      ref: `component:default/${name}`,
      entity: owned(name, { 'portal.io/internet-facing': 'true' }) as any,
    });
    const exposures = await service.exposures(
      [facing('fresh'), facing('stale'), facing('never')],
      now,
    );
    expect(
      Object.fromEntries(
        [...exposures].map(([ref, e]) => [ref, e.dastMissing]),
      ),
    ).toEqual({
      'component:default/fresh': false,
      'component:default/stale': true,
      'component:default/never': true,
    });
    expect(lastScans).toHaveBeenCalledWith(
      [
        'component:default/fresh',
        'component:default/stale',
        'component:default/never',
      ],
      { formats: ['zap'], tools: ['zap', 'burp'] },
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/Could not read the Ingresses of cluster down/),
    );
  }, 120_000);
});
