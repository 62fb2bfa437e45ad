import { InputError } from '@backstage/errors';
import { pipeline, Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { ByteLimit, PayloadTooLargeError } from './bodyLimit';

/** How large an upload may be, and how its limits are named in a refusal. */
export interface UploadLimits {
  /** Bytes as sent (compressed or not). */
  maxSentBytes: number;
  /** Bytes once decompressed. */
  maxDecodedBytes: number;
  /** What is uploaded, in messages: "report", "file". */
  what: string;
  /** The configuration keys of the two limits, named in a 413. */
  sentLimitKey: string;
  decodedLimitKey: string;
}

/** A decoded upload: its bytes as they arrive, and how many there were. */
export interface DecodedUpload {
  /**
   * The decompressed bytes. It fails with PayloadTooLargeError (413) as soon
   * as either limit is passed (a gzip bomb stops at the limit), and with
   * InputError (400) when the compressed data is corrupt or the upload is
   * cut off.
   */
  stream: Readable;
  /** Bytes sent so far. */
  sentBytes(): number;
  /** Decompressed bytes so far. */
  decodedBytes(): number;
}

const DECODERS: Record<string, (() => Transform) | undefined> = {
  identity: undefined,
  gzip: () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
};

/**
 * The upload pipeline of every plugin that takes files (SecOps reports,
 * FinOps billing exports): a request body, inflated when its
 * Content-Encoding says gzip or deflate, with both sizes capped.
 *
 * The request is piped in, not made part of the pipeline: a refusal must not
 * destroy it, or the 413 could never be answered (nor the refusal audited,
 * which reads the caller's address from its socket). What is left of a
 * refused body is read and dropped.
 *
 * `onChunk` sees every decoded chunk (to hash it, say).
 */
export function decodeUpload(
  body: Readable,
  contentEncoding: string | undefined,
  limits: UploadLimits,
  onChunk?: (chunk: Buffer) => void,
): DecodedUpload {
  const encoding = (contentEncoding ?? 'identity').toLowerCase();
  if (!(encoding in DECODERS)) {
    throw new InputError(
      `Content-Encoding ${contentEncoding} is not supported; send gzip, deflate or plain`,
    );
  }
  const sent = new ByteLimit(
    limits.maxSentBytes,
    () =>
      new PayloadTooLargeError(
        `The upload is larger than ${limits.maxSentBytes} bytes (${limits.sentLimitKey})`,
      ),
  );
  const decoded = new ByteLimit(
    limits.maxDecodedBytes,
    () =>
      new PayloadTooLargeError(
        `The ${limits.what} is larger than ${limits.maxDecodedBytes} bytes once decompressed (${limits.decodedLimitKey})`,
      ),
    onChunk,
  );
  const decoder = DECODERS[encoding]?.();
  const stages = decoder ? [sent, decoder, decoded] : [sent, decoded];
  const cutOff = () =>
    sent.destroy(
      Object.assign(new Error('The upload was cut off before its end'), {
        code: 'ERR_STREAM_PREMATURE_CLOSE',
      }),
    );
  const release = () => {
    body.off('aborted', cutOff);
    body.off('error', cutOff);
  };
  body.once('aborted', cutOff);
  body.once('error', cutOff);
  (pipeline as (...streams: unknown[]) => Readable)(...stages, () => {});
  body.pipe(sent);

  async function* translated() {
    let finished = false;
    try {
      for await (const chunk of decoded) yield chunk as Buffer;
      finished = true;
    } catch (error) {
      throw uploadError(error, encoding, limits.what);
    } finally {
      release();
      if (!finished) {
        // Refused or abandoned: stop reading it, and drain the rest so that
        // the answer can still be sent.
        body.unpipe(sent);
        sent.destroy();
        body.resume();
      }
    }
  }
  return {
    stream: Readable.from(translated(), { objectMode: false }),
    sentBytes: () => sent.bytes,
    decodedBytes: () => decoded.bytes,
  };
}

/** What a failed upload tells the caller: 413, 400, or the error itself. */
function uploadError(error: unknown, encoding: string, what: string): unknown {
  if (error instanceof PayloadTooLargeError) return error;
  const code = (error as { code?: string }).code;
  if (code?.startsWith('Z_')) {
    return new InputError(
      `The ${what} is not valid ${encoding} data: ${(error as Error).message}`,
    );
  }
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new InputError('The upload was cut off before its end');
  }
  return error;
}
