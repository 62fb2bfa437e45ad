import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import { JsonPath, JsonPathPattern } from '@portal/plugin-secops-node';
import { JsonStreamReader } from './jsonStream';
import { FIXTURES, FIXTURES_DIR } from './__testUtils__/fixtures';

/** Reads text through the reader in chunks of `size` bytes. */
function read(
  text: string | Buffer,
  options: {
    itemPaths?: JsonPathPattern[];
    chunkSize?: number;
    keepFirstItem?: boolean;
    maxDepth?: number;
  } = {},
) {
  const items: Array<{ path: JsonPath; value: unknown }> = [];
  const reader = new JsonStreamReader({
    itemPaths: options.itemPaths ?? [],
    keepFirstItem: options.keepFirstItem,
    maxDepth: options.maxDepth,
    onItem: (p, value) => items.push({ path: p, value }),
  });
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const size = options.chunkSize ?? bytes.length;
  for (let i = 0; i < bytes.length; i += size) {
    reader.write(bytes.subarray(i, i + size));
  }
  return { document: reader.end(), items, reader };
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('JsonStreamReader', () => {
  it.each(Object.entries(FIXTURES))(
    'reads %s in chunks of 7 bytes exactly as JSON.parse does',
    (_name, file) => {
      const bytes = fs.readFileSync(path.join(FIXTURES_DIR, file));
      expect(read(bytes, { chunkSize: 7 }).document).toEqual(
        JSON.parse(bytes.toString('utf8')),
      );
    },
  );

  it('keeps multi-byte characters split across chunks', () => {
    const text = JSON.stringify({ title: 'Ünïcødé ✓ 🎉 in a title' });
    for (const chunkSize of [1, 2, 3, 5]) {
      expect(read(text, { chunkSize }).document).toEqual(JSON.parse(text));
    }
  });

  it('hands the items of the chosen arrays over one by one and leaves them out', () => {
    const text = JSON.stringify({
      version: '2.1.0',
      runs: [
        { tool: { name: 'a' }, results: [{ id: 1 }, { id: 2 }] },
        { results: [{ id: 3 }], tool: { name: 'b' } },
      ],
    });
    const { document, items } = read(text, {
      itemPaths: [['runs', '*', 'results']],
      chunkSize: 4,
    });
    expect(document).toEqual({
      version: '2.1.0',
      runs: [
        { tool: { name: 'a' }, results: [] },
        { results: [], tool: { name: 'b' } },
      ],
    });
    expect(items).toEqual([
      { path: ['runs', 0, 'results', 0], value: { id: 1 } },
      { path: ['runs', 0, 'results', 1], value: { id: 2 } },
      { path: ['runs', 1, 'results', 0], value: { id: 3 } },
    ]);
  });

  it('streams the members of an object with their keys', () => {
    const { document, items } = read(
      '{"auditReportVersion":2,"vulnerabilities":{"a":{"x":1},"b":{"x":2}}}',
      { itemPaths: [['vulnerabilities']] },
    );
    expect(document).toEqual({ auditReportVersion: 2, vulnerabilities: {} });
    expect(items.map(i => i.path)).toEqual([
      ['vulnerabilities', 'a'],
      ['vulnerabilities', 'b'],
    ]);
  });

  it('keeps the first item for recognising the format, and can drop it after', () => {
    const { document, reader } = read('{"matches":[{"a":1},{"a":2}]}', {
      itemPaths: [['matches']],
      keepFirstItem: true,
    });
    expect(document).toEqual({ matches: [{ a: 1 }] });
    expect([...reader.matchedPatterns]).toEqual([['matches']]);
    reader.emptyItemContainers();
    expect(document).toEqual({ matches: [] });
  });

  it('keeps a __proto__ key as data, as JSON.parse does', () => {
    const { document } = read('{"__proto__":{"polluted":true},"a":1}');
    expect(Object.getPrototypeOf(document)).toBe(Object.prototype);
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.keys(document as object)).toEqual(['__proto__', 'a']);
  });

  it.each([
    ['', /it is empty/],
    ['   ', /it is empty/],
    ['{"runs": [', /ends in the middle of the document/],
    ['{"a": "unterminated', /ends in the middle|not valid JSON/],
    ['{"a" 1}', /unexpected a number at byte 5, expected ':'/],
    ['[1 2]', /unexpected a number at byte 3, expected ','/],
    ['{"a":1,}', /unexpected '}' at byte 7, expected a property name/],
    ['[1,]', /unexpected '\]' at byte 3, expected a value/],
    ['{"a":1]', /unexpected '\]'/],
    ['{} {}', /unexpected '\{' at byte 3, expected the end of the document/],
    ['{1:2}', /expected a property name or '}'/],
    ['{"a": tru}', /not valid JSON/],
    ['nope', /not valid JSON/],
  ])('refuses %j with a message that says what is wrong', (text, message) => {
    expect(errorOf(() => read(text, { chunkSize: 2 })).message).toMatch(
      message,
    );
  });

  it('refuses nesting deeper than the limit without running out of stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(errorOf(() => read(deep)).message).toMatch(
      /nested more than 512 levels deep/,
    );
    expect(read('[[[1]]]', { maxDepth: 3 }).document).toEqual([[[1]]]);
    expect(errorOf(() => read('[[[[1]]]]', { maxDepth: 3 })).message).toMatch(
      /more than 3 levels/,
    );
  });
});
