/*
 * The admission labels check: workloads read from a cluster of the
 * Kubernetes plugin's configuration (recorded Deployment, StatefulSet and
 * DaemonSet lists served locally), judged as the golden-path admission
 * policy (deploy/admission, its CEL evaluated with cel-js) judges them,
 * and against the catalog (the owner's team, the entity the cost goes to);
 * then the whole scorecard over HTTP.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { evaluate } from '@marcbachmann/cel-js';
import yaml from 'js-yaml';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { component, securityLead, start } from './__testUtils__/backend';
import { admissionLabelsCheck } from './scorecards/builtInChecks';
import {
  admissionProblems,
  KubernetesWorkloads,
  Workload,
} from './service/KubernetesWorkloads';

const [policy] = yaml.loadAll(
  fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../deploy/admission/golden-path-policy.yaml',
    ),
    'utf8',
  ),
) as any[];

/** The messages the policy's validations answer for an object ([] = admitted). */
function refusals(object: object): string[] {
  const variables: Record<string, unknown> = {};
  for (const v of policy.spec.variables) {
    variables[v.name] = evaluate(v.expression, { object, variables });
  }
  return policy.spec.validations
    .filter((v: any) => evaluate(v.expression, { object, variables }) !== true)
    .map((v: any) => v.message);
}

const ON_PATH = {
  'portal.acme.example/owner': 'team-web',
  'portal.acme.example/cost-entity': 'component.default.storefront',
};

/** A workload object as the API server lists it. */
function workload(
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet',
  name: string,
  id: string,
  options: {
    labels?: Record<string, string>;
    podLabels?: Record<string, string>;
    sidecar?: 'container' | 'native' | 'none';
  } = {},
) {
  const labels = {
    'backstage.io/kubernetes-id': id,
    ...(options.labels ?? ON_PATH),
  };
  const sidecar = { name: 'security-sidecar', image: 'acme/agent:3' };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: 'shop', labels, resourceVersion: '77' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: options.podLabels ?? labels },
        spec: {
          containers: [
            { name: 'app', image: `acme/${name}:1` },
            ...(options.sidecar === 'container' ? [sidecar] : []),
          ],
          ...(options.sidecar === 'native' || !options.sidecar
            ? { initContainers: [{ ...sidecar, restartPolicy: 'Always' }] }
            : {}),
        },
      },
    },
  };
}

const LISTS: Record<string, object[]> = {
  deployments: [
    // On the path, with a native sidecar.
    workload('Deployment', 'storefront', 'storefront'),
    // Admitted before the policy: no labels on the pod template, no sidecar.
    workload('Deployment', 'legacy-cms', 'legacy-cms', {
      labels: {
        'portal.acme.example/owner': 'team-web',
        'portal.acme.example/cost-entity': 'component.default.legacy-cms',
      },
      podLabels: {},
      sidecar: 'none',
    }),
    // Labels from another service: its cost goes elsewhere.
    workload('Deployment', 'orders-api', 'orders-api', {
      labels: {
        'portal.acme.example/owner': 'team-web',
        'portal.acme.example/cost-entity': 'component.default.storefront',
      },
      sidecar: 'container',
    }),
  ],
  statefulsets: [workload('StatefulSet', 'storefront-cache', 'storefront')],
  daemonsets: [],
};

/** A cluster API that answers the workload lists to the right token only. */
async function fakeCluster(options: { failDaemonSets?: boolean } = {}) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    const kind = /^\/apis\/apps\/v1\/(\w+)\?/.exec(req.url ?? '')?.[1] ?? '';
    if (req.headers.authorization !== 'Bearer cluster-token') {
      res.writeHead(401).end();
    } else if (options.failDaemonSets && kind === 'daemonsets') {
      res.writeHead(503).end();
    } else if (!LISTS[kind]) {
      res.writeHead(404).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'List',
          apiVersion: 'apps/v1',
          metadata: { resourceVersion: '81231' },
          items: LISTS[kind],
        }),
      );
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => server.close() };
}

const owned = (name: string, annotations: Record<string, string> = {}) => {
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
const k8s = (id: string) => ({ 'backstage.io/kubernetes-id': id });

describe('the admission labels check', () => {
  it("finds what the admission policy refuses, as the policy's own CEL does", () => {
    for (const object of LISTS.deployments as any[]) {
      const w: Workload = {
        cluster: 'prod',
        kind: object.kind,
        namespace: 'shop',
        name: object.metadata.name,
        labels: object.metadata.labels,
        podLabels: object.spec.template.metadata.labels,
        containers: [
          ...object.spec.template.spec.containers,
          ...(object.spec.template.spec.initContainers ?? []),
        ].map((c: any) => c.name),
      };
      const ref = `component:default/${object.metadata.name}`;
      const entity = owned(object.metadata.name) as any;
      // Where the policy refuses, the check finds a missing label or the
      // sidecar; where it admits, only disagreements with the catalog.
      const missing = admissionProblems(w, entity, ref).filter(p =>
        p.startsWith('no '),
      );
      expect(missing.length > 0).toBe(refusals(object).length > 0);
    }
    expect(refusals(LISTS.deployments[1])).toHaveLength(3);
  });

  it('reads the workloads of the configured clusters and scores each service', async () => {
    const cluster = await fakeCluster();
    try {
      const server = await start({
        entities: [
          owned('storefront', k8s('storefront')),
          owned('legacy-cms', k8s('legacy-cms')),
          owned('orders-api', k8s('orders-api')),
          owned('gone-api', k8s('gone-api')),
          // Not on Kubernetes: the check does not apply.
          owned('batch-tool'),
        ],
        config: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'prod',
                    url: `${cluster.url}/`,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 'cluster-token',
                  },
                ],
              },
            ],
          },
        },
      });
      const evaluated = await request(server)
        .post('/api/secops/scorecards/evaluations')
        .set('authorization', securityLead);
      expect(evaluated.status).toBe(200);
      const result = async (name: string) => {
        const card = await request(server).get(
          `/api/secops/entities/component/default/${name}/scorecard`,
        );
        return card.body.checks.find((c: any) => c.id === 'admission-labels');
      };
      expect(await result('storefront')).toMatchObject({
        passed: true,
        detail:
          '2 workloads with the admission labels and the security-sidecar',
      });
      expect((await result('legacy-cms')).detail).toBe(
        'Deployment shop/legacy-cms in prod: no portal.acme.example/owner on its pod template; ' +
          'Deployment shop/legacy-cms in prod: no portal.acme.example/cost-entity on its pod template; ' +
          'Deployment shop/legacy-cms in prod: no security-sidecar container',
      );
      expect(await result('orders-api')).toMatchObject({
        passed: false,
        detail:
          'Deployment shop/orders-api in prod: portal.acme.example/cost-entity is component.default.storefront, not component.default.orders-api',
      });
      expect(await result('gone-api')).toMatchObject({
        passed: false,
        detail:
          'no workload labelled backstage.io/kubernetes-id=gone-api in prod',
      });
      expect(await result('batch-tool')).toBeUndefined();
      expect(cluster.seen).toEqual(
        expect.arrayContaining([
          '/apis/apps/v1/deployments?labelSelector=backstage.io%2Fkubernetes-id',
          '/apis/apps/v1/statefulsets?labelSelector=backstage.io%2Fkubernetes-id',
          '/apis/apps/v1/daemonsets?labelSelector=backstage.io%2Fkubernetes-id',
        ]),
      );
      const checks = await request(server).get('/api/secops/scorecards/checks');
      expect(checks.body.items.map((c: any) => c.id)).toContain(
        'admission-labels',
      );
    } finally {
      cluster.close();
    }
  }, 120_000);

  it('cannot tell, rather than fails, when a cluster could not be read, and is not offered without clusters', async () => {
    const cluster = await fakeCluster({ failDaemonSets: true });
    try {
      const logger = mockServices.logger.mock();
      const check = admissionLabelsCheck(
        new KubernetesWorkloads({
          clusters: [
            {
              name: 'prod',
              url: cluster.url,
              serviceAccountToken: 'cluster-token',
            },
          ],
          logger,
        }),
      );
      const entity = owned('storefront', k8s('storefront')) as any;
      const outcomes = await check.evaluate(
        [{ ref: 'component:default/storefront', entity }],
        { now: new Date() },
      );
      // Its workloads may be those that could not be read: not a failure.
      expect(outcomes.get('component:default/storefront')).toEqual({
        passed: false,
        unknown: true,
        detail: 'could not tell: prod could not be read',
      });
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /Could not read the workloads of cluster prod: Error: HTTP 503/,
        ),
      );
    } finally {
      cluster.close();
    }
    const server = await start({
      entities: [owned('storefront', k8s('storefront'))],
    });
    const checks = await request(server).get('/api/secops/scorecards/checks');
    expect(checks.body.items.map((c: any) => c.id)).not.toContain(
      'admission-labels',
    );
  }, 120_000);

  it('leaves a service not evaluated when a cluster answers 401 or not at all, and still fails what it read without the labels', async () => {
    const cluster = await fakeCluster();
    // A cluster that does not answer: its port closed.
    const gone = await fakeCluster();
    gone.close();
    try {
      const server = await start({
        entities: [
          owned('storefront', k8s('storefront')),
          owned('legacy-cms', k8s('legacy-cms')),
          owned('gone-api', k8s('gone-api')),
        ],
        config: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'prod',
                    url: cluster.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 'cluster-token',
                  },
                  {
                    // Its token refused: 401.
                    name: 'staging',
                    url: cluster.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 'expired-token',
                  },
                  {
                    name: 'dr',
                    url: gone.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 'cluster-token',
                  },
                ],
              },
            ],
          },
        },
      });
      const evaluated = await request(server)
        .post('/api/secops/scorecards/evaluations')
        .set('authorization', securityLead);
      expect(evaluated.status).toBe(200);
      const card = async (name: string) =>
        (
          await request(server).get(
            `/api/secops/entities/component/default/${name}/scorecard`,
          )
        ).body;
      const admission = (c: any) =>
        c.checks.find((check: any) => check.id === 'admission-labels');
      // Read in prod and missing the labels: fails, whatever else is unread.
      const legacy = await card('legacy-cms');
      expect(admission(legacy)).toMatchObject({
        passed: false,
        detail:
          'Deployment shop/legacy-cms in prod: no portal.acme.example/owner on its pod template; ' +
          'Deployment shop/legacy-cms in prod: no portal.acme.example/cost-entity on its pod template; ' +
          'Deployment shop/legacy-cms in prod: no security-sidecar container' +
          ' (staging, dr could not be read)',
      });
      // On the path in prod, or not found there: what runs in staging and
      // dr is unknown, so the check is not evaluated (no result, not
      // counted), rather than failed.
      for (const name of ['storefront', 'gone-api']) {
        const other = await card(name);
        expect(admission(other)).toBeUndefined();
        expect(other.total).toBe(legacy.total - 1);
      }
    } finally {
      cluster.close();
    }
  }, 120_000);
});
