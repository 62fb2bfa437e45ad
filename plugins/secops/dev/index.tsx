import ReactDOM from 'react-dom/client';
import { createApp } from '@backstage/frontend-defaults';
import plugin from '../src';

// Serves the plugin on its own for quick iteration: `yarn start` in the
// plugin's folder.
const app = createApp({ features: [plugin] });

ReactDOM.createRoot(document.getElementById('root')!).render(app.createRoot());
