/*
 * Where an uploaded report's bytes are while it is ingested. An upload is
 * written to a temporary file as it arrives (through the portal's upload
 * pipeline, @portal/request-validation), so that even a report of hundreds of
 * megabytes never has to be in memory; the parsers then read it as often as
 * they need.
 */
import { decodeUpload, PayloadTooLargeError } from '@portal/request-validation';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export { PayloadTooLargeError };

/** The decoded bytes of one report, readable from the start any number of times. */
export interface ReportSource {
  size: number;
  sha256: string;
  chunks(): AsyncIterable<Uint8Array>;
}

/** A report already in memory (demo data, tests). */
export function bufferSource(body: Buffer): ReportSource {
  return {
    size: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    async *chunks() {
      yield body;
    },
  };
}

/** The whole report as one buffer. */
export async function readAll(source: ReportSource): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source.chunks()) {
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

export interface SpoolLimits {
  /** Bytes as sent (compressed or not). */
  maxCompressedBytes: number;
  /** Bytes once decompressed. */
  maxReportBytes: number;
}

/** A report written to a temporary file; `dispose` removes it. */
export interface SpooledReport extends ReportSource {
  dispose(): Promise<void>;
}

/**
 * Writes a request body to a temporary file through the portal's upload
 * pipeline (decodeUpload: gzip or deflate inflated on the way, 413 as soon as
 * either limit is passed, 400 when the compressed data is corrupt).
 */
export async function spoolUpload(
  body: Readable,
  encoding: string,
  limits: SpoolLimits,
): Promise<SpooledReport> {
  const hash = createHash('sha256');
  const upload = decodeUpload(
    body,
    encoding,
    {
      maxSentBytes: limits.maxCompressedBytes,
      maxDecodedBytes: limits.maxReportBytes,
      what: 'report',
      sentLimitKey: 'secops.limits.maxCompressedBytes',
      decodedLimitKey: 'secops.limits.maxReportBytes',
    },
    chunk => hash.update(chunk),
  );
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'secops-report-'));
  const file = path.join(dir, 'report');
  const dispose = () => fsp.rm(dir, { recursive: true, force: true });
  try {
    await pipeline(upload.stream, fs.createWriteStream(file));
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    size: upload.decodedBytes(),
    sha256: hash.digest('hex'),
    chunks: () =>
      fs.createReadStream(file, {
        highWaterMark: 256 * 1024,
      }) as AsyncIterable<Uint8Array>,
    dispose,
  };
}
