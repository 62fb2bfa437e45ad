/*
 * What the production image holds of each workspace package is what its
 * package.json `files` lists (the backend bundle packs workspaces as npm
 * would). A directory a package reads at run time with resolvePackagePath
 * (database migrations, templates) must be listed, or the image starts
 * without it: the image test found the SRE plugin's migrations missing.
 * This check is static, so it runs with every unit run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EMBEDDED_DEMO_PACKAGES } from './embedded';

const ROOT = path.resolve(__dirname, '../../..');

function workspaces(): string[] {
  return ['packages', 'plugins'].flatMap(parent =>
    fs
      .readdirSync(path.join(ROOT, parent))
      .map(name => path.join(ROOT, parent, name))
      .filter(dir => fs.existsSync(path.join(dir, 'package.json'))),
  );
}

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === '__testUtils__' ? [] : sourceFiles(full);
    }
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)
      ? [full]
      : [];
  });
}

/** [package, directory] for every resolvePackagePath(name, dir, ...) call. */
function runtimeDirectories() {
  const found: Array<{ pkg: string; dir: string; file: string }> = [];
  for (const ws of workspaces()) {
    for (const file of sourceFiles(path.join(ws, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(
        /resolvePackagePath\(\s*'([^']+)',\s*'([^']+)'/g,
      )) {
        found.push({
          pkg: m[1],
          dir: m[2].split('/')[0],
          file: path.relative(ROOT, file),
        });
      }
    }
  }
  return found;
}

describe('what the image holds of each package', () => {
  const manifests = new Map(
    workspaces().map(dir => {
      const json = JSON.parse(
        fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
      );
      return [json.name as string, { dir, files: json.files as string[] }];
    }),
  );

  it('finds the directories packages read at run time', () => {
    const dirs = runtimeDirectories();
    expect(dirs.map(d => d.pkg)).toEqual(
      expect.arrayContaining([
        '@portal/plugin-secops-backend',
        '@portal/plugin-finops-backend',
        '@portal/plugin-sre-backend',
      ]),
    );
  });

  it("lists every such directory in the package's files, and the directory exists", () => {
    const missing = runtimeDirectories()
      .filter(({ pkg }) => manifests.has(pkg))
      .filter(({ pkg, dir }) => {
        const { dir: root, files } = manifests.get(pkg)!;
        return (
          !fs.existsSync(path.join(root, dir)) ||
          !(files ?? []).some(f => f.replace(/\/$/, '') === dir)
        );
      })
      .map(({ pkg, dir, file }) => `${pkg}: ${dir} (read in ${file})`);
    expect(missing).toEqual([]);
  });
});

/*
 * The embedded default's demo modules (embedded.ts) must not reach
 * production: the backend bundle and the image's install hold the backend's
 * `dependencies` and, through each workspace package, theirs (never
 * devDependencies), as `backstage-cli package build` and
 * `yarn workspaces focus --production` collect them.
 */
describe('what production holds of the demo modules', () => {
  const manifests = new Map(
    workspaces().map(dir => {
      const json = JSON.parse(
        fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
      );
      return [json.name as string, { dir, json }];
    }),
  );
  const demoPackages: string[] = [...EMBEDDED_DEMO_PACKAGES];

  /** The workspace packages that production installs with the backend. */
  function productionClosure(): Set<string> {
    const seen = new Set<string>();
    const queue = ['backend'];
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const deps = manifests.get(name)?.json.dependencies ?? {};
      queue.push(...Object.keys(deps).filter(dep => manifests.has(dep)));
    }
    return seen;
  }

  it('names every workspace package that is a demo module', () => {
    const named = [...manifests.keys()].filter(name => /-demo$/.test(name));
    expect(named.sort()).toEqual([...demoPackages].sort());
    // ...and they are what embedded.ts loads.
    const embedded = fs.readFileSync(
      path.join(__dirname, 'embedded.ts'),
      'utf8',
    );
    const imported = [...embedded.matchAll(/import\('([^']+)'\)/g)].map(
      m => m[1],
    );
    expect(imported).toEqual(demoPackages);
  });

  it('keeps them out of the production dependency closure: devDependencies of the backend only', () => {
    const closure = productionClosure();
    // The closure is real: it reaches the plugins through their packages.
    expect([...closure]).toEqual(
      expect.arrayContaining([
        '@portal/plugin-sre-backend',
        '@portal/plugin-sre-node',
        '@portal/plugin-scaffolder-backend-module-golden-path',
      ]),
    );
    expect(demoPackages.filter(name => closure.has(name))).toEqual([]);
    const backend = manifests.get('backend')!.json;
    for (const name of demoPackages) {
      expect(backend.devDependencies?.[name]).toBe('workspace:^');
    }
  });

  it('no production source imports them, and the production feature list does not add them', () => {
    const closure = productionClosure();
    const offending = [...closure]
      .map(name => manifests.get(name)!.dir)
      .flatMap(dir => sourceFiles(path.join(dir, 'src')))
      // embedded.ts is the embedded default's entry (index.ts loads it
      // only outside production), not a production source.
      .filter(file => file !== path.join(__dirname, 'embedded.ts'))
      .filter(file => {
        const text = fs.readFileSync(file, 'utf8');
        return demoPackages.some(name => text.includes(`'${name}'`));
      })
      .map(file => path.relative(ROOT, file));
    expect(offending).toEqual([]);
    const features = fs.readFileSync(
      path.join(__dirname, 'features.ts'),
      'utf8',
    );
    expect(features).toMatch(/import\('@portal\/plugin-sre-backend'\)/);
    for (const name of demoPackages) {
      expect(features).not.toContain(name);
    }
  });

  it('index.ts adds embedded.ts only when NODE_ENV is not production', () => {
    const index = fs.readFileSync(path.join(__dirname, 'index.ts'), 'utf8');
    const loads = [...index.matchAll(/import\('\.\/embedded'\)/g)];
    expect(loads).toHaveLength(1);
    expect(index).toMatch(
      /if \(process\.env\.NODE_ENV !== 'production'\) \{\s*backend\.add\(import\('\.\/embedded'\)\);\s*\}/,
    );
  });
});
