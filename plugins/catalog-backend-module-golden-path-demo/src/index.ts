/**
 * The embedded default's local repositories in the catalog: the demo
 * repositories, and each local repository's catalog-info.yaml as a location.
 * Not part of the production backend.
 *
 * @packageDocumentation
 */
export { catalogModuleGoldenPathDemo as default } from './module';
export { LocalRepositoryProvider } from './LocalRepositoryProvider';
export { seedRepository } from './seed';
