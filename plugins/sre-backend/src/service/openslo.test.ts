import fs from 'node:fs';
import path from 'node:path';
import { queryForWindow } from '@portal/plugin-sre-node';
import { parseOpenSlo } from './openslo';

const ROOT = path.resolve(__dirname, '../../../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('OpenSLO v1', () => {
  it("reads the demo organisation's SLOs", () => {
    const slos = parseOpenSlo(
      read('catalog/slos/payments-api.yaml'),
      'component:default/payments-api',
    );
    expect(slos).toEqual([
      {
        entityRef: 'component:default/payments-api',
        name: 'payments-api-availability',
        displayName: 'Availability',
        description: 'Requests answered without a server error.',
        target: 0.999,
        window: '28d',
        sourceType: 'Prometheus',
        goodQuery:
          'sum(rate(http_requests_total{service="payments-api",code!~"5.."}[{{window}}]))',
        totalQuery:
          'sum(rate(http_requests_total{service="payments-api"}[{{window}}]))',
      },
      expect.objectContaining({ name: 'payments-api-latency', target: 0.99 }),
    ]);
  });

  it('reads the file the golden-path template stamps', () => {
    // The template's expressions (values.name and quoted strings joined by
    // +, then the yamlQuote or oneLine filter) rendered for one name.
    const text = read(
      'templates/golden-path/skeletons/slo/openslo.yaml',
    ).replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => {
      const [value, filter] = expression.split(/\s+\|\s+(?=\w+$)/);
      const rendered = [...value.matchAll(/'([^']*)'|values\.name/g)]
        .map(m => (m[0] === 'values.name' ? 'parcel-tracker' : m[1]))
        .join('');
      return filter === 'yamlQuote' ? JSON.stringify(rendered) : rendered;
    });
    expect(
      parseOpenSlo(text, 'component:default/parcel-tracker').map(s => s.name),
    ).toEqual(['parcel-tracker-availability', 'parcel-tracker-latency']);
  });

  it('takes targetPercent and skips other kinds', () => {
    const text = `apiVersion: openslo/v1
kind: Service
metadata: { name: x }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: api }
spec:
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { type: Prometheus, spec: { query: good } } }
        total: { metricSource: { type: Prometheus, spec: { query: total } } }
  objectives: [{ targetPercent: 99.9 }]
`;
    const [slo] = parseOpenSlo(text, 'component:default/x');
    expect(slo).toMatchObject({ name: 'api', window: '28d' });
    expect(slo.target).toBeCloseTo(0.999, 10);
  });

  it.each([
    [
      'kind: SLO\napiVersion: openslo/v2\nmetadata: { name: a }\n',
      /SLO a: apiVersion must be openslo\/v1/,
    ],
    [
      'kind: SLO\napiVersion: openslo/v1\nmetadata: { name: A B }\n',
      /metadata.name must be a lower-case name/,
    ],
    [
      'kind: SLO\napiVersion: openslo/v1\nmetadata: { name: a }\nspec: {}\n',
      /ratioMetric \(good and total\) is required/,
    ],
    [
      'kind: SLO\napiVersion: openslo/v1\nmetadata: { name: a }\nspec: { indicator: { spec: { ratioMetric: { good: { metricSource: { type: Prometheus } }, total: {} } } } }\n',
      /SLO a good: metricSource.spec.query is missing/,
    ],
    [
      'kind: SLO\napiVersion: openslo/v1\nmetadata: { name: a }\nspec: { indicator: { spec: { ratioMetric: { good: { metricSource: { type: Prometheus, spec: { query: g } } }, total: { metricSource: { type: Prometheus, spec: { query: t } } } } } }, objectives: [{ target: 1.5 }] }\n',
      /objectives\[0\].target must be between 0 and 1/,
    ],
    ['a: [\n', /not valid YAML/],
  ])('refuses %p with a message that says what is wrong', (text, message) => {
    expect(() => parseOpenSlo(text, 'component:default/x')).toThrow(message);
  });

  it('puts the window into queries, with or without the placeholder', () => {
    expect(queryForWindow('sum(rate(x[{{window}}]))', '1h')).toBe(
      'sum(rate(x[1h]))',
    );
    expect(queryForWindow('sum(rate(x[5m])) / sum(rate(y[5m:1m]))', '6h')).toBe(
      'sum(rate(x[6h])) / sum(rate(y[6h:1m]))',
    );
  });
});
