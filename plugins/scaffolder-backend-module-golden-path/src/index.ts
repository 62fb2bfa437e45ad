/**
 * Golden paths: the scaffolder actions the portal's templates use. The
 * embedded default's local repositories reach the catalog through
 * @portal/plugin-catalog-backend-module-golden-path-demo.
 *
 * @packageDocumentation
 */
import { scaffolderModuleGoldenPath } from './module';

export default scaffolderModuleGoldenPath;
export { scaffolderModuleGoldenPath };
export {
  LOCAL_REPOSITORY_CHANGED_TOPIC,
  LocalRepositories,
} from './localRepositories';
export type { LocalRepositoryChangedEvent } from './localRepositories';
export { git } from './git';
export { isRegularFile } from './workspace';
export {
  TEMPLATE_ANNOTATION,
  TEMPLATE_VERSION_ANNOTATION,
} from './actions/templateInfo';
export { readSizeCatalogue, renderResource } from './iac';
export {
  goldenPathCheck,
  secopsModuleGoldenPathChecks,
} from './scorecardCheck';
export type { SizeCatalogue, SizeSpec } from './iac';
