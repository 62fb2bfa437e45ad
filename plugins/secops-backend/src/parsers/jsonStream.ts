/*
 * A JSON reader that takes its input in chunks and hands the items of chosen
 * arrays (or objects) to a callback one at a time instead of keeping them: a
 * 100 MB SARIF report is read with the memory of one result plus the rest of
 * the document (rules, metadata).
 *
 * @streamparser/json's Tokenizer does the lexing (UTF-8 across chunk
 * boundaries, escapes, numbers); the grammar, the depth limit and the
 * splitting are here.
 */
import { InputError } from '@backstage/errors';
import { JsonPath, JsonPathPattern } from '@portal/plugin-secops-node';
import { Tokenizer, TokenType } from '@streamparser/json';

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

type Container = unknown[] | Record<string, unknown>;

interface Frame {
  container: Container;
  isArray: boolean;
  path: Array<string | number>;
  /** Whether this container's children are items. */
  streamed: boolean;
  keptFirst: boolean;
  /** The key whose value comes next (objects). */
  key: string;
  /** The index of the next child (arrays), or the number of members. */
  index: number;
}

type State =
  | 'value'
  | 'value-or-end'
  | 'key'
  | 'key-or-end'
  | 'colon'
  | 'comma-or-end'
  | 'done';

const TOKEN_NAMES: Record<number, string> = {
  [TokenType.LEFT_BRACE]: "'{'",
  [TokenType.RIGHT_BRACE]: "'}'",
  [TokenType.LEFT_BRACKET]: "'['",
  [TokenType.RIGHT_BRACKET]: "']'",
  [TokenType.COLON]: "':'",
  [TokenType.COMMA]: "','",
  [TokenType.TRUE]: 'true',
  [TokenType.FALSE]: 'false',
  [TokenType.NULL]: 'null',
  [TokenType.STRING]: 'a string',
  [TokenType.NUMBER]: 'a number',
};

const EXPECTED: Record<State, string> = {
  value: 'a value',
  'value-or-end': "a value or ']'",
  key: 'a property name',
  'key-or-end': "a property name or '}'",
  colon: "':'",
  'comma-or-end': "',' or the end of the array or object",
  done: 'the end of the document',
};

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

/** Sets a member the way JSON.parse does, `__proto__` included. */
function setMember(
  object: Record<string, unknown>,
  key: string,
  value: unknown,
) {
  if (key === '__proto__') {
    Object.defineProperty(object, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    object[key] = value;
  }
}

/**
 * Reads one JSON document from chunks of UTF-8. `write` each chunk, then
 * `end` gives the document without the items (the context). Errors are
 * InputErrors that say what is wrong and where (a byte offset).
 */
export class JsonStreamReader {
  private readonly tokenizer = new Tokenizer();
  private readonly stack: Frame[] = [];
  private state: State = 'value';
  private root: unknown;
  private offset = 0;
  private readonly maxDepth: number;
  private readonly itemContainers: Frame[] = [];
  /** Patterns that matched at least one container of this document. */
  readonly matchedPatterns = new Set<JsonPathPattern>();

  constructor(private readonly options: JsonStreamReaderOptions) {
    this.maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
    this.tokenizer.onToken = ({ token, value, offset }) => {
      this.offset = offset;
      this.token(token, value);
    };
  }

  write(chunk: Uint8Array | string): void {
    try {
      this.tokenizer.write(chunk);
    } catch (error) {
      throw this.asInputError(error);
    }
  }

  end(): unknown {
    if (this.state !== 'done') {
      throw notJson(
        this.stack.length > 0 || this.state !== 'value'
          ? 'it ends in the middle of the document (was it cut off?)'
          : 'it is empty',
      );
    }
    try {
      this.tokenizer.end();
    } catch (error) {
      throw this.asInputError(error);
    }
    return this.root;
  }

  /**
   * Removes the items kept by `keepFirstItem`, leaving the context that a
   * streaming parser expects.
   */
  emptyItemContainers(): void {
    for (const frame of this.itemContainers) {
      if (Array.isArray(frame.container)) {
        frame.container.length = 0;
      } else {
        for (const key of Object.keys(frame.container)) {
          delete frame.container[key];
        }
      }
    }
  }

  private asInputError(error: unknown): Error {
    if (error instanceof InputError) {
      return error;
    }
    const message = (error as Error).message ?? String(error);
    return notJson(message.replace(/^Unexpected/, 'unexpected'));
  }

  private unexpected(token: TokenType): never {
    throw notJson(
      `unexpected ${TOKEN_NAMES[token] ?? 'input'} at byte ${
        this.offset
      }, expected ${EXPECTED[this.state]}`,
    );
  }

  private token(token: TokenType, value: unknown): void {
    const state = this.state;
    switch (token) {
      case TokenType.LEFT_BRACE:
      case TokenType.LEFT_BRACKET:
        if (state !== 'value' && state !== 'value-or-end') {
          this.unexpected(token);
        }
        this.open(token === TokenType.LEFT_BRACKET);
        return;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET: {
        const top = this.stack[this.stack.length - 1];
        const isArrayEnd = token === TokenType.RIGHT_BRACKET;
        const allowed = isArrayEnd
          ? state === 'value-or-end' || state === 'comma-or-end'
          : state === 'key-or-end' || state === 'comma-or-end';
        if (!top || !allowed || top.isArray !== isArrayEnd) {
          this.unexpected(token);
        }
        this.stack.pop();
        this.complete(top.container);
        return;
      }
      case TokenType.COLON:
        if (state !== 'colon') this.unexpected(token);
        this.state = 'value';
        return;
      case TokenType.COMMA: {
        if (state !== 'comma-or-end') this.unexpected(token);
        const top = this.stack[this.stack.length - 1];
        this.state = top.isArray ? 'value' : 'key';
        return;
      }
      case TokenType.STRING:
        if (state === 'key' || state === 'key-or-end') {
          this.stack[this.stack.length - 1].key = value as string;
          this.state = 'colon';
          return;
        }
        if (state !== 'value' && state !== 'value-or-end') {
          this.unexpected(token);
        }
        this.complete(value);
        return;
      case TokenType.NUMBER:
      case TokenType.TRUE:
      case TokenType.FALSE:
      case TokenType.NULL:
        if (state !== 'value' && state !== 'value-or-end') {
          this.unexpected(token);
        }
        this.complete(value);
        return;
      default:
        this.unexpected(token);
    }
  }

  private open(isArray: boolean): void {
    if (this.stack.length >= this.maxDepth) {
      throw new InputError(
        `The report is nested more than ${this.maxDepth} levels deep`,
      );
    }
    const parent = this.stack[this.stack.length - 1];
    const path = parent
      ? [...parent.path, parent.isArray ? parent.index : parent.key]
      : [];
    const pattern = this.options.itemPaths.find(p => matches(p, path));
    const frame: Frame = {
      container: isArray ? [] : {},
      isArray,
      path,
      streamed: pattern !== undefined,
      keptFirst: false,
      key: '',
      index: 0,
    };
    if (pattern) {
      this.matchedPatterns.add(pattern);
      this.itemContainers.push(frame);
    }
    this.stack.push(frame);
    this.state = isArray ? 'value-or-end' : 'key-or-end';
  }

  private complete(value: unknown): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      this.root = value;
      this.state = 'done';
      return;
    }
    const key = parent.isArray ? parent.index : parent.key;
    let keep = true;
    if (parent.streamed) {
      this.options.onItem?.([...parent.path, key], value);
      keep = !!this.options.keepFirstItem && !parent.keptFirst;
      parent.keptFirst = true;
    }
    if (keep) {
      if (parent.isArray) {
        (parent.container as unknown[]).push(value);
      } else {
        setMember(
          parent.container as Record<string, unknown>,
          parent.key,
          value,
        );
      }
    }
    parent.index++;
    this.state = 'comma-or-end';
  }
}
