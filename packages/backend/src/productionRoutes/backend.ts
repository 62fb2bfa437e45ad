/*
 * The portal's backend exactly as index.ts starts it, for the production
 * route test (productionRoutes.test.ts): after it has started, every route
 * that its express routers hold is written to the JSON file named by
 * PORTAL_ROUTES_FILE. Started as its own process:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     packages/backend/src/productionRoutes/backend.ts --config ...
 */
import { createBackend } from '@backstage/backend-defaults';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import fs from 'node:fs';
import { portalFeatures } from '../features';

/** One route: its methods and its path, with express's :params. */
export interface FoundRoute {
  methods: string[];
  path: string;
}

/**
 * The path an express 4 layer is mounted at, from its regular expression
 * (`router.use('/api/catalog', ...)` keeps only that); undefined when it
 * cannot be read back.
 */
function mountPath(layer: any): string | undefined {
  if (layer.regexp?.fast_slash) return '';
  const source: string | undefined = layer.regexp?.source;
  if (!source) return undefined;
  const path = source
    .replace(/^\^/, '')
    .replace(/\\\/\?\(\?=\\\/\|\$\)$/, '')
    .replace(/\(\?:\(\[\^\\\/\]\+\?\)\)/g, () => ':param')
    .replace(/\\\//g, '/')
    .replace(/\\\./g, '.')
    .replace(/\\-/g, '-');
  return /[\\^$()[\]?*+|]/.test(path) ? undefined : path;
}

/** Every route below an express router's stack, with its full path. */
export function routesOf(
  stack: any[],
  prefix = '',
  found: FoundRoute[] = [],
  unreadable: string[] = [],
): { found: FoundRoute[]; unreadable: string[] } {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path)
        ? layer.route.path
        : [layer.route.path];
      for (const p of paths) {
        if (typeof p !== 'string') {
          unreadable.push(`${prefix} ${String(p)}`);
          continue;
        }
        found.push({
          methods: Object.keys(layer.route.methods)
            .filter(m => m !== '_all')
            .map(m => m.toUpperCase()),
          path: `${prefix}${p}`,
        });
      }
    } else if (Array.isArray(layer.handle?.stack)) {
      const mount = mountPath(layer);
      if (mount === undefined) {
        unreadable.push(`${prefix} ${String(layer.regexp)}`);
        continue;
      }
      routesOf(layer.handle.stack, `${prefix}${mount}`, found, unreadable);
    }
  }
  return { found, unreadable };
}

let routes: any;
const backend = createBackend();
for (const feature of portalFeatures) {
  backend.add(feature);
}
backend.add(
  rootHttpRouterServiceFactory({
    configure(context) {
      routes = context.routes;
      context.applyDefaults();
    },
  }),
);
backend.start().then(() => {
  const file = process.env.PORTAL_ROUTES_FILE;
  if (file && routes) {
    fs.writeFileSync(file, JSON.stringify(routesOf(routes.stack ?? [])));
  }
});
