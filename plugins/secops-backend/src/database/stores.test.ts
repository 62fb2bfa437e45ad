import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ParsedFinding } from '@portal/plugin-secops-common';
import { Entity } from '@backstage/catalog-model';
import { GatePolicy } from '@portal/plugin-secops-common';
import { evaluateGate, gateOutcomes } from '../service/gates';
import { createSecopsStores } from './createSecopsStores';
import { Scorecards } from '../scorecards/Scorecards';
import { ControlQueries } from './ScorecardStore';
import { testDatabaseIds } from '@portal/test-utils';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

function finding(n: number, extra: Partial<ParsedFinding> = {}): ParsedFinding {
  return {
    fingerprint: `fp-${n}`,
    category: 'sca',
    severity: n % 2 ? 'high' : 'critical',
    ruleId: `CVE-2024-${1000 + n}`,
    title: `Vulnerable package ${n}`,
    packageName: `pkg-${n}`,
    packageVersion: '1.0.0',
    fixedVersion: '1.0.1',
    ...extra,
  };
}

const entityRef = 'component:default/payments-api';
const base = {
  entityRef,
  tool: 'trivy',
  format: 'trivy',
  uploadedBy: 'user:default/ben-okafor',
  reportSha256: 'abc',
};

describe.each(databases.eachSupportedId())('The SecOps stores on %p', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const stores = await createSecopsStores({
      database: mockServices.database({ knex }),
    });
    return { knex, stores };
  }

  it('knows which findings of a severity a scan brought, new or back, and none when it brought nothing', async () => {
    const { stores } = await createStore();
    const first = await stores.findings.ingest(
      {
        ...base,
        findings: [finding(1), finding(2), finding(3, { severity: 'low' })],
      },
      new Date('2026-01-01T00:00:00Z'),
    );
    const brought = await stores.findings.appearedInScan(
      first.scanId,
      'high',
      1,
    );
    expect(brought.totalCount).toBe(2);
    expect(brought.items.map(f => f.fingerprint)).toEqual(['fp-2']);
    // Fixed by a scan without it, then back: it counts again.
    await stores.findings.ingest(
      { ...base, findings: [finding(2)] },
      new Date('2026-01-02T00:00:00Z'),
    );
    const back = await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2)] },
      new Date('2026-01-03T00:00:00Z'),
    );
    expect(back).toMatchObject({ reopened: 1, unchanged: 1 });
    const reopened = await stores.findings.appearedInScan(
      back.scanId,
      'high',
      10,
    );
    expect(reopened.items.map(f => f.fingerprint)).toEqual(['fp-1']);
    const same = await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2)] },
      new Date('2026-01-04T00:00:00Z'),
    );
    expect(
      await stores.findings.appearedInScan(same.scanId, 'high', 10),
    ).toEqual({ items: [], totalCount: 0 });
  });

  it('creates findings once and recognises them when the report comes again', async () => {
    const { knex, stores } = await createStore();
    const findings = [finding(1), finding(2), finding(3)];

    const first = await stores.findings.ingest(
      { ...base, findings },
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(first).toMatchObject({
      received: 3,
      created: 3,
      unchanged: 0,
      fixed: 0,
    });

    const again = await stores.findings.ingest(
      { ...base, findings },
      new Date('2026-01-02T00:00:00Z'),
    );
    expect(again).toMatchObject({
      received: 3,
      created: 0,
      unchanged: 3,
      fixed: 0,
    });
    const [{ n }] = await knex('secops_findings').count({ n: '*' });
    expect(Number(n)).toBe(3);

    const page = await stores.findings.listFindings({ entityRef, limit: 10 });
    expect(page.items[0].firstSeenAt.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(page.items[0].lastSeenAt.toISOString()).toBe(
      '2026-01-02T00:00:00.000Z',
    );
  });

  it('marks a large report seen again in one statement, touching no other row', async () => {
    const { knex, stores } = await createStore();
    const range = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => finding(from + i));
    // More rows than one chunk of ids (1,000), and another tool's rows.
    await stores.findings.ingest(
      { ...base, findings: range(1, 2500) },
      new Date('2026-01-01Z'),
    );
    await stores.findings.ingest(
      { ...base, tool: 'semgrep', findings: range(1, 10) },
      new Date('2026-01-01Z'),
    );
    await stores.findings.ingest(
      { ...base, findings: range(1, 2499) },
      new Date('2026-01-02Z'),
    );

    // Seen again 2,498, fixed one back (2,500), one new; fp-2499 gone.
    const updates: string[] = [];
    const onQuery = (q: { sql: string }) => {
      if (/^update\s+["`]?secops_findings["`]?\s/i.test(q.sql))
        updates.push(q.sql);
    };
    knex.on('query', onQuery);
    let third;
    try {
      third = await stores.findings.ingest(
        {
          ...base,
          findings: [...range(1, 2498), finding(2500), finding(3000)],
        },
        new Date('2026-01-03Z'),
      );
    } finally {
      knex.removeListener('query', onQuery);
    }
    expect(third).toMatchObject({
      unchanged: 2498,
      reopened: 1,
      created: 1,
      fixed: 1,
    });
    // Seen again, reopened, fixed: one statement each.
    expect(updates).toHaveLength(3);

    const rows: Array<{
      tool: string;
      fingerprint: string;
      status: string;
      last_seen_at: string | Date;
      last_scan_id: string;
    }> = await knex('secops_findings').select(
      'tool',
      'fingerprint',
      'status',
      'last_seen_at',
      'last_scan_id',
    );
    const day = (at: string | Date) => new Date(at).toISOString().slice(0, 10);
    const trivy = rows.filter(r => r.tool === 'trivy');
    const byFp = new Map(trivy.map(r => [r.fingerprint, r]));
    expect(trivy).toHaveLength(2501);
    for (const fp of ['fp-1', 'fp-1000', 'fp-2498', 'fp-2500', 'fp-3000']) {
      expect(byFp.get(fp)).toMatchObject({
        status: 'open',
        last_scan_id: third.scanId,
      });
      expect(day(byFp.get(fp)!.last_seen_at)).toBe('2026-01-03');
    }
    expect(trivy.filter(r => r.last_scan_id === third.scanId)).toHaveLength(
      2500,
    );
    expect(byFp.get('fp-2499')!.status).toBe('fixed');
    expect(day(byFp.get('fp-2499')!.last_seen_at)).toBe('2026-01-02');
    for (const other of rows.filter(r => r.tool === 'semgrep')) {
      expect(day(other.last_seen_at)).toBe('2026-01-01');
      expect(other.last_scan_id).not.toBe(third.scanId);
    }
  });

  it('fixes what a later scan no longer reports and reopens what comes back', async () => {
    const { stores } = await createStore();
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2)] },
      new Date('2026-01-01Z'),
    );

    const second = await stores.findings.ingest(
      { ...base, findings: [finding(1)] },
      new Date('2026-01-02Z'),
    );
    expect(second).toMatchObject({ fixed: 1, unchanged: 1 });
    const fixedOnes = await stores.findings.listFindings({
      entityRef,
      status: 'fixed',
      limit: 10,
    });
    expect(fixedOnes.items.map(f => f.fingerprint)).toEqual(['fp-2']);
    expect(fixedOnes.items[0].fixedAt?.toISOString()).toBe(
      '2026-01-02T00:00:00.000Z',
    );

    const third = await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2)] },
      new Date('2026-01-03Z'),
    );
    expect(third).toMatchObject({ reopened: 1, unchanged: 1, created: 0 });
    const open = await stores.findings.listFindings({
      entityRef,
      status: 'open',
      limit: 10,
    });
    expect(open.items.map(f => f.fingerprint).sort()).toEqual(['fp-1', 'fp-2']);
    expect(open.items.every(f => f.fixedAt === undefined)).toBe(true);
  });

  it("keeps a pen-test finding's tester and engagement, and what each retest says", async () => {
    const { stores } = await createStore();
    const pentest = (n: number, retest: 'not-retested' | 'still-present') =>
      finding(n, {
        category: 'pentest',
        pentest: { tester: 'Acme', engagement: '2026 Q4 web', retest },
      });
    const pen = { ...base, tool: 'acme-pentest', format: 'defectdojo' };
    await stores.findings.ingest(
      {
        ...pen,
        findings: [pentest(1, 'not-retested'), pentest(2, 'not-retested')],
      },
      new Date('2026-01-01Z'),
    );
    // The retest: 1 still there, 2 gone.
    const retest = await stores.findings.ingest(
      { ...pen, findings: [pentest(1, 'still-present')] },
      new Date('2026-02-01Z'),
    );
    expect(retest).toMatchObject({ unchanged: 1, fixed: 1, created: 0 });
    const all = await stores.findings.listFindings({ entityRef, limit: 10 });
    const byFingerprint = new Map(all.items.map(f => [f.fingerprint, f]));
    expect(byFingerprint.get('fp-1')).toMatchObject({
      category: 'pentest',
      status: 'open',
      pentest: {
        tester: 'Acme',
        engagement: '2026 Q4 web',
        retestStatus: 'still-present',
      },
    });
    expect(byFingerprint.get('fp-2')?.pentest).toEqual({
      tester: 'Acme',
      engagement: '2026 Q4 web',
      retestStatus: 'fixed',
    });
    // Findings of other categories have none.
    await stores.findings.ingest(
      { ...base, findings: [finding(3)] },
      new Date('2026-02-01Z'),
    );
    const sca = await stores.findings.listFindings({
      entityRef,
      categories: ['sca'],
      limit: 10,
    });
    expect(sca.items[0].pentest).toBeUndefined();
  }, 120_000);

  it('knows the latest scan of each entity by format or tool', async () => {
    const { stores } = await createStore();
    const scan = (ref: string, tool: string, format: string, at: string) =>
      stores.findings.ingest(
        { ...base, entityRef: ref, tool, format, findings: [] },
        new Date(at),
      );
    await scan(entityRef, 'zap', 'zap', '2026-01-01Z');
    await scan(entityRef, 'zap', 'zap', '2026-01-05Z');
    await scan(entityRef, 'trivy', 'trivy', '2026-01-09Z');
    await scan('component:default/other', 'burp', 'sarif', '2026-01-03Z');
    await scan('component:default/none', 'trivy', 'trivy', '2026-01-03Z');
    const last = await stores.findings.lastScans(
      [entityRef, 'component:default/other', 'component:default/none'],
      { formats: ['zap'], tools: ['burp'] },
    );
    expect(
      Object.fromEntries([...last].map(([ref, at]) => [ref, at.toISOString()])),
    ).toEqual({
      [entityRef]: '2026-01-05T00:00:00.000Z',
      'component:default/other': '2026-01-03T00:00:00.000Z',
    });
  }, 120_000);

  it('keeps a scorecard point per check, entity and day, replacing a day written again, with the trend over a week', async () => {
    const { stores } = await createStore();
    const day = (at: string, score: number, passed: boolean) =>
      stores.scorecards.writeDay(new Date(at), {
        results: [
          {
            checkId: 'scans-fresh',
            entityRef,
            passed,
            detail: passed ? 'scanned' : 'never scanned',
            records: ['scan-1'],
          },
        ],
        entities: [
          {
            entityRef,
            level: passed ? 'bronze' : undefined,
            passed: passed ? 1 : 0,
            total: 1,
            score,
          },
        ],
        groups: [
          {
            groupRef: 'group:default/team-a',
            groupType: 'team',
            entities: 1,
            score,
            gold: 0,
            silver: 0,
            bronze: passed ? 1 : 0,
          },
          {
            groupRef: 'group:default/team-b',
            groupType: 'team',
            entities: 2,
            score: 50,
            gold: 0,
            silver: 0,
            bronze: 1,
          },
        ],
      });
    await day('2026-11-30T06:00:00Z', 0, false);
    await day('2026-12-07T06:00:00Z', 40, false);
    // Evaluated again the same day: replaced.
    await day('2026-12-07T12:00:00Z', 100, true);

    const latest = await stores.scorecards.entityResults(entityRef);
    expect(latest).toMatchObject({
      day: '2026-12-07',
      level: 'bronze',
      score: 100,
      results: [
        {
          checkId: 'scans-fresh',
          passed: true,
          detail: 'scanned',
          records: ['scan-1'],
        },
      ],
    });
    expect(latest!.evaluatedAt.toISOString()).toBe('2026-12-07T12:00:00.000Z');
    expect(
      await stores.scorecards.entityHistory(entityRef, '2026-11-01'),
    ).toEqual([
      { day: '2026-11-30', level: undefined, score: 0 },
      { day: '2026-12-07', level: 'bronze', score: 100 },
    ]);
    const board = await stores.scorecards.groupScores('2026-12-07', {
      groupType: 'team',
      offset: 0,
      limit: 10,
    });
    expect(board.items.map(g => [g.groupRef, g.score])).toEqual([
      ['group:default/team-a', 100],
      ['group:default/team-b', 50],
    ]);
    expect(await stores.scorecards.dayAtOrBefore('2026-12-05')).toBe(
      '2026-11-30',
    );
    const week = await stores.scorecards.groupScoresOf(
      ['group:default/team-a'],
      '2026-11-30',
    );
    expect(week.get('group:default/team-a')?.score).toBe(0);

    // The leaderboard's trend: the change since the evaluation a week before.
    const scorecards = new Scorecards(
      {
        store: stores.scorecards,
        catalog: {} as any,
        auth: {} as any,
        groups: { tree: async () => ({ get: () => undefined }) } as any,
        logger: mockServices.logger.mock(),
      },
      [],
    );
    const leaderboard = await scorecards.leaderboard(
      { offset: 0, limit: 10 },
      new Date('2026-12-07T13:00:00Z'),
    );
    expect(leaderboard).toMatchObject({
      day: '2026-12-07',
      trendSince: '2026-11-30',
      totalCount: 2,
    });
    expect(leaderboard.items.map(i => [i.rank, i.groupRef, i.change])).toEqual([
      [1, 'group:default/team-a', 100],
      [2, 'group:default/team-b', 0],
    ]);
  }, 120_000);

  it('rates a compliance control by day: the entities passing all its checks, over everyone or some', async () => {
    const { knex, stores } = await createStore();
    const result = (ref: string, checkId: string, passed: boolean) => ({
      checkId,
      entityRef: ref,
      passed,
      detail: passed ? 'ok' : 'not ok',
      records: passed ? [] : [`finding-${ref}`],
    });
    const a = 'component:default/a';
    const b = 'component:default/b';
    const c = 'component:default/c';
    const write = (at: string, results: ReturnType<typeof result>[]) =>
      stores.scorecards.writeDay(new Date(at), {
        results,
        entities: [],
        groups: [],
      });
    await write('2026-12-06T06:00:00Z', [
      result(a, 'scans-fresh', true),
      result(a, 'no-known-exploited', false),
      result(b, 'scans-fresh', false),
      result(c, 'scans-fresh', true),
      result(c, 'no-known-exploited', true),
    ]);
    await write('2026-12-07T06:00:00Z', [
      result(a, 'scans-fresh', true),
      result(a, 'no-known-exploited', true),
      result(b, 'scans-fresh', true),
      result(c, 'gate-passing', false),
    ]);
    const queries = new ControlQueries(knex);
    const checks = ['scans-fresh', 'no-known-exploited'];
    expect(await queries.byDay(checks, '2026-12-01')).toEqual([
      { day: '2026-12-06', entities: 3, passing: 1 },
      { day: '2026-12-07', entities: 2, passing: 2 },
    ]);
    expect(await queries.byDay(checks, '2026-12-01', [a, b])).toEqual([
      { day: '2026-12-06', entities: 2, passing: 0 },
      { day: '2026-12-07', entities: 2, passing: 2 },
    ]);
    expect(await queries.byDay(checks, '2026-12-07', [c])).toEqual([]);
    const evidence = await queries.results(checks, '2026-12-06');
    expect(
      evidence.map(r => [r.entityRef, r.checkId, r.passed, r.records]),
    ).toEqual([
      [a, 'no-known-exploited', false, [`finding-${a}`]],
      [a, 'scans-fresh', true, []],
      [b, 'scans-fresh', false, [`finding-${b}`]],
      [c, 'no-known-exploited', true, []],
      [c, 'scans-fresh', true, []],
    ]);
    expect(evidence[0].evaluatedAt.toISOString()).toBe(
      '2026-12-06T06:00:00.000Z',
    );
  }, 120_000);

  it('keeps tools and entities apart', async () => {
    const { stores } = await createStore();
    await stores.findings.ingest(
      { ...base, findings: [finding(1)] },
      new Date('2026-01-01Z'),
    );
    const other = await stores.findings.ingest(
      { ...base, tool: 'grype', findings: [] },
      new Date('2026-01-02Z'),
    );
    expect(other.fixed).toBe(0);
    await stores.findings.ingest(
      { ...base, entityRef: 'component:default/cart-service', findings: [] },
      new Date('2026-01-02Z'),
    );
    const page = await stores.findings.listFindings({
      entityRef,
      status: 'open',
      limit: 10,
    });
    expect(page.totalCount).toBe(1);
  });

  it('pages worst first with a cursor, and filters', async () => {
    const { stores } = await createStore();
    const findings = Array.from({ length: 25 }, (_, i) => finding(i));
    await stores.findings.ingest(
      { ...base, findings },
      new Date('2026-01-01Z'),
    );

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await stores.findings.listFindings({
        entityRef,
        limit: 10,
        cursor,
      });
      expect(page.totalCount).toBe(25);
      seen.push(...page.items.map(f => `${f.severity}:${f.fingerprint}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen.slice(0, 13).every(s => s.startsWith('critical'))).toBe(true);
    expect(seen.slice(13).every(s => s.startsWith('high'))).toBe(true);

    const highs = await stores.findings.listFindings({
      entityRef,
      severities: ['high'],
      limit: 50,
    });
    expect(highs.totalCount).toBe(12);
    const search = await stores.findings.listFindings({
      entityRef,
      search: 'CVE-2024-1007',
      limit: 50,
    });
    expect(search.items.map(f => f.packageName)).toEqual(['pkg-7']);
    const literal = await stores.findings.listFindings({
      entityRef,
      search: '100%',
      limit: 50,
    });
    expect(literal.totalCount).toBe(0);

    await expect(
      stores.findings.listFindings({
        entityRef,
        limit: 10,
        cursor: 'not-a-cursor',
      }),
    ).rejects.toThrow('The cursor is not one this API handed out');
  });

  it('counts open findings by severity and category, overdue and fixed', async () => {
    const { stores } = await createStore();
    await stores.findings.ingest(
      {
        ...base,
        findings: [
          finding(1),
          finding(2),
          finding(3, { category: 'sast', severity: 'medium' }),
        ],
      },
      new Date('2026-01-01Z'),
    );
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2), finding(4)] },
      new Date('2026-03-01Z'),
    );
    const counts = await stores.findings.countFindings(entityRef, {
      critical: new Date('2026-01-08Z'),
      high: new Date('2026-01-31Z'),
    });
    expect(counts.open).toEqual({
      critical: 2,
      high: 1,
      medium: 0,
      low: 0,
      info: 0,
    });
    expect(counts.byCategory).toEqual({ sca: 3 });
    // fp-1 (high) and fp-2 (critical) are older than their SLAs; fp-4 is new.
    expect(counts.overdue).toBe(2);
    expect(counts.fixed).toBe(1);
    expect(counts.lastScanAt?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('keeps the worst severity when a report repeats a fingerprint', async () => {
    const { stores } = await createStore();
    const result = await stores.findings.ingest(
      {
        ...base,
        findings: [
          finding(1, { severity: 'low' }),
          finding(1, { severity: 'critical' }),
        ],
      },
      new Date('2026-01-01Z'),
    );
    expect(result.received).toBe(1);
    const page = await stores.findings.listFindings({ entityRef, limit: 10 });
    expect(page.items.map(f => f.severity)).toEqual(['critical']);
  });

  it('counts for gates by severity and age, leaving out active exemptions', async () => {
    const { stores } = await createStore();
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2), finding(3)] },
      new Date('2026-01-01Z'),
    );
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2), finding(3), finding(4)] },
      new Date('2026-03-01Z'),
    );
    const now = new Date('2026-03-02Z');
    // critical: fp-2, fp-4; high: fp-1, fp-3
    expect(
      (
        await stores.findings.countForGate(entityRef, {
          severity: 'critical',
          now,
        })
      ).count,
    ).toBe(2);
    const highOrWorse = await stores.findings.countForGate(entityRef, {
      severity: 'high',
      now,
    });
    expect(highOrWorse.count).toBe(4);
    expect(highOrWorse.examples[0].severity).toBe('critical');
    expect(
      (
        await stores.findings.countForGate(entityRef, {
          severity: 'high',
          firstSeenBefore: new Date('2026-02-01Z'),
          now,
        })
      ).count,
    ).toBe(3);

    const [critical] = (
      await stores.findings.listFindings({
        entityRef,
        severities: ['critical'],
        limit: 1,
      })
    ).items;
    const exemption = await stores.exemptions.createExemption(
      {
        findingId: critical.id,
        entityRef,
        justification: 'Compensating control in place.',
        requestedBy: 'user:default/ben-okafor',
        expiresAt: new Date('2026-04-01Z'),
      },
      now,
    );
    await expect(
      stores.exemptions.createExemption(
        {
          findingId: critical.id,
          entityRef,
          justification: 'Again.',
          requestedBy: 'user:default/ben-okafor',
          expiresAt: new Date('2026-04-01Z'),
        },
        now,
      ),
    ).rejects.toThrow(/already has a pending exemption/);
    // Pending does not count as exempted.
    expect(
      (
        await stores.findings.countForGate(entityRef, {
          severity: 'critical',
          now,
        })
      ).count,
    ).toBe(2);
    await stores.exemptions.decideExemption(
      exemption.id,
      { status: 'approved', decidedBy: 'user:default/jonas-berg' },
      now,
    );
    expect(
      (
        await stores.findings.countForGate(entityRef, {
          severity: 'critical',
          now,
        })
      ).count,
    ).toBe(1);
    const later = new Date('2026-04-02Z');
    expect(
      (
        await stores.findings.countForGate(entityRef, {
          severity: 'critical',
          now: later,
        })
      ).count,
    ).toBe(2);
    const page = await stores.exemptions.listExemptions(entityRef, {
      limit: 10,
      now: later,
    });
    expect(page.items[0]).toMatchObject({ status: 'approved', active: false });
  });

  it('records gate decisions and returns the latest', async () => {
    const { stores } = await createStore();
    for (const [passed, at] of [
      [true, '2026-01-01T00:00:00.000Z'],
      [false, '2026-01-02T00:00:00.000Z'],
    ] as const) {
      await stores.gateDecisions.recordGateDecision({
        entityRef,
        gate: 'default',
        passed,
        reasons: [],
        evaluatedAt: at,
        requestedBy: 'service:ci',
        commitSha: 'abcdef1',
      });
    }
    expect(
      await stores.gateDecisions.latestGateDecision(entityRef),
    ).toMatchObject({
      passed: false,
      evaluatedAt: '2026-01-02T00:00:00.000Z',
    });
    // A person asking later is not the pipeline.
    await stores.gateDecisions.recordGateDecision({
      entityRef,
      gate: 'default',
      passed: true,
      reasons: [],
      evaluatedAt: '2026-01-03T00:00:00.000Z',
      requestedBy: 'user:default/ben-okafor',
    });
    const pipeline = await stores.gateDecisions.lastPipelineDecisions([
      entityRef,
      'component:default/never-asked',
    ]);
    expect([...pipeline].map(([ref, at]) => [ref, at.toISOString()])).toEqual([
      [entityRef, '2026-01-02T00:00:00.000Z'],
    ]);
  }, 120_000);

  it('counts open and overdue findings for many entities at once', async () => {
    const { stores } = await createStore();
    const other = 'component:default/cart-service';
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2)] },
      new Date('2026-01-01Z'),
    );
    await stores.findings.ingest(
      {
        ...base,
        entityRef: other,
        findings: [finding(3, { severity: 'low' })],
      },
      new Date('2026-03-01Z'),
    );
    const counts = await stores.findings.countForEntities(
      [entityRef, other, 'component:default/never-scanned'],
      { critical: new Date('2025-12-25Z'), high: new Date('2025-12-25Z') },
    );
    expect(counts.get(entityRef)).toMatchObject({
      open: { critical: 1, high: 1, medium: 0, low: 0, info: 0 },
      overdue: 0,
    });
    const later = await stores.findings.countForEntities([entityRef], {
      critical: new Date('2026-02-01Z'),
      high: new Date('2026-02-01Z'),
    });
    expect(later.get(entityRef)?.overdue).toBe(2);
    expect(counts.get(other)?.open.low).toBe(1);
    expect(counts.get(other)?.lastScanAt?.toISOString()).toBe(
      '2026-03-01T00:00:00.000Z',
    );
    expect(counts.has('component:default/never-scanned')).toBe(false);

    // Every entity at once (the organisation's view) counts the same.
    const all = await stores.findings.countForAll({
      critical: new Date('2025-12-25Z'),
      high: new Date('2025-12-25Z'),
    });
    expect([...all.keys()].sort()).toEqual([entityRef, other].sort());
    expect(all.get(entityRef)).toEqual(counts.get(entityRef));
    expect(all.get(other)).toEqual(counts.get(other));
  });

  it('decides many gates at once as it decides them one at a time', async () => {
    const { stores } = await createStore();
    const other = 'component:default/cart-service';
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2), finding(4)] },
      new Date('2026-01-01Z'),
    );
    await stores.findings.ingest(
      {
        ...base,
        entityRef: other,
        findings: [finding(3), finding(5, { severity: 'medium' })],
      },
      new Date('2026-03-01Z'),
    );
    const entity = (ref: string, type: string): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: ref.split('/')[1] },
      spec: { type, lifecycle: 'production', owner: 'team-checkout' },
    });
    const entities = [
      entity(entityRef, 'service'),
      entity(other, 'service'),
      entity('component:default/quiet-service', 'service'),
      entity('component:default/the-website', 'website'),
    ];
    const policies: GatePolicy[][] = [
      [
        {
          name: 'services',
          match: { type: ['service'] },
          rules: [
            { severity: 'critical', maxOpen: 0 },
            { severity: 'high', maxOpen: 1, maxAgeDays: 60 },
          ],
        },
      ],
      [
        {
          name: 'lenient',
          match: {},
          rules: [{ severity: 'high', maxOpen: 2 }],
        },
      ],
      [{ name: 'strict', match: {}, rules: [{ severity: 'low', maxOpen: 0 }] }],
    ];
    const now = new Date('2026-03-15Z');
    for (const gates of policies) {
      const one = await Promise.all(
        entities.map(e => evaluateGate(stores.findings, e, gates, now)),
      );
      const many = await gateOutcomes(stores.findings, entities, gates, now);
      expect(many).toEqual(
        one.map(d => ({
          entityRef: d.entityRef,
          gate: d.gate,
          passed: d.passed,
        })),
      );
    }
    // The first set fails payments-api (its criticals) and passes the
    // website (no gate applies).
    const first = await gateOutcomes(
      stores.findings,
      entities,
      policies[0],
      now,
    );
    expect(first.map(o => o.passed)).toEqual([false, true, true, true]);
    expect(first[3].gate).toBe('none');
  });

  it('keeps every version of the gate policies, refusing a stale change', async () => {
    const { stores } = await createStore();
    expect(await stores.gatePolicies.latest()).toBeUndefined();
    const policy = (maxOpen: number): GatePolicy[] => [
      { name: 'all', match: {}, rules: [{ severity: 'high', maxOpen }] },
    ];
    const first = await stores.gatePolicies.save(
      {
        policies: policy(0),
        changedBy: 'user:default/jonas-berg',
        reason: "The CISO's first policy",
        basedOn: 0,
      },
      new Date('2026-12-01T10:00:00Z'),
    );
    expect(first).toEqual({
      version: 1,
      policies: policy(0),
      changedBy: 'user:default/jonas-berg',
      reason: "The CISO's first policy",
      createdAt: '2026-12-01T10:00:00.000Z',
    });
    await expect(
      stores.gatePolicies.save(
        { policies: policy(5), changedBy: 'x', reason: 'stale', basedOn: 0 },
        new Date('2026-12-01T11:00:00Z'),
      ),
    ).rejects.toThrow(/changed meanwhile \(version 1, not 0\)/);
    await stores.gatePolicies.save(
      {
        policies: policy(2),
        changedBy: 'y',
        reason: 'Two allowed',
        basedOn: 1,
      },
      new Date('2026-12-02T10:00:00Z'),
    );
    expect((await stores.gatePolicies.latest())?.policies).toEqual(policy(2));
    const page = await stores.gatePolicies.list({ offset: 0, limit: 1 });
    expect(page.totalCount).toBe(2);
    expect(page.items.map(v => v.version)).toEqual([2]);
  });

  it('logs what changed, in order, for the SIEM export', async () => {
    const { stores } = await createStore();
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2)] },
      new Date('2026-01-01Z'),
    );
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2)] },
      new Date('2026-01-02Z'),
    );
    await stores.findings.ingest(
      { ...base, findings: [finding(1)] },
      new Date('2026-01-03Z'),
    );
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2)] },
      new Date('2026-01-04Z'),
    );

    const events = await stores.events.listEvents({ limit: 100 });
    expect(events.map(e => `${e.action}:${e.finding?.fingerprint}`)).toEqual([
      expect.stringMatching(/^created:fp-[12]$/),
      expect.stringMatching(/^created:fp-[12]$/),
      'fixed:fp-2',
      'reopened:fp-2',
    ]);
    expect(events[0].at.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(events[0].actor).toBe('user:default/ben-okafor');

    const after = await stores.events.listEvents({
      afterId: events[1].id,
      limit: 1,
    });
    expect(after.map(e => e.action)).toEqual(['fixed']);
  });

  it('draws the open-findings trend per day from the event log', async () => {
    const { stores } = await createStore();
    const other = 'component:default/cart-service';
    await stores.findings.ingest(
      { ...base, findings: [finding(1), finding(2)] },
      new Date('2026-01-01T10:00:00Z'),
    );
    await stores.findings.ingest(
      { ...base, findings: [finding(1)] },
      new Date('2026-01-03T10:00:00Z'),
    );
    await stores.findings.ingest(
      {
        ...base,
        entityRef: other,
        findings: [finding(5, { severity: 'low' })],
      },
      new Date('2026-01-03T12:00:00Z'),
    );

    const points = await stores.events.trend(
      [entityRef],
      4,
      new Date('2026-01-04T08:00:00Z'),
    );
    expect(points.map(p => [p.day, p.open.critical, p.open.high])).toEqual([
      ['2026-01-01', 1, 1],
      ['2026-01-02', 1, 1],
      ['2026-01-03', 0, 1],
      ['2026-01-04', 0, 1],
    ]);
    // Days before the window set the starting level.
    const late = await stores.events.trend(
      [entityRef, other],
      2,
      new Date('2026-01-04T08:00:00Z'),
    );
    expect(late.map(p => [p.day, p.open.high, p.open.low])).toEqual([
      ['2026-01-03', 1, 1],
      ['2026-01-04', 1, 1],
    ]);
  });
});
