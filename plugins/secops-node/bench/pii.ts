/*
 * `./portal yarn eval:pii`: the personal-data scanner's precision and recall
 * on the labelled corpus (fixtures/pii: dev, on which the rules were tuned,
 * and holdout, on which they were not), by kind, with every miss (masked)
 * so that a change to a rule shows what it gained and lost.
 */
import path from 'node:path';
import { evaluateCorpus, PiiScore } from '../src/pii';

const corpus = path.resolve(__dirname, '../../../fixtures/pii');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const row = (name: string, s: PiiScore) =>
  `${name.padEnd(14)} ${String(s.truePositives).padStart(5)} ${String(
    s.falsePositives,
  ).padStart(4)} ${String(s.falseNegatives).padStart(4)}  ${pct(
    s.precision,
  ).padStart(7)} ${pct(s.recall).padStart(7)}`;

async function main() {
  let ok = true;
  for (const set of ['dev', 'holdout']) {
    const result = await evaluateCorpus(path.join(corpus, set));
    console.log(`\n${set} (${result.files} files)`);
    console.log('kind              TP   FP   FN  precision recall');
    for (const [kind, score] of Object.entries(result.byKind)) {
      console.log(row(kind, score!));
    }
    console.log(row('all', result.overall));
    for (const fp of result.falsePositives) {
      console.log(
        `  false positive ${fp.file}:${fp.line} ${fp.rule} ${fp.masked}`,
      );
    }
    for (const fn of result.falseNegatives) {
      console.log(`  missed ${fn.file}:${fn.line} ${fn.kind}`);
    }
    ok &&= result.overall.precision >= 0.95 && result.overall.recall >= 0.9;
  }
  console.log(
    `\ngoal (precision >= 95%, recall >= 90% on each set): ${
      ok ? 'PASS' : 'MISS'
    }`,
  );
  process.exitCode = ok ? 0 : 1;
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
