/*
 * A JSON reader that takes its input in chunks and hands the items of chosen
 * arrays (or objects) to a callback one at a time instead of keeping them: a
 * 100 MB SARIF report is read with the memory of one result plus the rest of
 * the document (rules, metadata).
 *
 * How: a byte scanner follows only the structure (brackets, strings, the
 * property names on the way to the chosen containers). The bytes of each
 * item are cut out and decoded with JSON.parse on their own; the bytes
 * outside the items (the context) are kept and decoded at the end. JSON.parse
 * validates both, so the scanner stays small and the reading fast (V8's
 * parser instead of a token-by-token one).
 */
import { InputError } from '@backstage/errors';
import { JsonPath, JsonPathPattern } from '@portal/plugin-secops-node';

/** Deepest nesting a report may have. */
export const MAX_JSON_DEPTH = 512;

export interface JsonStreamReaderOptions {
  /** Containers whose children go to `onItem` and are not kept. */
  itemPaths: ReadonlyArray<JsonPathPattern>;
  /** Receives each item, in document order, with its full path. */
  onItem?: (path: JsonPath, value: unknown) => void;
  /**
   * Keep the first item of each such container in the document (so that a
   * format can be recognised from it); `emptyItemContainers` removes them.
   */
  keepFirstItem?: boolean;
  maxDepth?: number;
}

interface Frame {
  isArray: boolean;
  path: Array<string | number>;
  /** Whether this container's children are items. */
  streamed: boolean;
  /** Objects: whether the next string is a property name. */
  expectKey: boolean;
  /** The last property name (objects). */
  key: string;
  /** How many commas so far: the index of the current child (arrays). */
  index: number;
  /** Items: how many were read. */
  items: number;
  /** Items: whether the last item ended with a comma, so another must follow. */
  afterComma: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function isSpace(byte: number) {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function notJson(detail: string): InputError {
  return new InputError(`The report is not valid JSON: ${detail}`);
}

function matches(pattern: JsonPathPattern, path: JsonPath): boolean {
  return (
    pattern.length === path.length &&
    pattern.every(
      (segment, i) => segment === '*' || segment === String(path[i]),
    )
  );
}

function describePath(path: JsonPath): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : `${i > 0 ? '.' : ''}${segment}`,
    )
    .join('');
}

/** Collects byte ranges that may span chunks. */
class Bytes {
  private parts: Buffer[] = [];
  length = 0;

  add(chunk: Buffer, start: number, end: number) {
    if (end > start) {
      this.parts.push(chunk.subarray(start, end));
      this.length += end - start;
    }
  }

  text(): string {
    const text =
      this.parts.length === 1
        ? this.parts[0].toString('utf8')
        : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.length = 0;
    return text;
  }
}

/**
 * Reads one JSON document from chunks of UTF-8. `write` each chunk, then
 * `end` gives the document without the items (the context). Errors are
 * InputErrors that say what is wrong and where.
 */
export class JsonStreamReader {
  private readonly stack: Frame[] = [];
  private readonly maxDepth: number;
  /** Bytes read before the current chunk. */
  private consumed = 0;
  private readonly context = new Bytes();
  private started = false;

  // String scanning, which may span chunks.
  private inString = false;
  private escaped = false;
  /** The bytes of a property name being read (context only). */
  private readonly keyBytes = new Bytes();
  private readingKey = false;

  // The item being read, if any.
  private inItem = false;
  private itemDepth = 0;
  private readonly itemBytes = new Bytes();
  private keepThisItem = false;

  /** Concrete paths of the containers whose children were items. */
  private readonly itemContainers: JsonPath[] = [];
  private root: unknown;
  /** Patterns that matched at least one container of this document. */
  readonly matchedPatterns = new Set<JsonPathPattern>();

  constructor(private readonly options: JsonStreamReaderOptions) {
    this.maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  }

  write(input: Uint8Array | string): void {
    let chunk: Buffer;
    if (typeof input === 'string') {
      chunk = Buffer.from(input, 'utf8');
    } else if (Buffer.isBuffer(input)) {
      chunk = input;
    } else {
      chunk = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    }
    // Start of the run of context bytes not yet copied.
    let copyFrom = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
        } else if (byte === BACKSLASH) {
          this.escaped = true;
        } else if (byte === QUOTE) {
          this.inString = false;
          if (this.readingKey) {
            this.endKey(chunk, i);
          }
        }
        continue;
      }
      if (this.inItem) {
        if (byte === QUOTE) {
          this.inString = true;
        } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
          this.itemDepth++;
          if (this.stack.length + this.itemDepth > this.maxDepth) {
            throw this.tooDeep();
          }
        } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          if (this.itemDepth > 0) {
            this.itemDepth--;
          } else {
            // The container's end: the item ends here.
            this.itemBytes.add(chunk, this.itemStartIndex, i);
            this.endItem();
            copyFrom = i;
            i--; // the closer is handled as context below
          }
        } else if (byte === COMMA && this.itemDepth === 0) {
          this.itemBytes.add(chunk, this.itemStartIndex, i);
          this.endItem();
          copyFrom = i + 1;
          this.top().index++;
          this.top().afterComma = true;
        }
        continue;
      }
      const top = this.stack[this.stack.length - 1];
      if (top?.streamed && !isSpace(byte)) {
        if (byte === COMMA) {
          throw this.unexpected(',', i, 'a value');
        }
        if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          if (top.afterComma) {
            throw this.unexpected(String.fromCharCode(byte), i, 'a value');
          }
        } else {
          top.afterComma = false;
          // An item starts.
          this.context.add(chunk, copyFrom, i);
          this.inItem = true;
          this.itemDepth = 0;
          this.itemStartIndex = i;
          this.keepThisItem = !!this.options.keepFirstItem && top.items === 0;
          i--; // scan the first byte as part of the item
          continue;
        }
      }
      if (!isSpace(byte)) {
        this.started = true;
      }
      switch (byte) {
        case QUOTE:
          this.inString = true;
          if (top && !top.isArray && top.expectKey) {
            this.readingKey = true;
            this.keyStart = i + 1;
            top.expectKey = false;
          }
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          this.open(byte === OPEN_BRACKET);
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          if (!top || top.isArray !== (byte === CLOSE_BRACKET)) {
            throw this.unexpected(String.fromCharCode(byte), i);
          }
          this.stack.pop();
          break;
        case COMMA:
          if (top) {
            top.index++;
            top.expectKey = !top.isArray;
          }
          break;
        default:
      }
    }
    if (!this.inItem) {
      this.context.add(chunk, copyFrom, chunk.length);
    } else {
      this.itemBytes.add(chunk, this.itemStartIndex, chunk.length);
      this.itemStartIndex = 0;
    }
    if (this.readingKey) {
      this.keyBytes.add(chunk, this.keyStart, chunk.length);
      this.keyStart = 0;
    }
    this.consumed += chunk.length;
  }

  end(): unknown {
    if (!this.started) {
      throw notJson('it is empty');
    }
    if (this.stack.length > 0 || this.inString || this.inItem) {
      throw notJson('it ends in the middle of the document (was it cut off?)');
    }
    try {
      this.root = JSON.parse(this.context.text());
    } catch (error) {
      throw notJson((error as Error).message);
    }
    return this.root;
  }

  /**
   * Removes the items kept by `keepFirstItem`, leaving the context that a
   * streaming parser expects.
   */
  emptyItemContainers(): void {
    for (const path of this.itemContainers) {
      let value: any = this.root;
      for (const segment of path) {
        value = value?.[segment];
      }
      if (Array.isArray(value)) {
        value.length = 0;
      } else if (value && typeof value === 'object') {
        for (const key of Object.keys(value)) {
          delete value[key];
        }
      }
    }
  }

  // --- internals

  private itemStartIndex = 0;
  private keyStart = 0;

  private top(): Frame {
    return this.stack[this.stack.length - 1];
  }

  private tooDeep() {
    return new InputError(
      `The report is nested more than ${this.maxDepth} levels deep`,
    );
  }

  private unexpected(what: string, index: number, expected?: string) {
    return notJson(
      `unexpected '${what}' at byte ${this.consumed + index}${
        expected ? `, expected ${expected}` : ''
      }`,
    );
  }

  private endKey(chunk: Buffer, quoteIndex: number) {
    this.keyBytes.add(chunk, this.keyStart, quoteIndex);
    this.readingKey = false;
    const raw = this.keyBytes.text();
    try {
      this.top().key = JSON.parse(`"${raw}"`);
    } catch {
      // Left to the final JSON.parse of the context, which says what is wrong.
      this.top().key = raw;
    }
  }

  private open(isArray: boolean) {
    if (this.stack.length >= this.maxDepth) {
      throw this.tooDeep();
    }
    const parent = this.stack[this.stack.length - 1];
    const path = parent
      ? [...parent.path, parent.isArray ? parent.index : parent.key]
      : [];
    const pattern = this.options.itemPaths.find(p => matches(p, path));
    if (pattern) {
      this.matchedPatterns.add(pattern);
      this.itemContainers.push(path);
    }
    this.stack.push({
      isArray,
      path,
      streamed: pattern !== undefined,
      expectKey: !isArray,
      key: '',
      index: 0,
      items: 0,
      afterComma: false,
    });
  }

  private endItem() {
    this.inItem = false;
    const frame = this.top();
    const text = this.itemBytes.text();
    let path: JsonPath;
    let value: unknown;
    try {
      if (frame.isArray) {
        path = [...frame.path, frame.index];
        value = JSON.parse(text);
      } else {
        const member = JSON.parse(`{${text}}`);
        const [key] = Object.keys(member);
        if (key === undefined || Object.keys(member).length !== 1) {
          throw new Error('expected one "name": value member');
        }
        path = [...frame.path, key];
        value = member[key];
      }
    } catch (error) {
      throw notJson(
        `${(error as Error).message} (in ${describePath([
          ...frame.path,
          frame.index,
        ])})`,
      );
    }
    if (this.keepThisItem) {
      this.context.add(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text));
    }
    frame.items++;
    this.options.onItem?.(path, value);
  }
}
