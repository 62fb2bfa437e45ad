import { Readable } from 'node:stream';
import { readFocusCsv } from '../src/focus/focus';
function* gen() {
  yield 'ChargePeriodStart,ChargeCategory,ServiceName,SubAccountId,EffectiveCost,BillingCurrency,Tags\n';
  for (let d = 0; d < 100; d++) {
    let b = '';
    for (let c = 0; c < 2500; c++)
      b += `2026-01-${String(1 + (d % 28)).padStart(
        2,
        '0',
      )}T00:00:00Z,Usage,EC2,1000,1.5,USD,"{""portal-entity-ref"":""component:default/s-${c}""}"\n`;
    yield b;
  }
}
(async () => {
  const t = performance.now();
  const r = await readFocusCsv(Readable.from(gen()), {
    tagKey: 'portal-entity-ref',
    costColumn: 'EffectiveCost',
    currency: 'USD',
    maxRows: 1e7,
  });
  console.log('parse', r.rowsRead, performance.now() - t);
})();
