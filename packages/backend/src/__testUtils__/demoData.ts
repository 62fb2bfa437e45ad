/*
 * Data for the demo portal of the backend tests, loaded the way production
 * gets it: a real scanner report uploaded through SecOps' route by a member
 * of the owning team, a FOCUS billing export imported through FinOps' route
 * by finance, and the SLO files read by an admin's evaluation.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DemoPortal, repoRoot } from './demoPortal';

/** The real Trivy report of fixtures/, uploaded for each [entity, member]. */
export async function uploadTrivyReport(
  portal: DemoPortal,
  uploads: Array<[entityRef: string, userName: string]>,
) {
  const report = fs.readFileSync(
    path.join(repoRoot, 'fixtures/trivy/trivy-alpine-310-image.json'),
  );
  for (const [entityRef, userName] of uploads) {
    const res = await request(portal.server)
      .post('/api/secops/reports')
      .query({ entityRef, tool: 'trivy' })
      .set('authorization', await portal.as(userName))
      .set('content-type', 'application/octet-stream')
      .send(report);
    if (res.status !== 201) {
      throw new Error(`${userName} could not upload: ${res.status}`);
    }
  }
}

/**
 * 61 days of a FOCUS billing export up to 2026-10-31: each entity's daily
 * cost before 2026-10-02 and from then on, so that the last 30 days (to the
 * newest day with data) and the 30 before them differ by known amounts.
 */
export function billingExport(): string {
  const rates: Array<[string, string, number, number]> = [
    ['component:default/checkout-service', 'Amazon EC2', 10, 20],
    ['component:default/cart-service', 'Amazon EC2', 5, 5],
    ['resource:default/orders-db', 'Amazon RDS', 6, 6],
    ['component:default/payments-api', 'Amazon EC2', 4, 4],
    // team-appsec's part of team-checkout's payments system
    ['component:default/fraud-detection', 'Amazon SageMaker', 2, 2],
    ['component:default/product-catalogue-service', 'Amazon EC2', 8, 4],
    ['component:default/search-service', 'Amazon OpenSearch', 3, 12],
  ];
  const tags = (ref: string) =>
    `"${JSON.stringify({ 'portal-entity-ref': ref }).replace(/"/g, '""')}"`;
  const lines = [
    'ChargePeriodStart,ChargeCategory,ServiceName,SubAccountId,EffectiveCost,BillingCurrency,Tags',
  ];
  const day = new Date('2026-09-01T00:00:00Z');
  while (day <= new Date('2026-10-31T00:00:00Z')) {
    const iso = day.toISOString().slice(0, 10);
    for (const [ref, service, before, after] of rates) {
      const amount = iso < '2026-10-02' ? before : after;
      lines.push(
        `${iso}T00:00:00Z,Usage,${service},111122223333,${amount},USD,${tags(
          ref,
        )}`,
      );
    }
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return `${lines.join('\n')}\n`;
}

/** billingExport, imported through the route by finance. */
export async function importBillingExport(portal: DemoPortal) {
  const res = await request(portal.server)
    .post('/api/finops/imports/focus')
    .query({ source: 'aws-main' })
    .set('authorization', await portal.as('oscar-fernandez'))
    .set('content-type', 'text/csv')
    .send(billingExport());
  if (res.status !== 201) {
    throw new Error(
      `finance could not import: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
}

/** The SLO files, read now by an admin (team-platform's grace-liu). */
export async function syncSlos(portal: DemoPortal) {
  const res = await request(portal.server)
    .post('/api/sre/evaluate')
    .set('authorization', await portal.as('grace-liu'));
  if (res.status !== 200) {
    throw new Error(`the SLOs could not be read: ${res.status}`);
  }
}
