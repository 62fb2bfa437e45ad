/*
 * CI authenticates as its own repository: GitHub Actions OIDC tokens are
 * verified by the real auth services against a JWKS (served here, as
 * GitHub serves token.actions.githubusercontent.com/.well-known/jwks), with
 * issuer and audience pinned, and bound to the entities registered from
 * that repository. A static token is restricted to the plugin it is for.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import secopsPlugin from '@portal/plugin-secops-backend';
import srePlugin from '@portal/plugin-sre-backend';
import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';

const repoRoot = path.resolve(__dirname, '../../..');
const ISSUER = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'acme-developer-portal';

const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-origin-location': `url:https://github.com/acme-commerce/${name}/blob/main/catalog-info.yaml`,
    },
  },
  spec: { owner: 'group:default/team-checkout', type: 'service' },
});

function keyPair(kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  return {
    kid,
    privateKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256' },
  };
}

/** A JWT as GitHub Actions issues it (RS256). */
function jwt(
  key: { kid: string; privateKey: KeyObject },
  claims: Record<string, unknown>,
) {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'RS256', typ: 'JWT', kid: key.kid });
  const payload = part({
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    nbf: now - 5,
    // GitHub's tokens live minutes; this one an hour, so a slow machine
    // never sees it expire.
    exp: now + 3600,
    ...claims,
  });
  const signature = sign(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    key.privateKey,
  ).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

const ci = (repository: string, context = 'ref:refs/heads/main') => ({
  sub: `repo:${repository}:${context}`,
  repository,
  repository_owner: repository.split('/')[0],
});

describe('CI identity (GitHub Actions OIDC)', () => {
  const github = keyPair('github-1');
  const stranger = keyPair('github-1');
  let jwks: http.Server;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  const report = fs.readFileSync(
    path.join(repoRoot, 'fixtures/trivy/trivy-alpine-310-image.json'),
  );

  const upload = (token: string, entity: string) =>
    request(server)
      .post('/api/secops/reports')
      .query({ entityRef: `component:default/${entity}`, tool: 'trivy' })
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/octet-stream')
      .send(report);

  beforeAll(async () => {
    jwks = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [github.jwk] }));
    });
    await new Promise<void>(resolve => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    const backend = await startTestBackend({
      features: [
        secopsPlugin,
        srePlugin,
        authServiceFactory,
        httpAuthServiceFactory,
        catalogServiceMock.factory({
          entities: [component('payments-api'), component('cart-service')],
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              auth: {
                externalAccess: [
                  {
                    type: 'jwks',
                    options: {
                      url: `http://127.0.0.1:${port}/.well-known/jwks`,
                      issuer: ISSUER,
                      audience: AUDIENCE,
                      algorithm: 'RS256',
                      subjectPrefix: 'github-actions',
                    },
                    accessRestrictions: [{ plugin: 'secops' }],
                  },
                  {
                    type: 'static',
                    options: {
                      token: 'local-ci-wishlist-service-token',
                      subject: 'local-ci:wishlist-service',
                    },
                    accessRestrictions: [{ plugin: 'secops' }],
                  },
                ],
              },
            },
            machineIdentity: {
              ci: [
                {
                  subjectPrefix: 'external:github-actions:repo:',
                  host: 'github.com',
                  owners: ['acme-commerce'],
                },
              ],
            },
          },
        }),
      ],
    });
    server = backend.server;
  });

  afterAll(async () => {
    await server?.close();
    await new Promise(resolve => jwks.close(resolve));
  });

  it("uploads for its own repository's entity and nobody else's", async () => {
    const token = jwt(github, ci('acme-commerce/payments-api'));
    const own = await upload(token, 'payments-api');
    expect(own.status).toBe(201);
    expect(own.body.closesMissing).toBe(true);
    const other = await upload(token, 'cart-service');
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(
      /The CI of github.com\/acme-commerce\/payments-api may not upload/,
    );
  });

  it('refuses a token for another audience, from another issuer, or signed by another key', async () => {
    const claims = ci('acme-commerce/payments-api');
    for (const token of [
      jwt(github, { ...claims, aud: 'someone-else' }),
      jwt(github, { ...claims, iss: 'https://issuer.example' }),
      jwt(stranger, claims),
      jwt(github, { ...claims, exp: Math.floor(Date.now() / 1000) - 60 }),
    ]) {
      expect((await upload(token, 'payments-api')).status).toBe(401);
    }
  });

  it('refuses a repository of another organisation, even one named like ours', async () => {
    const token = jwt(github, ci('mallory/payments-api'));
    const res = await upload(token, 'payments-api');
    expect(res.status).toBe(403);
  });

  it('keeps CI tokens to the plugin they are for', async () => {
    const token = jwt(github, ci('acme-commerce/payments-api'));
    const sre = await request(server)
      .get('/api/sre/status')
      .set('authorization', `Bearer ${token}`);
    expect(sre.status).toBe(403);
    const local = await request(server)
      .get('/api/sre/status')
      .set('authorization', 'Bearer local-ci-wishlist-service-token');
    expect(local.status).toBe(403);
  });
});
