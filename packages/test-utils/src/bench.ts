/**
 * What the benchmarks share: peak memory, formatting, throwaway databases.
 * Not for the test suites (the sampler starts a worker thread on import).
 */
export * from './measure';
export * from './benchDatabases';
