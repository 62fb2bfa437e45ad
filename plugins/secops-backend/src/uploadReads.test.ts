/*
 * How often an upload's bytes are read, through the route (not a timing
 * test). POST /reports writes the body to a temporary file as it arrives
 * (spoolUpload), then ReportIngester reads that file:
 *
 * - a report within secops.limits.maxInMemoryBytes: once, whole;
 * - a larger one, as streams: its first characters (JSON or XML?), one
 *   chunk; the context pass; the item pass. Once more only when, the format
 *   not being named, another format's bulk arrays matched while recognising
 *   it (an npm audit report's `vulnerabilities` are CycloneDX's too).
 *
 * Every read stream opened on a spooled upload is counted with the bytes it
 * read, and any other way of reading it (readFile, open) is caught, so that a
 * change reading the report an extra time, or the whole report where one
 * chunk was designed, fails here. (ReportIngester.test.ts counts the passes
 * over an in-memory source, 3 to 4 for every format; this reads the real
 * spooled file the route makes.)
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { fixture, start, upload } from './__testUtils__/backend';

/** The temporary file spoolUpload writes an upload to. */
const SPOOLED = /secops-report-[^/\\]+[/\\]report$/;
const isSpooled = (file: unknown) =>
  (typeof file === 'string' || file instanceof URL) &&
  SPOOLED.test(String(file));

/**
 * Watches the spooled uploads' reads: each read stream opened on one (its
 * bytes read and chunk size, once the upload has been answered) and every
 * other call that could read one.
 */
function watchSpoolReads() {
  const streams: fs.ReadStream[] = [];
  const createReadStream = fs.createReadStream;
  jest.spyOn(fs, 'createReadStream').mockImplementation((file, options) => {
    const stream = createReadStream(file, options);
    if (isSpooled(file)) streams.push(stream);
    return stream;
  });
  const others: Array<[string, jest.SpyInstance]> = [
    ['fs.readFile', jest.spyOn(fs, 'readFile')],
    ['fs.readFileSync', jest.spyOn(fs, 'readFileSync')],
    ['fs.openSync', jest.spyOn(fs, 'openSync')],
    ['fs.promises.readFile', jest.spyOn(fsp, 'readFile')],
    ['fs.promises.open', jest.spyOn(fsp, 'open')],
  ];
  return {
    reads: () =>
      streams.map(s => ({
        bytes: s.bytesRead,
        chunk: s.readableHighWaterMark,
      })),
    otherReads: () =>
      others.flatMap(([name, spy]) =>
        spy.mock.calls
          .filter(([file]) => isSpooled(file))
          .map(([file]) => `${name}(${String(file)})`),
      ),
  };
}

const sarifQuery = {
  entityRef: 'component:default/payments-api',
  tool: 'trivy-sarif',
};

/**
 * The real Trivy SARIF with its results repeated for `images` images (each
 * copy its own artifact, so its own findings): a report of many chunks.
 */
function manyImagesSarif(images: number) {
  const sarif = JSON.parse(
    fixture('sarif/trivy-alpine-310.sarif').toString('utf8'),
  );
  const run = sarif.runs[0];
  const results = run.results as any[];
  run.results = Array.from({ length: images }, (_, i) =>
    results.map(result => {
      const copy = structuredClone(result);
      copy.locations[0].physicalLocation.artifactLocation.uri = `images/alpine-310-${i}.tar.gz`;
      return copy;
    }),
  ).flat();
  return {
    body: Buffer.from(JSON.stringify(sarif, null, 2)),
    results: run.results.length as number,
  };
}

describe('an uploaded report is read no more often than designed', () => {
  afterEach(() => jest.restoreAllMocks());

  it('once, whole, within maxInMemoryBytes', async () => {
    const server = await start();
    const body = fixture('sarif/trivy-alpine-310.sarif');
    const watch = watchSpoolReads();
    const res = await upload(server, sarifQuery, body);
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(8);
    expect(watch.reads().map(r => r.bytes)).toEqual([body.length]);
    expect(watch.otherReads()).toEqual([]);
  }, 120_000);

  it.each([
    ['a SARIF, format recognised', 'sarif/trivy-alpine-310.sarif', {}, 3],
    [
      'a CycloneDX, format recognised',
      'cyclonedx/trivy-centos-7-vuln.cdx.json',
      {},
      3,
    ],
    [
      'an npm audit report, format named',
      'npm-audit/npm-audit-v7-vercel-many-vulns.json',
      { format: 'npm-audit' },
      3,
    ],
    [
      'an npm audit report, format recognised (its context read again)',
      'npm-audit/npm-audit-v7-vercel-many-vulns.json',
      {},
      4,
    ],
  ])(
    'as streams above maxInMemoryBytes: %s',
    async (_what, file, query, times) => {
      const server = await start({
        config: { secops: { limits: { maxInMemoryBytes: 1000 } } },
      });
      const body = fixture(file);
      // Small reports: every read, the first characters' too, is one chunk
      // holding the whole file.
      expect(body.length).toBeLessThan(64 * 1024);
      const watch = watchSpoolReads();
      const res = await upload(server, { ...sarifQuery, ...query }, body);
      expect(res.status).toBe(201);
      expect(res.body.created).toBeGreaterThan(0);
      expect(watch.reads().map(r => r.bytes)).toEqual(
        Array(times).fill(body.length),
      );
      expect(watch.otherReads()).toEqual([]);
    },
    120_000,
  );

  it('as streams, the first characters from one chunk of a large report', async () => {
    const server = await start({
      config: { secops: { limits: { maxInMemoryBytes: 64 * 1024 } } },
    });
    const { body, results } = manyImagesSarif(250);
    const watch = watchSpoolReads();
    const res = await upload(server, { ...sarifQuery, format: 'sarif' }, body);
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(results);

    const reads = watch.reads();
    expect(reads).toHaveLength(3);
    const [first, context, items] = reads;
    // Many chunks, of which the first characters read one.
    expect(body.length).toBeGreaterThan(4 * first.chunk);
    expect(first.bytes).toBeGreaterThan(0);
    expect(first.bytes).toBeLessThanOrEqual(first.chunk);
    expect([context.bytes, items.bytes]).toEqual([body.length, body.length]);
    expect(watch.otherReads()).toEqual([]);
  }, 120_000);
});
