import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import { ParsedFinding } from '@portal/plugin-secops-common';
import { ReportParser } from '@portal/plugin-secops-node';
import { FindingStore, IngestInput } from '../database/types';
import { builtInParsers } from '../parsers';
import {
  FIXTURES,
  FIXTURES_DIR,
  FixtureName,
} from '../parsers/__testUtils__/fixtures';
import { ReportIngester } from './ReportIngester';
import { SecopsOptions } from './options';
import { ReportSource } from './reportSource';

/** A store that keeps what it was asked to ingest. */
function recordingStore() {
  const inputs: IngestInput[] = [];
  const store = {
    async ingest(input: IngestInput) {
      inputs.push(input);
      return { created: input.findings.length, seen: 0, fixed: 0, reopened: 0 };
    },
  } as unknown as FindingStore;
  return { store, inputs };
}

function options(maxInMemoryBytes: number): SecopsOptions {
  return {
    maxReportBytes: 1e9,
    maxCompressedBytes: 1e9,
    maxInMemoryBytes,
    maxFindings: 100_000,
    slaDays: {},
  };
}

/** A source that hands the report over in small chunks and counts the reads. */
function chunkedSource(body: Buffer, chunkSize = 1000) {
  const source: ReportSource & { reads: number } = {
    size: body.length,
    sha256: 'test',
    reads: 0,
    async *chunks() {
      source.reads++;
      for (let i = 0; i < body.length; i += chunkSize) {
        yield body.subarray(i, i + chunkSize);
      }
    },
  };
  return source;
}

async function ingest(
  body: Buffer,
  opts: { streamed: boolean; format?: string; parsers?: ReportParser[] },
) {
  const { store, inputs } = recordingStore();
  const ingester = new ReportIngester(
    opts.parsers ?? builtInParsers,
    store,
    options(opts.streamed ? 0 : 1e9),
  );
  const source = chunkedSource(body);
  await ingester.ingest({
    entityRef: 'component:default/x',
    tool: 't',
    format: opts.format,
    uploadedBy: 'user:default/a',
    body: source,
  });
  return { ...inputs[0], reads: source.reads };
}

const byFingerprint = (findings: ParsedFinding[]) =>
  [...findings].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));

/** The JSON reports of formats that stream (CSV and ZAP are read whole). */
const STREAMABLE = (Object.keys(FIXTURES) as FixtureName[]).filter(
  name =>
    !['zapJson', 'awsCostExplorer'].includes(name) &&
    !FIXTURES[name].endsWith('.csv'),
);

describe('ReportIngester', () => {
  it.each(STREAMABLE)(
    'reads %s as a stream with the same findings as whole',
    async name => {
      const body = fs.readFileSync(path.join(FIXTURES_DIR, FIXTURES[name]));
      const whole = await ingest(body, { streamed: false });
      const streamed = await ingest(body, { streamed: true });
      expect(streamed.format).toBe(whole.format);
      expect(byFingerprint(streamed.findings)).toEqual(
        byFingerprint(whole.findings),
      );
      // Recognising the format, the context, the items (and the first
      // character); at most once more when another format's arrays matched.
      expect(streamed.reads).toBeGreaterThanOrEqual(3);
      expect(streamed.reads).toBeLessThanOrEqual(4);

      const named = await ingest(body, {
        streamed: true,
        format: whole.format,
      });
      expect(byFingerprint(named.findings)).toEqual(
        byFingerprint(whole.findings),
      );
    },
  );

  it.each([
    [
      'an XML',
      '<?xml version="1.0"?><OWASPZAPReport version="2.12.0"><site/></OWASPZAPReport>',
    ],
    ['a CSV', 'Title,Severity\nSQL injection,High\n'],
  ])(
    'refuses %s report too large to read whole, saying why',
    async (_what, text) => {
      await expect(
        ingest(Buffer.from(text), { streamed: true }),
      ).rejects.toMatchObject({
        name: 'PayloadTooLargeError',
        message: expect.stringMatching(
          /XML and CSV reports are read whole and may be at most 0 bytes \(secops.limits.maxInMemoryBytes\)/,
        ),
      });
    },
  );

  it('refuses a large report of a format that cannot stream', async () => {
    const body = fs.readFileSync(path.join(FIXTURES_DIR, FIXTURES.zapJson));
    await expect(ingest(body, { streamed: true })).rejects.toMatchObject({
      name: 'PayloadTooLargeError',
      message: expect.stringMatching(/^zap reports are read whole/),
    });
  });

  it.each([
    [
      'a document cut off',
      '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a"',
    ],
    [
      'an item of the wrong type',
      '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[5]}]}',
    ],
    [
      'a wrong entity in the context',
      '{"version":"2.1.0","runs":[{"tool":"x","results":[]}]}',
    ],
    [
      'results that are not an array',
      '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":{"a":1}}]}',
    ],
    ['an unknown document', '{"hello":"world"}'],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ])('refuses %s with an InputError when streaming', async (_what, text) => {
    await expect(
      ingest(Buffer.from(text), { streamed: true }),
    ).rejects.toBeInstanceOf(InputError);
  });

  it('stops at the finding limit while streaming', async () => {
    const results = Array.from({ length: 50 }, (_, i) => ({
      ruleId: `r${i}`,
      message: { text: `m${i}` },
    }));
    const body = Buffer.from(
      JSON.stringify({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'x' } }, results }],
      }),
    );
    const { store } = recordingStore();
    const ingester = new ReportIngester(builtInParsers, store, {
      ...options(0),
      maxFindings: 10,
    });
    await expect(
      ingester.ingest({
        entityRef: 'component:default/x',
        tool: 't',
        uploadedBy: 'user:default/a',
        body: chunkedSource(body),
      }),
    ).rejects.toThrow(/more than 10 findings/);
  });
});
