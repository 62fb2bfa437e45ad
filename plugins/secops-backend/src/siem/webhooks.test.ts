import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createSecopsStores } from '../database/createSecopsStores';
import { testDatabaseIds } from '@portal/test-utils';
import { backoff, deliver, readWebhookTargets, withoutUrl } from './webhooks';

/** A SIEM on loopback that fails the first `failures` requests. */
async function fakeSiem(failures: number) {
  const received: string[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      calls += 1;
      if (calls <= failures) {
        res.writeHead(503).end();
        return;
      }
      expect(req.headers['content-type']).toBe('application/x-ndjson');
      expect(req.headers.authorization).toBe('Splunk abc');
      received.push(...body.split('\n').filter(Boolean));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // The token in the URL is the secret a SIEM collector URL often holds.
    url: `http://127.0.0.1:${port}/collector/hec-secret-42?token=hec-secret-42`,
    received,
    calls: () => calls,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

const databases = TestDatabases.create({ ids: testDatabaseIds() });

describe.each(databases.eachSupportedId())('SIEM webhooks on %p', id => {
  it('pushes every event once accepted, retrying with backoff after a failure', async () => {
    const knex = await databases.init(id);
    const stores = await createSecopsStores({
      database: mockServices.database({ knex }),
    });
    const store = stores.events;
    const findings = Array.from({ length: 5 }, (_, i) => ({
      fingerprint: `fp-${i}`,
      category: 'sca' as const,
      severity: 'high' as const,
      ruleId: `CVE-2026-000${i}`,
      title: `finding ${i}`,
    }));
    await stores.findings.ingest(
      {
        entityRef: 'component:default/payments-api',
        tool: 'trivy',
        format: 'trivy',
        uploadedBy: 'service:ci',
        reportSha256: 'x',
        findings,
      },
      new Date('2026-01-01Z'),
    );

    const siem = await fakeSiem(1);
    const [target] = readWebhookTargets(
      new ConfigReader({
        secops: {
          siem: {
            webhooks: [
              {
                name: 'splunk',
                url: siem.url,
                headers: { authorization: 'Splunk abc' },
                batchSize: 2,
              },
            ],
          },
        },
      }),
    );
    let clock = new Date('2026-01-01T00:00:00Z');
    const run = () =>
      deliver({
        target,
        store,
        logger: mockServices.logger.mock(),
        now: () => clock,
      });

    expect(await run()).toEqual({ sent: 0, failed: true });
    const failed = await store.getWebhookDelivery('splunk');
    expect(failed).toMatchObject({ attempts: 1, cursor: '0' });
    expect(failed.lastError).toMatch(/answered 503/);
    // What the deliveries list (GET /export/webhooks) shows holds no URL.
    expect(JSON.stringify(await store.listWebhookDeliveries())).not.toMatch(
      /hec-secret|127\.0\.0\.1/,
    );

    // Before the backoff is over, nothing is tried.
    clock = new Date(clock.getTime() + backoff(1) - 1000);
    expect(await run()).toEqual({ sent: 0, failed: false });
    expect(siem.calls()).toBe(1);

    clock = new Date(clock.getTime() + 2000);
    expect(await run()).toEqual({ sent: 5, failed: false });
    expect(siem.received).toHaveLength(5);
    expect(JSON.parse(siem.received[0])).toMatchObject({
      class_uid: 2002,
      activity_name: 'Create',
    });
    expect(await store.getWebhookDelivery('splunk')).toMatchObject({
      attempts: 0,
    });

    // Nothing new: nothing sent.
    expect(await run()).toEqual({ sent: 0, failed: false });
    expect(siem.calls()).toBe(4); // 1 failure + 3 batches of at most 2
    await siem.close();
  });
});

describe('readWebhookTargets', () => {
  it('refuses a URL that is not http(s)', () => {
    expect(() =>
      readWebhookTargets(
        new ConfigReader({
          secops: {
            siem: { webhooks: [{ name: 'x', url: 'file:///etc/passwd' }] },
          },
        }),
      ),
    ).toThrow(/not an http\(s\) URL/);
  });

  it('backs off exponentially up to an hour', () => {
    expect([1, 2, 3].map(backoff)).toEqual([30000, 60000, 120000]);
    expect(backoff(20)).toBe(3600000);
  });
});

describe('webhook errors', () => {
  it('leave out the webhook URL and the secrets of any other URL', () => {
    const url = 'https://hec.acme.example/services/collector/T0K3N?channel=c';
    expect(
      withoutUrl(
        `request to ${url} failed; redirected to https://user:pw@other.example/x?key=k#f`,
        url,
      ),
    ).toBe(
      'request to <webhook URL> failed; redirected to https://other.example/x',
    );
  });
});
