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
backend.start();
