/*
 * A gzip-compressed POSIX ustar archive of a few small text files, for the
 * evidence export: auditors open it with any tar and check it with
 * `sha256sum -c MANIFEST.sha256`.
 */
import { gzipSync } from 'node:zlib';

const BLOCK = 512;

/** An octal field of `size` bytes: digits, zero-padded, ending in NUL. */
function octal(value: number, size: number): string {
  return `${value.toString(8).padStart(size - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: Date): Buffer {
  if (Buffer.byteLength(name) > 100) {
    throw new Error(`tar entry name too long: ${name}`);
  }
  const block = Buffer.alloc(BLOCK, 0);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100, 8, 'ascii'); // mode
  block.write(octal(0, 8), 108, 8, 'ascii'); // uid
  block.write(octal(0, 8), 116, 8, 'ascii'); // gid
  block.write(octal(size, 12), 124, 12, 'ascii');
  block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12, 'ascii');
  block.write('        ', 148, 8, 'ascii'); // checksum, spaces while summing
  block.write('0', 156, 1, 'ascii'); // a regular file
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** The files, in order, as a .tar.gz. */
export function tarGz(
  files: Array<{ name: string; content: Buffer }>,
  mtime: Date,
): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(header(file.name, file.content.length, mtime), file.content);
    const pad = (BLOCK - (file.content.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0)); // the end of the archive
  return gzipSync(Buffer.concat(parts));
}
