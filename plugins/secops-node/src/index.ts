/**
 * Extension points of the SecOps backend: new report formats plug in here.
 *
 * @packageDocumentation
 */
export * from './parsers';
