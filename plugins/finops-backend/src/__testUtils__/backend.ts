/*
 * What the FinOps backend's tests share: a small organisation in the
 * catalog, the portal's real permission policy over who is who, the plugin
 * started on it, callers' tokens and a FOCUS billing export.
 */
import {
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  PortalPermissionPolicy,
  readPortalPolicyOptions,
} from '@portal/plugin-permission-backend-module-portal-policy';
import { Server } from 'node:http';
import request from 'supertest';
import { daysBetween } from '../database/days';
import { finopsPlugin } from '../plugin';

// A small organisation: Acme -> Engineering -> Checkout, Catalog; Acme ->
// Finance -> FinOps.
export function group(
  name: string,
  parent?: string,
  children: string[] = [],
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: parent ? 'team' : 'organization', children },
    relations: [
      ...(parent
        ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
        : []),
      ...children.map(c => ({
        type: 'parentOf',
        targetRef: `group:default/${c}`,
      })),
    ],
  };
}

export function owned(
  kind: string,
  name: string,
  owner: string,
  system?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: { owner: `group:default/${owner}`, system },
    relations: [
      { type: 'ownedBy', targetRef: `group:default/${owner}` },
      ...(system
        ? [{ type: 'partOf', targetRef: `system:default/${system}` }]
        : []),
    ],
  };
}

export const entities: Entity[] = [
  group('acme', undefined, ['engineering', 'finance']),
  {
    ...group('engineering', 'acme', ['team-checkout', 'team-catalog']),
    spec: { type: 'department' },
  },
  group('team-checkout', 'engineering'),
  group('team-catalog', 'engineering'),
  {
    ...group('finance', 'acme', ['team-finops']),
    spec: { type: 'department' },
  },
  group('team-finops', 'finance'),
  owned('System', 'shop', 'team-checkout'),
  owned('Component', 'payments-api', 'team-checkout', 'shop'),
  owned('Component', 'checkout-service', 'team-checkout', 'shop'),
  owned('Component', 'catalog-service', 'team-catalog'),
  owned('Resource', 'orders-db', 'team-checkout', 'shop'),
  user('ben-okafor', 'team-checkout'),
  user('maya-patel', 'engineering'),
];

export function user(name: string, team: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: [team] },
    relations: [{ type: 'memberOf', targetRef: `group:default/${team}` }],
  };
}

// Who is who: what sign-in gives as ownership, and the role groups.
export const PEOPLE: Record<string, { claims: string[]; roles: string[] }> = {
  'user:default/ben-okafor': {
    claims: ['group:default/team-checkout'],
    roles: ['group:default/team-checkout', 'group:default/engineering'],
  },
  'user:default/maya-patel': {
    claims: [
      'group:default/engineering',
      'group:default/team-checkout',
      'group:default/team-catalog',
    ],
    roles: ['group:default/engineering', 'group:default/acme'],
  },
  'user:default/priya-sharma': {
    claims: ['group:default/team-finops'],
    roles: ['group:default/team-finops', 'group:default/finance'],
  },
};

/** The permissions service with the portal's real policy behind it. */
export const policyPermissions = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory(): PermissionsService {
    const policy = new PortalPermissionPolicy(
      readPortalPolicyOptions(new ConfigReader({})),
      async ref => PEOPLE[ref]?.roles ?? [],
    );
    const decide = async (permission: any, credentials: any): Promise<any> => {
      const principal = credentials.principal;
      if (principal.type !== 'user') return { result: AuthorizeResult.ALLOW };
      const ref = principal.userEntityRef;
      return policy.handle(
        { permission },
        {
          credentials,
          info: {
            userEntityRef: ref,
            ownershipEntityRefs: [ref, ...(PEOPLE[ref]?.claims ?? [])],
          },
        },
      );
    };
    return {
      async authorize(requests, { credentials }) {
        return Promise.all(
          requests.map(async r => {
            const decision = await decide(r.permission, credentials);
            return {
              result:
                decision.result === AuthorizeResult.ALLOW
                  ? AuthorizeResult.ALLOW
                  : AuthorizeResult.DENY,
            };
          }),
        );
      },
      async authorizeConditional(requests, { credentials }) {
        return Promise.all(
          requests.map(r => decide(r.permission, credentials)),
        );
      },
    } as PermissionsService;
  },
});

/** What the auditor was told: each event's id, final status and error. */
export type AuditRecord = { eventId: string; status: string; error?: string };

/** An auditor that records each event's id, final status and error. */
function auditorInto(records: AuditRecord[]) {
  return mockServices.auditor.mock({
    createEvent: async ({ eventId }) => {
      const record: AuditRecord = { eventId, status: 'initiated' };
      records.push(record);
      return {
        success: async () => {
          record.status = 'succeeded';
        },
        fail: async ({ error }) => {
          record.status = 'failed';
          record.error = error.message;
        },
      };
    },
  });
}

/**
 * The FinOps plugin on a test backend, with `finops` as its configuration
 * (and `config` besides), recording the audit in `audit` when given.
 */
export async function start(
  finops: object = {},
  config: object = {},
  audit?: AuditRecord[],
): Promise<Server> {
  const { server } = await startTestBackend({
    features: [
      finopsPlugin,
      catalogServiceMock.factory({ entities }),
      policyPermissions,
      mockServices.rootConfig.factory({
        data: { finops: { currency: 'USD', ...finops }, ...config },
      }),
      ...(audit ? [auditorInto(audit).factory] : []),
    ],
  });
  return server;
}

/** A machine's bearer token with the given verified subject. */
export const machine = (subject: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'finops',
  });

export const as = (ref: string) => mockCredentials.user.header(ref);
export const BEN = as('user:default/ben-okafor');
export const MAYA = as('user:default/maya-patel');
export const PRIYA = as('user:default/priya-sharma');

export const HEADER =
  'ChargePeriodStart,ChargeCategory,ServiceName,SubAccountId,EffectiveCost,BillingCurrency,Tags';

/** 60 days of spend up to 2026-10-31, with a spike on the last day. */
export function billingExport(options: { spike?: boolean } = {}) {
  const tag = (ref: string) =>
    `"${JSON.stringify({ 'portal-entity-ref': ref }).replace(/"/g, '""')}"`;
  const lines = [HEADER];
  for (const day of daysBetween('2026-09-01', '2026-10-31')) {
    const spike = options.spike && day === '2026-10-31' ? 10 : 1;
    lines.push(
      `${day}T00:00:00Z,Usage,EC2,1111,${10 * spike},USD,${tag(
        'component:default/payments-api',
      )}`,
      `${day}T00:00:00Z,Usage,S3,1111,2,USD,${tag(
        'component:default/checkout-service',
      )}`,
      `${day}T00:00:00Z,Usage,RDS,1111,30,USD,${tag(
        'resource:default/orders-db',
      )}`,
      `${day}T00:00:00Z,Usage,EC2,2222,5,USD,${tag(
        'component:default/catalog-service',
      )}`,
      `${day}T00:00:00Z,Usage,Support,3333,4,USD,`,
      `${day}T00:00:00Z,Usage,EC2,3333,1,USD,${tag('billing')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function importExport(
  server: Server,
  body: string | Buffer,
  who = PRIYA,
) {
  return request(server)
    .post('/api/finops/imports/focus')
    .query({ source: 'aws-main' })
    .set('authorization', who)
    .set('content-type', 'text/csv')
    .send(body);
}
