import { PassThrough, Readable } from 'node:stream';
import zlib from 'node:zlib';
import { decodeUpload, UploadLimits } from './upload';

const limits: UploadLimits = {
  maxSentBytes: 10_000,
  maxDecodedBytes: 50_000,
  what: 'report',
  sentLimitKey: 'x.maxSent',
  decodedLimitKey: 'x.maxDecoded',
};

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** A request body: the bytes, then its end, with a `resume` to observe. */
function body(bytes: Buffer) {
  const stream = new PassThrough();
  stream.end(bytes);
  return stream;
}

describe('decodeUpload', () => {
  const text = Buffer.from('{"findings":[]}\n'.repeat(100));

  it('passes plain, gzip and deflate bodies through as their decoded bytes', async () => {
    for (const [encoding, bytes] of [
      [undefined, text],
      ['identity', text],
      ['GZIP', zlib.gzipSync(text)],
      ['deflate', zlib.deflateSync(text)],
    ] as const) {
      const seen: Buffer[] = [];
      const upload = decodeUpload(body(bytes), encoding, limits, chunk =>
        seen.push(chunk),
      );
      expect(await collect(upload.stream)).toEqual(text);
      expect(Buffer.concat(seen)).toEqual(text);
      expect(upload.decodedBytes()).toBe(text.length);
      expect(upload.sentBytes()).toBe(bytes.length);
    }
  });

  it('refuses an encoding it cannot decode, naming it', () => {
    expect(() => decodeUpload(body(text), 'br', limits)).toThrow(
      'Content-Encoding br is not supported; send gzip, deflate or plain',
    );
  });

  it('stops a gzip bomb at the decoded limit with a 413 naming the setting', async () => {
    // 10 MB of zeros is about 10 kB compressed: under the sent limit.
    const bomb = zlib.gzipSync(Buffer.alloc(10_000_000), { level: 9 });
    expect(bomb.length).toBeLessThan(limits.maxSentBytes);
    const upload = decodeUpload(body(bomb), 'gzip', limits);
    await expect(collect(upload.stream)).rejects.toMatchObject({
      name: 'PayloadTooLargeError',
      statusCode: 413,
      message:
        'The report is larger than 50000 bytes once decompressed (x.maxDecoded)',
    });
    // Not the whole bomb: reading stopped shortly after the limit.
    expect(upload.decodedBytes()).toBeLessThan(200_000);
  });

  it('refuses a body over the sent limit with a 413, and drains the rest so that the answer can be sent', async () => {
    // A client still sending: the body has not ended.
    const request = new PassThrough();
    request.write(Buffer.alloc(100_000, 'a'));
    const upload = decodeUpload(request, undefined, limits);
    await expect(collect(upload.stream)).rejects.toMatchObject({
      name: 'PayloadTooLargeError',
      message: 'The upload is larger than 10000 bytes (x.maxSent)',
    });
    // What the client sends next is read and dropped, the request kept.
    request.write(Buffer.alloc(100_000, 'b'));
    await new Promise(resolve => setImmediate(resolve));
    expect(request.destroyed).toBe(false);
    expect(request.readableFlowing).toBe(true);
    expect(request.readableLength).toBe(0);
  });

  it('answers 400 for corrupt compressed data and for a body cut off', async () => {
    const corrupt = Buffer.concat([
      zlib.gzipSync(text).subarray(0, 20),
      Buffer.from('not gzip at all'),
    ]);
    await expect(
      collect(decodeUpload(body(corrupt), 'gzip', limits).stream),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^The report is not valid gzip data: /),
    });

    const request = new PassThrough();
    const upload = decodeUpload(request, undefined, limits);
    request.write(text.subarray(0, 100));
    const read = collect(upload.stream);
    request.emit('aborted');
    await expect(read).rejects.toMatchObject({
      name: 'InputError',
      message: 'The upload was cut off before its end',
    });
  });
});
