import { InputError } from '@backstage/errors';
import { IngestResult, ParsedFinding } from '@portal/plugin-secops-common';
import {
  JsonPathPattern,
  ParseLimits,
  ReportParser,
} from '@portal/plugin-secops-node';
import { JsonStreamReader } from '../parsers/jsonStream';
import {
  bufferSource,
  PayloadTooLargeError,
  readAll,
  ReportSource,
} from './reportSource';
import { FindingStore } from '../database/types';
import { SecopsOptions } from './options';

export interface UploadedReport {
  entityRef: string;
  tool: string;
  /** The format, or undefined to recognise it from the document. */
  format?: string;
  commitSha?: string;
  branch?: string;
  uploadedBy: string;
  /** The decoded report. */
  body: Buffer | ReportSource;
  /**
   * Whether open findings of this tool that the report no longer has are
   * fixed (default). False for reports people upload by hand: they add,
   * never close.
   */
  closesMissing?: boolean;
}

/**
 * Turns an uploaded report into stored findings: pick the parser, parse
 * within the limits, store in one transaction. Nothing is written when any
 * step fails.
 *
 * Reports up to `maxInMemoryBytes` are decoded whole (fastest). Larger JSON
 * reports are read as streams in two passes over the source, first the
 * document without its bulk arrays (the context the parser needs first),
 * then those arrays' items one at a time, so memory does not grow with the
 * report.
 */
export class ReportIngester {
  private readonly parsers = new Map<string, ReportParser>();

  constructor(
    parsers: ReportParser[],
    private readonly store: Pick<FindingStore, 'ingest'>,
    private readonly options: SecopsOptions,
  ) {
    for (const parser of parsers) {
      this.parsers.set(parser.format, parser);
    }
  }

  get formats(): string[] {
    return [...this.parsers.keys()];
  }

  async ingest(
    report: UploadedReport,
    now = new Date(),
  ): Promise<IngestResult> {
    const source = Buffer.isBuffer(report.body)
      ? bufferSource(report.body)
      : report.body;
    if (source.size === 0) {
      throw new InputError('The report is empty');
    }
    const limits = { maxFindings: this.options.maxFindings };
    let parser: ReportParser;
    let findings: ParsedFinding[];
    if (source.size <= this.options.maxInMemoryBytes) {
      const document = decode(await readAll(source));
      parser = this.pickParser(report.format, document);
      findings = parser.parse(document, limits);
    } else {
      ({ parser, findings } = await this.parseStream(
        report.format,
        source,
        limits,
      ));
    }
    return this.store.ingest(
      {
        entityRef: report.entityRef,
        tool: report.tool,
        format: parser.format,
        commitSha: report.commitSha,
        branch: report.branch,
        uploadedBy: report.uploadedBy,
        reportSha256: source.sha256,
        findings,
        closesMissing: report.closesMissing ?? true,
      },
      now,
    );
  }

  private async parseStream(
    format: string | undefined,
    source: ReportSource,
    limits: ParseLimits,
  ): Promise<{ parser: ReportParser; findings: ParsedFinding[] }> {
    const first = await firstCharacter(source);
    if (first !== '{' && first !== '[') {
      throw this.tooLargeToReadWhole(source, 'XML and CSV reports');
    }
    const named = format ? this.parserFor(format) : undefined;
    const candidates = named
      ? [named]
      : [...this.parsers.values()].filter(p => p.streaming);
    if (named && !named.streaming) {
      throw this.tooLargeToReadWhole(source, `${named.format} reports`);
    }
    const readContext = async (itemPaths: JsonPathPattern[]) => {
      const reader = new JsonStreamReader({
        itemPaths,
        keepFirstItem: !named,
      });
      await feed(reader, source);
      return { reader, context: reader.end() };
    };

    // Pass 1: the context. Without a named format the bulk arrays of every
    // streaming format are left out and the first item of each is kept, so
    // that the formats can recognise the document.
    let { reader, context } = await readContext(
      candidates.flatMap(p => p.streaming!.itemPaths),
    );
    const parser = named ?? this.pickParser(undefined, context);
    const streaming = parser.streaming;
    if (!streaming) {
      throw this.tooLargeToReadWhole(source, `${parser.format} reports`);
    }
    if (!named) {
      reader.emptyItemContainers();
      const own = new Set(streaming.itemPaths);
      if ([...reader.matchedPatterns].some(p => !own.has(p))) {
        // Another format's arrays were left out: read the context again
        // with only this format's.
        ({ reader, context } = await readContext(streaming.itemPaths));
        reader.emptyItemContainers();
      }
    }
    const session = streaming.start(context, limits);

    // Pass 2: the items, one at a time.
    const items = new JsonStreamReader({
      itemPaths: streaming.itemPaths,
      onItem: (path, value) => session.item(path, value),
    });
    await feed(items, source);
    items.end();
    return { parser, findings: session.finish() };
  }

  private tooLargeToReadWhole(source: ReportSource, what: string) {
    return new PayloadTooLargeError(
      `${what} are read whole and may be at most ${this.options.maxInMemoryBytes} bytes (secops.limits.maxInMemoryBytes); this one is ${source.size} bytes`,
    );
  }

  private parserFor(format: string): ReportParser {
    const parser = this.parsers.get(format);
    if (!parser) {
      throw new InputError(
        `Unknown report format '${format}'; the formats are ${this.formats.join(
          ', ',
        )}`,
      );
    }
    return parser;
  }

  private pickParser(format: string | undefined, document: unknown) {
    if (format) {
      return this.parserFor(format);
    }
    const detected = [...this.parsers.values()].find(p => p.detect(document));
    if (!detected) {
      throw new InputError(
        `Could not tell the report's format; name it with format= (one of ${this.formats.join(
          ', ',
        )})`,
      );
    }
    return detected;
  }
}

async function feed(reader: JsonStreamReader, source: ReportSource) {
  for await (const chunk of source.chunks()) {
    reader.write(chunk);
  }
}

/** The first character that is not white space (or a byte order mark). */
async function firstCharacter(source: ReportSource): Promise<string> {
  for await (const chunk of source.chunks()) {
    const text = Buffer.from(chunk)
      .toString('utf8')
      .replace(/^[\s\uFEFF]+/, '');
    if (text.length > 0) {
      return text[0];
    }
  }
  return '';
}

/**
 * A first line that names comma-separated columns (letters, digits, spaces,
 * quotes), as a CSV report's header does.
 */
const CSV_HEADER = /^\uFEFF?[\w" -]+(,[\w" -]*)+\r?$/;

/**
 * JSON reports become values; XML reports (ZAP) and CSV reports (DefectDojo
 * generic findings) stay text.
 */
function decode(body: Buffer): unknown {
  if (body.length === 0) {
    throw new InputError('The report is empty');
  }
  const text = body.toString('utf8');
  const start = text.trimStart()[0];
  if (start === '<') {
    return text;
  }
  if (start !== '{' && start !== '[') {
    if (CSV_HEADER.test(text.slice(0, 4096).split('\n', 1)[0])) {
      return text;
    }
    throw new InputError('The report is neither JSON, XML nor CSV');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `The report is not valid JSON: ${(error as Error).message}`,
    );
  }
}
