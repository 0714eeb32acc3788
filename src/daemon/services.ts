/**
 * The parts of a node around the data path: the admin API, the Prometheus exporter and LAN
 * discovery. Each is optional in the config; each failure to start is fatal with its own message,
 * because a node an operator cannot see or reach is worse than one that does not start.
 */
import type { Logger } from 'pino';
import { type AdminApi, readTokenFile, startAdminApi } from '../api/index.js';
import type { Config } from '../config/index.js';
import { beaconNetworkTag, type NetworkKeys } from '../crypto/network-key.js';
import { createDiscovery } from '../link/discovery.js';
import { type DiscoveryRunner, startDiscovery } from '../link/discovery-socket.js';
import { type MetricsServer, startMetrics } from '../metrics/index.js';
import { createBackend } from './backend.js';
import { monotonicNow } from './clock.js';
import type { RunningNode } from './node.js';

export interface NodeServices {
  readonly api: AdminApi | undefined;
  readonly metrics: MetricsServer | undefined;
  readonly discovery: DiscoveryRunner | undefined;
  close(): Promise<void>;
}

export async function startServices(
  node: RunningNode,
  config: Config,
  keys: NetworkKeys,
  log: Logger,
): Promise<NodeServices> {
  const backend = createBackend(node, monotonicNow);
  let api: AdminApi | undefined;
  let metrics: MetricsServer | undefined;
  let discovery: DiscoveryRunner | undefined;
  const close = async () => {
    await Promise.allSettled([api?.close(), metrics?.close(), discovery?.close()]);
  };
  try {
    const token = config.api_token_file === undefined ? undefined : readTokenFile(config.api_token_file);
    api = await startAdminApi({
      address: config.api_addr,
      backend,
      ...(token === undefined ? {} : { token }),
      log: log.child({ component: 'api' }),
    });
    if (config.metrics_addr !== undefined) {
      metrics = await startMetrics({
        address: config.metrics_addr,
        backend,
        log: log.child({ component: 'metrics' }),
      });
    }
    if (config.discovery.enabled) {
      const dlog = log.child({ component: 'discovery' });
      discovery = await startDiscovery({
        port: config.discovery.port,
        interfaces: config.discovery.interfaces,
        discovery: createDiscovery({
          publicKey: node.identity.publicKey,
          listenPort: node.listenPort,
          networkTag: beaconNetworkTag(keys),
          random: Math.random,
        }),
        onPeer: (target) => node.addDiscoveredPeer(target),
        onEvent: (event, detail) => dlog.info(detail, event),
      });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { api, metrics, discovery, close };
}
