import { defineRoute, type RouteGroup } from '../router.js';

/** GET /node: this node's key, address, subnet, uptime and version; GET /stats: counters and gauges. */
export const nodeRoutes: RouteGroup = ({ backend }) => [
  defineRoute({ method: 'GET', path: '/node', handle: () => ({ status: 200, body: backend.info() }) }),
  defineRoute({ method: 'GET', path: '/stats', handle: () => ({ status: 200, body: backend.stats() }) }),
];
