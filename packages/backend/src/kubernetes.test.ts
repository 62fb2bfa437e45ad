/*
 * Backstage's Kubernetes backend as the portal configures it, against a fake
 * Kubernetes API server (no real cluster is available here): clusters come
 * from config, entities are matched by the standard
 * backstage.io/kubernetes-id annotation, and the workloads of the entity,
 * and only those, come back.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';

const labelsOf = (id: string) => ({
  'backstage.io/kubernetes-id': id,
  'portal.acme.example/owner': 'team-checkout',
});

/** What the fake cluster holds: two services' workloads. */
const objects: Record<string, any[]> = {
  pods: ['payments-api', 'cart-service'].map(id => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${id}-7d9f-abcde`,
      namespace: 'team-checkout',
      labels: labelsOf(id),
    },
    spec: {
      containers: [{ name: id, image: `ghcr.io/acme-commerce/${id}:1.0.0` }],
    },
    status: { phase: 'Running' },
  })),
  deployments: ['payments-api', 'cart-service'].map(id => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: id, namespace: 'team-checkout', labels: labelsOf(id) },
    spec: { replicas: 2 },
    status: { availableReplicas: 2 },
  })),
};

/** A fake API server: lists of any plural, filtered by an equality label selector. */
function fakeApiServer() {
  const requests: Array<{
    path: string;
    selector: string | null;
    auth?: string;
  }> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const selector = url.searchParams.get('labelSelector');
    requests.push({
      path: url.pathname,
      selector,
      auth: req.headers.authorization,
    });
    const plural = url.pathname.split('/').pop()!;
    const [key, value] = (selector ?? '').split('=');
    const items = (objects[plural] ?? []).filter(
      o => !key || o.metadata.labels?.[key] === value,
    );
    if (url.pathname.includes('metrics.k8s.io')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', code: 404 }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: {}, items }),
    );
  });
  return { server, requests };
}

describe('Kubernetes workloads of catalog entities', () => {
  const fake = fakeApiServer();
  let url: string;

  beforeAll(async () => {
    await new Promise<void>(resolve =>
      fake.server.listen(0, '127.0.0.1', resolve),
    );
    url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  });
  afterAll(() => fake.server.close());

  it('lists the workloads labelled with the entity’s kubernetes-id, from the configured cluster', async () => {
    // The Kubernetes backend imports its client (an ES module) at run
    // time, which jest allows only with this flag; ./portal test sets it.
    expect(process.env.NODE_OPTIONS ?? '').toContain(
      '--experimental-vm-modules',
    );
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'payments-api',
        namespace: 'default',
        annotations: { 'backstage.io/kubernetes-id': 'payments-api' },
      },
      spec: { type: 'service', owner: 'team-checkout' },
    };
    const { server } = await startTestBackend({
      features: [
        kubernetesPlugin,
        catalogServiceMock.factory({ entities: [entity] }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'test-cluster',
                      url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'fake-token',
                      skipTLSVerify: true,
                    },
                  ],
                },
              ],
            },
          },
        }),
      ],
    });

    const clusters = await request(server).get('/api/kubernetes/clusters');
    expect(clusters.status).toBe(200);
    expect(clusters.body.items).toEqual([
      expect.objectContaining({ name: 'test-cluster' }),
    ]);

    const res = await request(server)
      .post('/api/kubernetes/services/payments-api')
      .send({ entity });
    expect(res.body.error).toBeUndefined();
    expect(res.status).toBe(200);
    const [cluster] = res.body.items;
    expect(cluster.cluster.name).toBe('test-cluster');
    const byType = Object.fromEntries(
      cluster.resources.map((r: any) => [
        r.type,
        r.resources.map((o: any) => o.metadata.name),
      ]),
    );
    expect(byType.pods).toEqual(['payments-api-7d9f-abcde']);
    expect(byType.deployments).toEqual(['payments-api']);

    const listed = fake.requests.filter(r => r.path.endsWith('/pods'));
    expect(listed[0]).toMatchObject({
      selector: 'backstage.io/kubernetes-id=payments-api',
      auth: 'Bearer fake-token',
    });
    // The first ES-module import is slow on a busy machine: the test waits
    // for it, not for a clock.
  }, 300_000);
});
