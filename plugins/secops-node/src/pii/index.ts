export type { PiiKind, RuleMatch } from './rules';
export { PII_RULES, scanLine } from './rules';
export type {
  PiiMatch,
  PiiFileMatch,
  ScanFolderOptions,
  ScanFolderResult,
} from './scan';
export {
  scanText,
  scanFolder,
  countByKind,
  DEFAULT_SKIPPED_DIRECTORIES,
  MAX_LINE_LENGTH,
} from './scan';
export { piiSarif, PII_SCANNER_NAME } from './sarif';
export type { PiiEvaluation, PiiLabel, PiiScore } from './evaluate';
export { evaluateCorpus } from './evaluate';
export { runPiiScan } from './cli';
export { piiFindings, PII_SEVERITY } from './findings';
