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
