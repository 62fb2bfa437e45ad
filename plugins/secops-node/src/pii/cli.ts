/*
 * portal-pii-scan, the personal-data scanner as a command: the golden
 * path's CI runs it on the repository (from the portal's image, so CI and
 * the portal scan alike) and uploads its SARIF to SecOps.
 *
 *   portal-pii-scan [--sarif FILE] [--max-files N] [--max-file-bytes N] DIR
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { piiSarif } from './sarif';
import { countByKind, scanFolder } from './scan';

const USAGE =
  'usage: portal-pii-scan [--sarif FILE] [--max-files N] [--max-file-bytes N] DIR';

/** Runs the command; returns its exit code (0 done, 2 bad usage or folder). */
export async function runPiiScan(
  argv: string[],
  out: { log(line: string): void; error(line: string): void } = console,
): Promise<number> {
  let sarif: string | undefined;
  let maxFiles: number | undefined;
  let maxFileBytes: number | undefined;
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    const count = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) {
        throw new Error(`${arg} takes a whole number above 0`);
      }
      return n;
    };
    try {
      if (arg === '--sarif') sarif = value();
      else if (arg === '--max-files') maxFiles = count();
      else if (arg === '--max-file-bytes') maxFileBytes = count();
      else if (arg === '--help' || arg === '-h') {
        out.log(USAGE);
        return 0;
      } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
      else dirs.push(arg);
    } catch (error) {
      out.error(`${(error as Error).message}\n${USAGE}`);
      return 2;
    }
  }
  if (dirs.length !== 1) {
    out.error(`give one folder to scan\n${USAGE}`);
    return 2;
  }
  const root = path.resolve(dirs[0]);
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat?.isDirectory()) {
    out.error(`${dirs[0]} is not a folder`);
    return 2;
  }

  const result = await scanFolder(root, { maxFiles, maxFileBytes });
  for (const m of result.matches) {
    out.log(`${m.file}:${m.line}:${m.column} ${m.kind} ${m.rule} ${m.masked}`);
  }
  const counts = Object.entries(countByKind(result.matches))
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  out.log(
    `${result.filesScanned} files scanned, ${result.matches.length} found${
      counts ? ` (${counts})` : ''
    }${
      result.filesSkipped.length
        ? `; ${result.filesSkipped.length} binary or too large skipped`
        : ''
    }${result.truncated ? '; stopped at the file limit' : ''}`,
  );
  if (sarif) {
    await fs.writeFile(sarif, `${JSON.stringify(piiSarif(result.matches))}\n`);
    out.log(`SARIF written to ${sarif}`);
  }
  return 0;
}
