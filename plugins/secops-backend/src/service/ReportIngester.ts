import { InputError } from '@backstage/errors';
import { IngestResult } from '@portal/plugin-secops-common';
import { ReportParser } from '@portal/plugin-secops-node';
import { createHash } from 'node:crypto';
import { SecopsStore } from '../database/SecopsStore';
import { SecopsOptions } from './options';

export interface UploadedReport {
  entityRef: string;
  tool: string;
  /** The format, or undefined to recognise it from the document. */
  format?: string;
  commitSha?: string;
  branch?: string;
  uploadedBy: string;
  body: Buffer;
}

/**
 * Turns an uploaded report into stored findings: decode, pick the parser,
 * parse within the limits, store in one transaction. Nothing is written when
 * any step fails.
 */
export class ReportIngester {
  private readonly parsers = new Map<string, ReportParser>();

  constructor(
    parsers: ReportParser[],
    private readonly store: SecopsStore,
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
    const document = decode(report.body);
    const parser = this.pickParser(report.format, document);
    const findings = parser.parse(document, {
      maxFindings: this.options.maxFindings,
    });
    return this.store.ingest(
      {
        entityRef: report.entityRef,
        tool: report.tool,
        format: parser.format,
        commitSha: report.commitSha,
        branch: report.branch,
        uploadedBy: report.uploadedBy,
        reportSha256: createHash('sha256').update(report.body).digest('hex'),
        findings,
      },
      now,
    );
  }

  private pickParser(format: string | undefined, document: unknown) {
    if (format) {
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

/** JSON reports become values; XML reports (ZAP) stay text. */
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
    throw new InputError('The report is neither JSON nor XML');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `The report is not valid JSON: ${(error as Error).message}`,
    );
  }
}
