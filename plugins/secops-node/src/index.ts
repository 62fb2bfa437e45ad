/**
 * Extension points of the SecOps backend (new report formats and report
 * seeders plug in here) and the personal-data scanner that CI and the
 * backend share.
 *
 * @packageDocumentation
 */
export * from './parsers';
export * from './pii';
export * from './seeders';
export * from './checks';
