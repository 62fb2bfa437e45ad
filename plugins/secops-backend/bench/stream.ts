/*
 * Streaming benchmark (not a test): a SARIF of about 100 MB, shaped like a
 * CodeQL run (every result carries a code flow, which is what makes real
 * SARIF files large), is written to a temporary file and ingested into
 * SQLite through the upload path (spooled, then read as a stream). Prints the
 * wall time and the peak RSS above the baseline, next to the peak of only
 * decoding the same file whole with JSON.parse.
 *
 *   yarn bench:stream            (BENCH_STREAM_MB=100 by default)
 *
 * The goal: the streamed ingest's peak stays below the size of the report.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import knexFactory from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSecopsStores } from '../src/database/createSecopsStores';
import { builtInParsers, sarifParser } from '../src/parsers';
import { ReportIngester } from '../src/service/ReportIngester';
import { readSecopsOptions } from '../src/service/options';
import { spoolUpload } from '../src/service/reportSource';
import { seededRandom } from './generate';
import { fmtMs, mib, stopSampler, withPeakRss } from '@portal/test-utils/bench';

const TARGET_BYTES = Number(process.env.BENCH_STREAM_MB ?? 100) * 1024 * 1024;

/** Writes the report result by result; returns its size and result count. */
async function writeSarif(file: string) {
  const random = seededRandom(7);
  const out = fs.createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? undefined : new Promise(r => out.once('drain', r));
  const rules = Array.from({ length: 200 }, (_, i) => ({
    id: `js/rule-${i}`,
    name: `Rule${i}`,
    shortDescription: { text: `Rule ${i}: untrusted data reaches a sink` },
    fullDescription: { text: `A longer description of rule ${i}.` },
    defaultConfiguration: { level: random.pick(['error', 'warning', 'note']) },
    properties: { 'security-severity': String(random.int(10, 99) / 10) },
  }));
  await write(
    `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL","rules":${JSON.stringify(
      rules,
    )}}},"results":[`,
  );
  let bytes = 0;
  let count = 0;
  while (bytes < TARGET_BYTES) {
    const file0 = `src/module${random.int(0, 999)}/file${random.int(0, 99)}.js`;
    const location = (line: number) => ({
      location: {
        physicalLocation: {
          artifactLocation: { uri: file0 },
          region: { startLine: line, startColumn: 5, endColumn: 40 },
        },
        message: { text: `step at line ${line}: value flows on` },
      },
    });
    const result = {
      ruleId: `js/rule-${random.int(0, 199)}`,
      ruleIndex: 0,
      message: { text: `Untrusted value ${random.hex(8)} reaches a sink.` },
      locations: [location(random.int(1, 5000))],
      partialFingerprints: { primaryLocationLineHash: random.hex(32) },
      codeFlows: [
        {
          threadFlows: [
            {
              locations: Array.from({ length: 12 }, () =>
                location(random.int(1, 5000)),
              ),
            },
          ],
        },
      ],
    };
    const text = `${count > 0 ? ',' : ''}${JSON.stringify(result)}`;
    bytes += text.length;
    count++;
    await write(text);
  }
  await write(']}]}');
  await new Promise(r => out.end(r));
  return { size: fs.statSync(file).size, results: count };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secops-stream-bench-'));
  const file = path.join(dir, 'codeql.sarif');
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'secops.sqlite') },
    useNullAsDefault: true,
  });
  try {
    const { size, results } = await writeSarif(file);
    console.log(
      `Streaming benchmark — node ${
        process.version
      }; generated SARIF: ${results.toLocaleString(
        'en-US',
      )} results with code flows, ${mib(size)}`,
    );
    const { findings: store } = await createSecopsStores({
      database: {
        getClient: async () => knex,
        migrations: {},
      } as unknown as DatabaseService,
    });
    const options = readSecopsOptions(
      new ConfigReader({ secops: { limits: { maxFindings: 500_000 } } }),
    );
    const ingester = new ReportIngester(builtInParsers, store, options);

    const streamed = await withPeakRss(async () => {
      const report = await spoolUpload(
        fs.createReadStream(file),
        'identity',
        options,
      );
      try {
        return await ingester.ingest({
          entityRef: 'component:default/bench-stream',
          tool: 'codeql',
          uploadedBy: 'user:default/bench',
          body: report,
        });
      } finally {
        await report.dispose();
      }
    });
    const whole = await withPeakRss(async () => {
      const document = JSON.parse(fs.readFileSync(file, 'utf8'));
      return sarifParser.parse(document, { maxFindings: 500_000 }).length;
    });

    const streamedPeak = streamed.peak - streamed.baseline;
    const ok = streamedPeak < size;
    console.log(
      [
        '',
        `Streamed ingest (upload path, SQLite): ${fmtMs(
          streamed.ms,
        )}, ${streamed.value.created.toLocaleString(
          'en-US',
        )} findings created, peak RSS +${mib(streamedPeak)} above baseline`,
        `For comparison, JSON.parse + parse of the same file whole: ${fmtMs(
          whole.ms,
        )}, peak RSS +${mib(whole.peak - whole.baseline)}`,
        `Goal: the streamed peak stays below the report's size (${mib(
          size,
        )}): ${ok ? 'PASS' : 'MISS'}`,
      ].join('\n'),
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await knex.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
    await stopSampler();
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
