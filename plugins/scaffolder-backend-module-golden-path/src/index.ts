/**
 * Golden paths: the scaffolder actions the portal's templates use, and the
 * catalog provider for the embedded default's local repositories.
 *
 * @packageDocumentation
 */
import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import {
  catalogModuleLocalRepositories,
  scaffolderModuleGoldenPath,
} from './module';

/** Both: the scaffolder's golden-path actions and the catalog provider. */
export default createBackendFeatureLoader({
  loader() {
    return [scaffolderModuleGoldenPath, catalogModuleLocalRepositories];
  },
});
export { scaffolderModuleGoldenPath, catalogModuleLocalRepositories };
export { LocalRepositories } from './localRepositories';
export {
  TEMPLATE_ANNOTATION,
  TEMPLATE_VERSION_ANNOTATION,
} from './actions/templateInfo';
export { readSizeCatalogue, renderResource } from './iac';
export type { SizeCatalogue, SizeSpec } from './iac';
