/*
 * What the SecOps backend's tests share: the scanner reports of the
 * repository's fixtures/, a catalog of two services of two teams, the
 * machine identities (GitHub Actions CI bound to its repository, a SIEM and
 * a scanner granted), the plugin started as a test backend with a policy and
 * an auditor that records, and an upload of a report. (In __testUtils__,
 * where the lint takes test helpers for what they are.)
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  BackendFeature,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  SignalPayload,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import {
  notificationService,
  NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import request from 'supertest';
import { secopsPlugin } from '../plugin';

const fixtures = path.resolve(__dirname, '../../../../fixtures');
/** The path of a file of the repository's fixtures/. */
export const fixturePath = (name: string) => path.join(fixtures, name);
export const fixture = (name: string) => fs.readFileSync(fixturePath(name));

export const component = (name: string, owner: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-origin-location': `url:https://github.com/acme/${name}/blob/main/catalog-info.yaml`,
    },
  },
  spec: { owner, type: 'service' },
});
export const payments = component(
  'payments-api',
  'group:default/team-checkout',
);
export const cart = component('cart-service', 'group:default/team-catalog');

/** GitHub Actions OIDC tokens bound to their repository; two granted machines. */
export const machineConfig = {
  machineIdentity: {
    ci: [
      { subjectPrefix: 'external:github-actions:repo:', host: 'github.com' },
    ],
    grants: [
      { subject: 'siem', allow: ['secops.export'] },
      { subject: 'security-scanner', allow: ['secops.upload', 'secops.read'] },
    ],
  },
};
/** A machine's bearer token with the given verified subject. */
export const machineHeader = (subject: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'secops',
  });
/** The token of a CI run of a GitHub repository, as jwks access makes it. */
export const ciHeader = (repository: string) =>
  machineHeader(
    `external:github-actions:repo:${repository}:ref:refs/heads/main`,
  );
export const securityLead = mockCredentials.user.header(
  'user:default/security-lead',
);

/** What the auditor was told: each event's id, final status and error. */
export type AuditRecord = { eventId: string; status: string; error?: string };

/**
 * The SecOps plugin on a test backend (its database in memory), with the
 * catalog, policy, configuration and recording auditor asked for.
 */
export async function start(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    /** A policy by permission name, instead of one answer for all. */
    policy?: (
      permission: string,
    ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    config?: object;
    audit?: AuditRecord[];
    /** The catalog, instead of payments-api and cart-service. */
    entities?: object[];
    /** Where the notifications the plugin sends go. */
    notifications?: NotificationSendOptions[];
    /** Where the signals the plugin publishes go. */
    signals?: SignalPayload[];
    /** More features: modules of the plugin's extension points. */
    features?: BackendFeature[];
  } = {},
): Promise<http.Server> {
  const policy = options.policy;
  const { server } = await startTestBackend({
    features: [
      secopsPlugin,
      catalogServiceMock.factory({
        entities: (options.entities ?? [payments, cart]) as any,
      }),
      policy
        ? mockServices.permissions.mock({
            authorize: async requests =>
              requests.map(r => ({ result: policy(r.permission.name) })),
            authorizeConditional: async requests =>
              requests.map(r => ({ result: policy(r.permission.name) })),
          }).factory
        : mockServices.permissions.factory({
            result: options.permission ?? AuthorizeResult.ALLOW,
          }),
      mockServices.rootConfig.factory({ data: options.config ?? {} }),
      ...(options.audit ? [auditorInto(options.audit).factory] : []),
      ...(options.notifications
        ? [notificationsInto(options.notifications)]
        : []),
      ...(options.signals ? [signalsInto(options.signals)] : []),
      ...(options.features ?? []),
    ],
  });
  return server;
}

/** A notification service that keeps what is sent. */
function notificationsInto(sent: NotificationSendOptions[]) {
  return createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({
      send: async (notification: NotificationSendOptions) => {
        sent.push(notification);
      },
    }),
  });
}

/** A signals service that keeps what is published. */
function signalsInto(published: SignalPayload[]) {
  return createServiceFactory({
    service: signalsServiceRef,
    deps: {},
    factory: () => ({
      publish: async (signal: SignalPayload) => {
        published.push(signal);
      },
    }),
  });
}

/** An auditor that records each event's id, final status and error. */
export function auditorInto(records: AuditRecord[]) {
  return mockServices.auditor.mock({
    createEvent: async ({ eventId, request: req }) => {
      const record: AuditRecord = { eventId, status: 'initiated' };
      records.push(record);
      // As the real auditor does: the caller's address, read each time.
      const address = () => req?.ip;
      address();
      return {
        success: async () => {
          address();
          record.status = 'succeeded';
        },
        fail: async ({ error }) => {
          address();
          record.status = 'failed';
          record.error = error.message;
        },
      };
    },
  });
}

/** Uploads a report, as CI does. */
export const upload = (
  server: Awaited<ReturnType<typeof start>>,
  query: Record<string, string>,
  body: Buffer | string,
) =>
  request(server)
    .post('/api/secops/reports')
    .query(query)
    .set('content-type', 'application/octet-stream')
    .send(body);

export const trivyQuery = {
  entityRef: 'component:default/payments-api',
  tool: 'trivy',
  format: 'trivy',
  commit: 'a1b2c3d4e5f6',
  branch: 'main',
};
