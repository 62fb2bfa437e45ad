/*
 * The portal's backend: Backstage's own plugins and ours, on one process.
 * Scale-out runs N copies of this process on one PostgreSQL (see deploy/).
 */
import { createBackend } from '@backstage/backend-defaults';
import { portalFeatures } from './features';

const backend = createBackend();
for (const feature of portalFeatures) {
  backend.add(feature);
}
// The embedded default (yarn start, ./portal start) adds its demo modules,
// devDependencies that the production install and image do not have.
if (process.env.NODE_ENV !== 'production') {
  backend.add(import('./embedded'));
}
backend.start();
