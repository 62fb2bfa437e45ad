/*
 * Precision and recall of the personal-data scanner on a labelled corpus
 * (fixtures/pii/<set>: files, and labels.json naming every value in them).
 * A match counts as found when it has the label's file, line and kind and
 * overlaps the labelled text; every other match is a false positive.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PiiKind } from './rules';
import { scanFolder } from './scan';

/** One labelled value: where it is and what it is. */
export interface PiiLabel {
  file: string;
  line: number;
  kind: PiiKind;
  /** The labelled text exactly as it appears on the line. */
  match: string;
}

/** Counts and ratios for one kind, or for all kinds together. */
export interface PiiScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

/** What an evaluation found, with the misses to look at. */
export interface PiiEvaluation {
  overall: PiiScore;
  byKind: Partial<Record<PiiKind, PiiScore>>;
  /** Matches no label accounts for: file, line, rule and masked value. */
  falsePositives: Array<{
    file: string;
    line: number;
    rule: string;
    masked: string;
  }>;
  /** Labels no match found (the labelled text is the corpus's own). */
  falseNegatives: PiiLabel[];
  files: number;
}

function score(tp: number, fp: number, fn: number): PiiScore {
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
  };
}

/** Scans one labelled set and scores the scan against its labels. */
export async function evaluateCorpus(dir: string): Promise<PiiEvaluation> {
  const { labels } = JSON.parse(
    await fs.readFile(path.join(dir, 'labels.json'), 'utf8'),
  ) as { labels: PiiLabel[] };
  const scan = await scanFolder(dir);
  const matches = scan.matches.filter(m => m.file !== 'labels.json');

  // Where each label is on its line.
  const lines = new Map<string, string[]>();
  const spans: Array<{ label: PiiLabel; start: number; end: number }> = [];
  for (const label of labels) {
    if (!lines.has(label.file)) {
      const text = await fs.readFile(path.join(dir, label.file), 'utf8');
      lines.set(label.file, text.split(/\r\n|\r|\n/));
    }
    const line = lines.get(label.file)![label.line - 1] ?? '';
    const start = line.indexOf(label.match);
    if (start < 0) {
      throw new Error(
        `${label.file}:${label.line}: the labelled text is not on that line`,
      );
    }
    spans.push({
      label,
      start: start + 1,
      end: start + 1 + label.match.length,
    });
  }

  const found = new Set<number>();
  const falsePositives: PiiEvaluation['falsePositives'] = [];
  const perKind = new Map<PiiKind, { tp: number; fp: number; fn: number }>();
  const tally = (kind: PiiKind) => {
    if (!perKind.has(kind)) perKind.set(kind, { tp: 0, fp: 0, fn: 0 });
    return perKind.get(kind)!;
  };

  for (const match of matches) {
    const index = spans.findIndex(
      ({ label, start, end }, i) =>
        !found.has(i) &&
        label.file === match.file &&
        label.line === match.line &&
        label.kind === match.kind &&
        match.column < end &&
        start < match.column + match.length,
    );
    if (index >= 0) {
      found.add(index);
      tally(match.kind).tp++;
    } else {
      tally(match.kind).fp++;
      falsePositives.push({
        file: match.file,
        line: match.line,
        rule: match.rule,
        masked: match.masked,
      });
    }
  }
  const falseNegatives = spans
    .filter((_, i) => !found.has(i))
    .map(({ label }) => label);
  for (const label of falseNegatives) tally(label.kind).fn++;

  const byKind: PiiEvaluation['byKind'] = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [kind, counts] of [...perKind].sort()) {
    byKind[kind] = score(counts.tp, counts.fp, counts.fn);
    tp += counts.tp;
    fp += counts.fp;
    fn += counts.fn;
  }
  return {
    overall: score(tp, fp, fn),
    byKind,
    falsePositives,
    falseNegatives,
    files: scan.filesScanned - 1,
  };
}
