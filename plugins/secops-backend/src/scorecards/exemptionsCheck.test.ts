/*
 * The exemptions check on SQLite and PostgreSQL: a service relying on an
 * approved, unexpired exemption passes with who approved it; one whose
 * exemption lapsed while its finding is still open fails until the
 * finding is fixed or a new exemption approved; pending requests and
 * exemptions of fixed findings do not count.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ParsedFinding } from '@portal/plugin-secops-common';
import { testDatabaseIds } from '@portal/test-utils';
import { createSecopsStores } from '../database/createSecopsStores';
import { exemptionsCurrentCheck } from './builtInChecks';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

const finding = (n: number): ParsedFinding => ({
  fingerprint: `fp-${n}`,
  category: 'sca',
  severity: 'critical',
  ruleId: `CVE-2026-${1000 + n}`,
  title: `Vulnerable package ${n}`,
  packageName: `pkg-${n}`,
  packageVersion: '1.0.0',
});

const DAY = 86_400_000;
const T0 = new Date('2026-11-01T00:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const ref = (name: string) => `component:default/${name}`;

describe.each(databases.eachSupportedId())('The exemptions check on %p', id => {
  it('passes services whose exemptions are approved and current, and fails lapsed ones on open findings', async () => {
    const knex = await databases.init(id);
    const { findings, exemptions } = await createSecopsStores({
      database: mockServices.database({ knex }),
    });
    const scan = (name: string, list: ParsedFinding[], when: Date) =>
      findings.ingest(
        {
          entityRef: ref(name),
          tool: 'trivy',
          format: 'trivy',
          uploadedBy: 'user:default/ben-okafor',
          reportSha256: `${name}-${when.toISOString()}`,
          findings: list,
        },
        when,
      );
    const exempt = async (
      name: string,
      fingerprint: string,
      expiresInDays: number,
      approve = true,
    ) => {
      const { items } = await findings.listFindings({
        entityRef: ref(name),
        limit: 50,
      });
      const target = items.find(f => f.fingerprint === fingerprint)!;
      const asked = await exemptions.createExemption(
        {
          findingId: target.id,
          entityRef: ref(name),
          justification: 'A compensating control is in place.',
          requestedBy: 'user:default/ben-okafor',
          expiresAt: at(expiresInDays),
        },
        at(1),
      );
      if (approve) {
        await exemptions.decideExemption(
          asked.id,
          { status: 'approved', decidedBy: 'user:default/jonas-berg' },
          at(2),
        );
      }
      return asked.id;
    };

    for (const name of ['current', 'lapsed', 'fixed', 'none']) {
      await scan(name, [finding(1), finding(2)], T0);
    }
    const current = await exempt('current', 'fp-1', 60);
    await exempt('current', 'fp-2', 90, false); // pending: not relied on
    const lapsed = await exempt('lapsed', 'fp-1', 10);
    await exempt('lapsed', 'fp-2', 60);
    await exempt('fixed', 'fp-1', 10);
    // fixed's finding went away with its next scan.
    await scan('fixed', [finding(2)], at(5));

    const check = exemptionsCurrentCheck(exemptions);
    const batch = ['current', 'lapsed', 'fixed', 'none'].map(name => ({
      ref: ref(name),
      entity: {} as Entity,
    }));
    const outcomes = Object.fromEntries(
      await check.evaluate(batch, { now: at(20) }),
    );
    expect(outcomes).toEqual({
      [ref('current')]: {
        passed: true,
        detail:
          '1 finding exempted until 2026-12-31 at the earliest, approved by user:default/jonas-berg',
        records: [`exemption:${current}`],
      },
      [ref('lapsed')]: {
        passed: false,
        detail:
          '1 open finding whose exemption expired (the latest on 2026-11-11): fix or ask again',
        records: [`exemption:${lapsed}`, expect.stringMatching(/^exemption:/)],
      },
      [ref('fixed')]: { passed: true, detail: 'no exemptions in use' },
      [ref('none')]: { passed: true, detail: 'no exemptions in use' },
    });
    // Before the lapse, the same exemptions are current.
    const earlier = await check.evaluate(batch, { now: at(5) });
    expect(earlier.get(ref('lapsed'))).toMatchObject({
      passed: true,
      detail: expect.stringMatching(/^2 findings exempted until 2026-11-11/),
    });
  }, 120_000);
});
