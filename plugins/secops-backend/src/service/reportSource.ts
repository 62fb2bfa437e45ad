/*
 * Where an uploaded report's bytes are while it is ingested. An upload is
 * written to a temporary file as it arrives (inflated on the way when it is
 * compressed, with both sizes capped), so that even a report of hundreds of
 * megabytes never has to be in memory; the parsers then read it as often as
 * they need.
 */
import { InputError } from '@backstage/errors';
import { ByteLimit, PayloadTooLargeError } from '@portal/request-validation';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

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
 * Writes a request body to a temporary file, inflating gzip or deflate on
 * the way, and fails with 413 as soon as either limit is passed (a gzip bomb
 * stops at the limit) or 400 when the compressed data is corrupt.
 */
export async function spoolUpload(
  body: Readable,
  encoding: string,
  limits: SpoolLimits,
): Promise<SpooledReport> {
  const contentEncoding = encoding.toLowerCase();
  if (!['identity', 'gzip', 'deflate'].includes(contentEncoding)) {
    throw new InputError(
      `Content-Encoding ${encoding} is not supported; send gzip, deflate or plain`,
    );
  }
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'secops-report-'));
  const file = path.join(dir, 'report');
  const dispose = () => fsp.rm(dir, { recursive: true, force: true });
  const hash = createHash('sha256');
  const sent = new ByteLimit(
    limits.maxCompressedBytes,
    () =>
      new PayloadTooLargeError(
        `The upload is larger than ${limits.maxCompressedBytes} bytes (secops.limits.maxCompressedBytes)`,
      ),
  );
  const decoded = new ByteLimit(
    limits.maxReportBytes,
    () =>
      new PayloadTooLargeError(
        `The report is larger than ${limits.maxReportBytes} bytes once decompressed (secops.limits.maxReportBytes)`,
      ),
    chunk => hash.update(chunk),
  );
  // The request is piped in, not part of the pipeline: a refusal must not
  // destroy it, or the 413 could never be answered (nor the refusal
  // audited, which reads the caller's address from its socket). What is
  // left of a refused body is read and dropped.
  const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream> = [sent];
  if (contentEncoding === 'gzip') stages.push(zlib.createGunzip());
  if (contentEncoding === 'deflate') stages.push(zlib.createInflate());
  stages.push(decoded, fs.createWriteStream(file));
  const cutOff = () =>
    sent.destroy(
      Object.assign(new Error('The upload was cut off before its end'), {
        code: 'ERR_STREAM_PREMATURE_CLOSE',
      }),
    );
  body.once('aborted', cutOff);
  body.once('error', cutOff);
  body.pipe(sent);
  try {
    await (pipeline as (...streams: unknown[]) => Promise<void>)(...stages);
  } catch (error) {
    body.unpipe(sent);
    body.resume();
    await dispose();
    if (error instanceof PayloadTooLargeError) {
      throw error;
    }
    if ((error as { code?: string }).code?.startsWith('Z_')) {
      throw new InputError(
        `The report is not valid ${contentEncoding} data: ${
          (error as Error).message
        }`,
      );
    }
    if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      throw new InputError('The upload was cut off before its end');
    }
    throw error;
  } finally {
    body.off('aborted', cutOff);
    body.off('error', cutOff);
  }
  return {
    size: decoded.bytes,
    sha256: hash.digest('hex'),
    chunks: () =>
      fs.createReadStream(file, {
        highWaterMark: 256 * 1024,
      }) as AsyncIterable<Uint8Array>,
    dispose,
  };
}
