import { createServer } from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { AdminBackend } from '../api/backend.js';
import { listenOn } from '../api/listen.js';
import type { ListenAddress } from '../config/addresses.js';
import { NodeCollector } from './collector.js';

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

export interface MetricsOptions {
  /** metrics_addr: usually a TCP address; a unix socket (mode 0660) works too. */
  readonly address: ListenAddress;
  readonly backend: AdminBackend;
  readonly log?: Logger;
}

export interface MetricsServer {
  /** The address listened on, with the real port when port 0 was asked for. */
  readonly address: string;
  /** Stops listening and drops open connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Serves Prometheus text format at GET /metrics on `address`. Each scrape reads one snapshot from
 * the backend (NodeCollector) plus prom-client's process and Node.js metrics, including event-loop
 * lag. Nothing is collected between scrapes. Throws ApiListenError when the address cannot be bound.
 */
export async function startMetrics(options: MetricsOptions): Promise<MetricsServer> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const collector = new NodeCollector(registry, options.backend);
  // A logger that already names its component (the daemon passes children) is used as it is.
  const log =
    options.log === undefined || 'component' in options.log.bindings()
      ? options.log
      : options.log.child({ component: 'metrics' });

  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`not found; metrics are at ${METRICS_PATH}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        .end('use GET\n');
      return;
    }
    let text: Promise<string>;
    try {
      collector.update();
      text = registry.metrics();
    } catch (err) {
      text = Promise.reject(err);
    }
    text.then(
      (body) =>
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body),
      (err: unknown) => {
        log?.error({ err }, 'metrics scrape failed');
        res
          .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          .end(`scrape failed: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  });

  const bound = await listenOn(server, options.address);
  log?.info({ address: bound, path: METRICS_PATH }, 'metrics listening');
  let closing: Promise<void> | undefined;
  return {
    address: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        registry.clear();
      });
      return closing;
    },
  };
}
