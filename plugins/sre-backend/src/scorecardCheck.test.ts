/*
 * SRE's scorecard check over HTTP: the SRE plugin evaluates two SLOs (one
 * within budget, one spent) on a test backend, and the check reads them
 * as the SecOps plugin would, through sre-node's client (a plugin token
 * on behalf of the portal itself, many entities per call).
 */
import {
  createBackendModule,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  DefaultSreReliabilityService,
  sreSliSourcesExtensionPoint,
} from '@portal/plugin-sre-node';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { srePlugin } from './plugin';
import { sloCheck, sloOutcome } from './scorecardCheck';
import { entities } from './testing/catalog';

const slo = (name: string, query: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  timeWindow: [{ duration: 28d, isRolling: true }]
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { type: Prometheus, spec: { query: '${query}_ok' } } }
        total: { metricSource: { type: Prometheus, spec: { query: '${query}_all' } } }
  objectives: [{ target: 0.99 }]
`;

/** A service of team-checkout with the given annotations and type. */
const service = (
  name: string,
  annotations: Record<string, string>,
  type = 'service',
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type, owner: 'team-checkout' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-checkout' }],
});

const flaky = service('flaky-api', {
  'acme.example/openslo-inline': slo('latency', 'flaky'),
});
const library = service('money-lib', {}, 'library');

/** Answers 99.9 % good, except for flaky-api's queries: half. */
const source = createBackendModule({
  pluginId: 'sre',
  moduleId: 'check-source',
  register(env) {
    env.registerInit({
      deps: { sources: sreSliSourcesExtensionPoint },
      async init({ sources }) {
        sources.addSliSource({
          type: 'Prometheus',
          describe: () => ({ name: 'test', url: 'http://prometheus' }),
          ratios: async (query, windows) =>
            Object.fromEntries(
              windows.map(w => [w, query.good.includes('flaky') ? 0.5 : 0.999]),
            ),
        });
      },
    });
  },
});

const ref = (entity: { metadata: { name: string } }) =>
  `component:default/${entity.metadata.name}`;

describe('the SLO scorecard check', () => {
  it('judges SLOs: none, spent, unmeasured, within budget', () => {
    const brief = (
      status: 'ok' | 'exhausted' | 'no-data' | 'burning',
      left: number | null,
    ) => ({
      id: 'a'.repeat(64),
      name: status,
      status,
      errorBudgetRemaining: left,
    });
    expect(sloOutcome([])).toMatchObject({ passed: false });
    expect(sloOutcome([brief('ok', 0.8), brief('exhausted', -0.2)])).toEqual({
      passed: false,
      detail: '1 of 2 SLOs out of error budget (exhausted)',
      records: [`slo:${'a'.repeat(64)}`, `slo:${'a'.repeat(64)}`],
    });
    expect(sloOutcome([brief('no-data', null)]).detail).toBe(
      '1 of 1 SLOs without data (no-data): their SLI queries answer nothing',
    );
    // Burning, but budget is left: within it.
    expect(
      sloOutcome([brief('burning', 0.31), brief('ok', 0.9)]),
    ).toMatchObject({
      passed: true,
      detail: '2 SLOs within budget (least left 31%)',
    });
  });

  it("reads SRE's evaluations over its API for many entities at once", async () => {
    const { server } = await startTestBackend({
      features: [
        srePlugin,
        source,
        catalogServiceMock.factory({
          entities: [...entities, flaky, library],
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ],
    });
    const evaluated = await request(server)
      .post('/api/sre/evaluate')
      .set('authorization', mockCredentials.user.header());
    expect(evaluated.status).toBe(200);

    const { port } = server.address() as AddressInfo;
    const discovery: DiscoveryService = {
      getBaseUrl: async id => `http://127.0.0.1:${port}/api/${id}`,
      getExternalBaseUrl: async id => `http://127.0.0.1:${port}/api/${id}`,
    };
    const auth = mockServices.auth();
    const check = sloCheck({
      reliability: new DefaultSreReliabilityService({ auth, discovery }),
      auth,
    });
    const [payments, broken] = entities.filter(e => e.kind === 'Component');
    const batch = [payments, broken, flaky].map(entity => ({
      ref: ref(entity),
      entity,
    }));
    // Not in the catalog: left out of the answer (the scorecards record "no result").
    const ghost = service('ghost', {});
    batch.push({ ref: ref(ghost), entity: ghost as any });
    const outcomes = await check.evaluate(batch, { now: new Date() });

    expect(Object.fromEntries(outcomes)).toEqual({
      'component:default/payments-api': {
        passed: true,
        detail: '1 SLO within budget (least left 80%)',
        records: [expect.stringMatching(/^slo:[0-9a-f]{64}$/)],
      },
      'component:default/broken': {
        passed: false,
        detail:
          'no SLO defined: declare one in OpenSLO (the acme.example/openslo annotation)',
      },
      'component:default/flaky-api': {
        passed: false,
        detail: '1 of 1 SLOs out of error budget (latency)',
        records: [expect.stringMatching(/^slo:[0-9a-f]{64}$/)],
      },
    });
    expect(check.appliesTo?.(library as any)).toBe(false);
    expect(check.appliesTo?.(flaky as any)).toBe(true);

    // A token of a machine granted nothing is refused, and the check says so.
    const refused = sloCheck({
      reliability: new DefaultSreReliabilityService({ auth, discovery }),
      auth: {
        ...auth,
        getOwnServiceCredentials: async () =>
          mockCredentials.service('external:ungranted'),
      },
    });
    await expect(refused.evaluate(batch, { now: new Date() })).rejects.toThrow(
      /403/,
    );
  }, 120_000);
});
