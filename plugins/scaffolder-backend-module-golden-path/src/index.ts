/**
 * Golden paths: the scaffolder actions the portal's templates use, and the
 * catalog provider for the embedded default's local repositories.
 *
 * @packageDocumentation
 */
export {
  scaffolderModuleGoldenPath as default,
  catalogModuleLocalRepositories,
} from './module';
export { LocalRepositories } from './localRepositories';
export {
  TEMPLATE_ANNOTATION,
  TEMPLATE_VERSION_ANNOTATION,
} from './actions/templateInfo';
export { readSizeCatalogue, renderResource } from './iac';
export type { SizeCatalogue, SizeSpec } from './iac';
