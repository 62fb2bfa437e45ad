import { CustomErrorBase } from '@backstage/errors';
import { Transform, TransformCallback } from 'node:stream';

/** A request body larger than a configured limit (HTTP 413). */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  statusCode = 413;
}

/**
 * Passes a body through, counting its bytes, and fails with `tooLarge()`
 * past the limit; `onChunk` sees every chunk that passes (a hash, say).
 */
export class ByteLimit extends Transform {
  bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly tooLarge: () => Error,
    private readonly onChunk?: (chunk: Buffer) => void,
  ) {
    super();
  }

  _transform(chunk: Buffer, _encoding: string, callback: TransformCallback) {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      callback(this.tooLarge());
      return;
    }
    this.onChunk?.(chunk);
    callback(null, chunk);
  }
}
