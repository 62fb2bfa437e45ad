import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import { JsonPath, JsonPathPattern } from '@portal/plugin-secops-node';
import { JsonStreamReader } from './jsonStream';
import { builtInParsers } from '.';
import { FIXTURES, FIXTURES_DIR } from './__testUtils__/fixtures';

/** The JSON report files (the CSV ones never reach the JSON reader). */
const JSON_FIXTURES = Object.entries(FIXTURES).filter(
  ([, file]) => !file.endsWith('.csv'),
);

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
  it.each(JSON_FIXTURES)(
    'reads %s in chunks of 7 bytes exactly as JSON.parse does',
    (_name, file) => {
      const bytes = fs.readFileSync(path.join(FIXTURES_DIR, file));
      expect(read(bytes, { chunkSize: 7 }).document).toEqual(
        JSON.parse(bytes.toString('utf8')),
      );
    },
  );

  const ALL_ITEM_PATHS = builtInParsers.flatMap(
    p => p.streaming?.itemPaths ?? [],
  );

  it.each(JSON_FIXTURES)(
    'splits %s into context and items that put back together give the document',
    (_name, file) => {
      const bytes = fs.readFileSync(path.join(FIXTURES_DIR, file));
      for (const chunkSize of [7, 4096]) {
        const { document, items } = read(bytes, {
          itemPaths: ALL_ITEM_PATHS,
          chunkSize,
        });
        for (const item of items) {
          let container: any = document;
          for (const segment of item.path.slice(0, -1)) {
            container = container[segment];
          }
          container[item.path[item.path.length - 1]] = item.value;
        }
        expect(document).toEqual(JSON.parse(bytes.toString('utf8')));
      }
    },
  );

  it('finds the end of items whose strings hold brackets, quotes and escapes', () => {
    const values = [
      { a: ']}', b: '\\"[{', c: ['x', { d: '\\' }] },
      '"],[',
      -1.5e3,
      true,
      null,
      [[], {}],
    ];
    const text = JSON.stringify({ results: values, after: 'done' });
    for (let chunkSize = 1; chunkSize <= 9; chunkSize++) {
      const { document, items } = read(text, {
        itemPaths: [['results']],
        chunkSize,
      });
      expect(items.map(i => i.value)).toEqual(values);
      expect(document).toEqual({ results: [], after: 'done' });
    }
  });

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
    ['{"a" 1}', /Expected ':' after property name in JSON at position 5/],
    ['[1 2]', /Expected ',' or ']' after array element in JSON at position 3/],
    ['{"a":1,}', /Expected double-quoted property name in JSON at position 7/],
    ['[1,]', /Unexpected token '\]'/],
    ['{"a":1]', /unexpected '\]'/],
    ['{} {}', /Unexpected non-whitespace character after JSON at position 3/],
    ['{1:2}', /Expected property name or '}'/],
    ['{"a": tru}', /not valid JSON/],
    ['nope', /not valid JSON/],
  ])('refuses %j with a message that says what is wrong', (text, message) => {
    expect(errorOf(() => read(text, { chunkSize: 2 })).message).toMatch(
      message,
    );
  });

  it.each([
    ['{"results":[1,,2]}', /unexpected ',' at byte 14, expected a value/],
    ['{"results":[,1]}', /unexpected ',' at byte 12, expected a value/],
    ['{"results":[1,]}', /unexpected '\]' at byte 14, expected a value/],
    ['{"results":[1 2]}', /in results\[0\]/],
    ['{"results":[{"a":1]}]}', /in results\[0\]/],
    ['{"results":[1}', /unexpected '}' at byte 13/],
    ['{"results":[{"a":"]"}', /ends in the middle/],
    ['{"results":{"a" 1}}', /in results/],
  ])(
    'refuses %j in a streamed array with a message that says where',
    (text, message) => {
      for (const chunkSize of [1, 3, 1000]) {
        expect(
          errorOf(() => read(text, { itemPaths: [['results']], chunkSize }))
            .message,
        ).toMatch(message);
      }
    },
  );

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
