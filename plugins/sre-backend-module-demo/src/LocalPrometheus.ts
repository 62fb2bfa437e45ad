import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface LocalPrometheusOptions {
  /** Folder for its configuration and data (kept between starts). */
  dir: string;
  /** Port on 127.0.0.1; a free one when left out. */
  port?: number;
  /** OpenMetrics history, written with promtool once, on the first start. */
  history?: () => string;
  /** A target to scrape, e.g. the portal's own demo metrics. */
  scrape?: { url: string; intervalSeconds: number };
  binary?: string;
  promtool?: string;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { maxBuffer: 32 * 1024 * 1024 }, (error, _o, stderr) =>
      error
        ? reject(
            new Error(`${cmd} ${args[0]} failed: ${stderr || error.message}`),
          )
        : resolve(),
    ),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Whether the Prometheus binaries are installed (Debian's package). */
export async function prometheusInstalled(
  binary = 'prometheus',
): Promise<boolean> {
  return new Promise(resolve =>
    execFile(binary, ['--version'], error => resolve(!error)),
  );
}

/**
 * A real Prometheus on loopback, for the tests and the embedded default:
 * its history backfilled with promtool, optionally scraping one target.
 */
export class LocalPrometheus {
  private constructor(
    readonly url: string,
    private readonly child?: ChildProcess,
  ) {}

  /** A Prometheus already answering on a loopback port, if there is one. */
  static async attach(port: number): Promise<LocalPrometheus | undefined> {
    const url = `http://127.0.0.1:${port}`;
    const ready = await fetch(`${url}/-/ready`, {
      signal: AbortSignal.timeout(1000),
    }).then(
      r => r.ok,
      () => false,
    );
    return ready ? new LocalPrometheus(url) : undefined;
  }

  static async start(
    options: LocalPrometheusOptions,
  ): Promise<LocalPrometheus> {
    const binary = options.binary ?? 'prometheus';
    const promtool = options.promtool ?? 'promtool';
    const data = path.join(options.dir, 'data');
    await fs.mkdir(data, { recursive: true });
    const marker = path.join(options.dir, 'backfilled');
    if (options.history && !(await fs.stat(marker).catch(() => undefined))) {
      const file = path.join(options.dir, 'history.om');
      await fs.writeFile(file, options.history());
      await run(promtool, [
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        '--max-block-duration=24h',
        file,
        data,
      ]);
      await fs.rm(file);
      await fs.writeFile(marker, new Date().toISOString());
    }
    const config = ['global:', '  scrape_interval: 15s', 'scrape_configs:'];
    if (options.scrape) {
      const target = new URL(options.scrape.url);
      config.push(
        '  - job_name: portal-demo',
        `    scrape_interval: ${options.scrape.intervalSeconds}s`,
        `    metrics_path: ${target.pathname}`,
        `    scheme: ${target.protocol.replace(':', '')}`,
        '    honor_labels: true',
        '    static_configs:',
        `      - targets: ['${target.host}']`,
      );
    } else {
      config.push('  []');
    }
    const configFile = path.join(options.dir, 'prometheus.yml');
    await fs.writeFile(configFile, `${config.join('\n')}\n`);
    const port = options.port ?? (await freePort());
    const child = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=400d',
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', chunk => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
      }
      const ready = await fetch(`${url}/-/ready`).then(
        r => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`prometheus did not get ready within 60 s: ${stderr}`);
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    return new LocalPrometheus(url, child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>(resolve => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
