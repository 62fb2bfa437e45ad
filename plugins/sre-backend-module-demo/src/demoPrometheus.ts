import { LoggerService } from '@backstage/backend-plugin-api';
import fs from 'node:fs/promises';
import path from 'node:path';
import { demoSamples, openMetricsOf } from './demoTraffic';
import { LocalPrometheus, prometheusInstalled } from './LocalPrometheus';

/** How much history the demo Prometheus gets on its first start. */
export const DEMO_HISTORY_DAYS = 28;

/**
 * The embedded default's Prometheus: started by the backend when the binary
 * is installed, with four weeks of the demo traffic backfilled on its first
 * start, scraping the backend's live demo metrics afterwards.
 */
export async function startDemoPrometheus(options: {
  dir: string;
  port: number;
  scrapeUrl: string;
  logger: LoggerService;
  /** The binaries, when not prometheus and promtool on PATH. */
  binary?: string;
  promtool?: string;
}): Promise<{ prometheus: LocalPrometheus; historyEnd: number } | undefined> {
  if (!(await prometheusInstalled(options.binary))) {
    options.logger.warn(
      "The demo SLOs have no Prometheus: install Debian's prometheus package (./portal test does) and restart",
    );
    return undefined;
  }
  const marker = path.join(options.dir, 'history-end');
  const reused = await LocalPrometheus.attach(options.port);
  if (reused) {
    // Left running by a backend that did not stop cleanly: same data folder.
    options.logger.info(
      `Using the demo Prometheus already on port ${options.port}`,
    );
    const end = Number(await fs.readFile(marker, 'utf8').catch(() => NaN));
    return {
      prometheus: reused,
      historyEnd: Number.isFinite(end) ? end : Date.now() / 1000,
    };
  }
  let historyEnd = Number(await fs.readFile(marker, 'utf8').catch(() => NaN));
  const first = !Number.isFinite(historyEnd);
  if (first) historyEnd = Math.floor(Date.now() / 1000);
  options.logger.info(
    first
      ? `Starting the demo Prometheus with ${DEMO_HISTORY_DAYS} days of demo traffic (once, about a minute, in the background)`
      : 'Starting the demo Prometheus',
  );
  const prometheus = await LocalPrometheus.start({
    dir: options.dir,
    port: options.port,
    history: () =>
      openMetricsOf(
        demoSamples(
          historyEnd - DEMO_HISTORY_DAYS * 86_400,
          historyEnd,
          60,
          historyEnd,
        ),
      ),
    scrape: { url: options.scrapeUrl, intervalSeconds: 15 },
    binary: options.binary,
    promtool: options.promtool,
  });
  if (first) await fs.writeFile(marker, String(historyEnd));
  return { prometheus, historyEnd };
}
