/*
 * The personal-data scanner over text, files and folders. What it returns
 * says where a value is and what kind it is, with the value masked: the
 * value itself never leaves this module.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PiiKind, RuleMatch, scanLine } from './rules';

/** Personal data or a secret found in a text. */
export interface PiiMatch extends Omit<RuleMatch, 'start'> {
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 units), as SARIF counts them. */
  column: number;
}

/** A match in a file, with the file's path relative to the scanned folder. */
export interface PiiFileMatch extends PiiMatch {
  file: string;
}

/** Lines longer than this are cut: minified bundles are not read whole. */
export const MAX_LINE_LENGTH = 4096;

/** Every match in a text, line by line. */
export function scanText(text: string): PiiMatch[] {
  const matches: PiiMatch[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line =
      lines[i].length > MAX_LINE_LENGTH
        ? lines[i].slice(0, MAX_LINE_LENGTH)
        : lines[i];
    for (const { start, ...match } of scanLine(line)) {
      matches.push({ ...match, line: i + 1, column: start + 1 });
    }
  }
  return matches;
}

/** What a folder scan reads. */
export interface ScanFolderOptions {
  /** Files larger than this are skipped (default 2 MiB). */
  maxFileBytes?: number;
  /** Stop after this many files (default 20,000). */
  maxFiles?: number;
  /** Folder names never entered (default: VCS, dependency and build folders). */
  skipDirectories?: ReadonlySet<string>;
}

/** What a folder scan found, and what it left out. */
export interface ScanFolderResult {
  matches: PiiFileMatch[];
  filesScanned: number;
  /** Binary or too-large files, by relative path. */
  filesSkipped: string[];
  /** Whether maxFiles stopped the scan early. */
  truncated: boolean;
}

export const DEFAULT_SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  'vendor',
  'dist',
  'build',
  '.venv',
  '__pycache__',
  '.terraform',
]);

function isBinary(buffer: Buffer): boolean {
  return buffer.subarray(0, 8192).includes(0);
}

/**
 * Scans every text file below a folder, in a stable (sorted) order, without
 * following symbolic links out of it.
 */
export async function scanFolder(
  root: string,
  options: ScanFolderOptions = {},
): Promise<ScanFolderResult> {
  const maxFileBytes = options.maxFileBytes ?? 2 * 1024 * 1024;
  const maxFiles = options.maxFiles ?? 20_000;
  const skip = options.skipDirectories ?? DEFAULT_SKIPPED_DIRECTORIES;
  const result: ScanFolderResult = {
    matches: [],
    filesScanned: 0,
    filesSkipped: [],
    truncated: false,
  };

  async function walk(dir: string): Promise<void> {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => Number(a.name > b.name) - Number(a.name < b.name));
    for (const entry of entries) {
      if (result.truncated) return;
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) await walk(full);
        continue;
      }
      if (!entry.isFile()) continue; // symbolic links, sockets
      if (result.filesScanned >= maxFiles) {
        result.truncated = true;
        return;
      }
      const stat = await fs.stat(full);
      if (stat.size > maxFileBytes) {
        result.filesSkipped.push(relative);
        continue;
      }
      const buffer = await fs.readFile(full);
      if (isBinary(buffer)) {
        result.filesSkipped.push(relative);
        continue;
      }
      result.filesScanned++;
      for (const match of scanText(buffer.toString('utf8'))) {
        result.matches.push({ ...match, file: relative });
      }
    }
  }

  await walk(root);
  return result;
}

/** How many matches of each kind. */
export function countByKind(
  matches: ReadonlyArray<{ kind: PiiKind }>,
): Partial<Record<PiiKind, number>> {
  const counts: Partial<Record<PiiKind, number>> = {};
  for (const { kind } of matches) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
