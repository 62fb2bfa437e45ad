/*
 * The catalog the SRE backend's tests run against: a team, a service of it
 * with an SLO, dashboards and logs, a service whose SLO cannot be read, and
 * a member of the team.
 */
import { Entity } from '@backstage/catalog-model';

const SLO = `apiVersion: openslo/v1
kind: SLO
metadata: { name: availability, displayName: Availability }
spec:
  timeWindow: [{ duration: 28d, isRolling: true }]
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(ok[{{window}}]))' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(all[{{window}}]))' } } }
  objectives: [{ target: 0.995 }]
`;

const owned = [{ type: 'ownedBy', targetRef: 'group:default/team-checkout' }];
export const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-checkout', namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: [],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      namespace: 'default',
      annotations: {
        'acme.example/openslo-inline': SLO,
        'backstage.io/kubernetes-id': 'payments',
        'acme.example/logs-url': 'https://logs.acme.example/payments',
      },
    },
    spec: { type: 'service', owner: 'team-checkout' },
    relations: owned,
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'broken',
      namespace: 'default',
      annotations: {
        'acme.example/openslo-inline':
          'kind: SLO\napiVersion: openslo/v9\nmetadata: { name: x }\n',
      },
    },
    spec: { type: 'service', owner: 'team-checkout' },
    relations: owned,
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'checkout-dev', namespace: 'default' },
    spec: { memberOf: ['team-checkout'] },
    relations: [{ type: 'memberOf', targetRef: 'group:default/team-checkout' }],
  },
];
