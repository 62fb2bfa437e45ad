/*
 * Throwaway servers for tests and benchmarks: a PostgreSQL cluster and a
 * Redis in temp folders on free loopback ports. Each start function pushes
 * its own stop onto the `cleanups` array it is given; the caller runs them
 * (last first) when it is done.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export function portInUse(port) {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A throwaway PostgreSQL cluster in a temp folder, on a free loopback port. */
export async function startPostgres(cleanups, log = () => {}) {
  const bin = ['18', '17', '16', '15']
    .map(v => `/usr/lib/postgresql/${v}/bin`)
    .find(dir => fs.existsSync(`${dir}/initdb`));
  if (!bin) {
    throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  }
  const major = bin.split('/')[4];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root: run the cluster as the postgres user.
  const asUser =
    process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asUser.length) {
    fs.chmodSync(dir, 0o777);
  }
  const pg = (tool, toolArgs) => {
    const [cmd, ...rest] = [...asUser, `${bin}/${tool}`, ...toolArgs];
    const result = spawnSync(cmd, rest, { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`${tool} failed: ${result.stderr || result.stdout}`);
    }
  };
  pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8']);
  pg('pg_ctl', [
    '-D',
    data,
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off`,
    'start',
  ]);
  cleanups.push(() => {
    pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  log(`PostgreSQL ${major} on 127.0.0.1:${port} (${dir})`);
  return { major, url: `postgresql://postgres@127.0.0.1:${port}` };
}

/** A throwaway Redis (Debian's redis-server) on a free loopback port. */
export async function startRedis(cleanups, log = () => {}) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-redis-'));
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
    { stdio: 'ignore' },
  );
  cleanups.push(() => {
    redis.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 30_000;
  while (!(await portInUse(port))) {
    if (Date.now() > deadline || redis.exitCode !== null) {
      throw new Error(
        'redis-server did not start (apt-get install redis-server)',
      );
    }
    await new Promise(r => setTimeout(r, 200));
  }
  log(`Redis on 127.0.0.1:${port}`);
  return `redis://127.0.0.1:${port}`;
}
