/** The engine the simulator runs: the daemon's own src/routing/engine.ts, one instance per node. */
import type { RoutingConfig } from '../src/routing/api.js';
import { createRoutingEngine } from '../src/routing/engine.js';
import type { EngineFactory } from './simulator.js';

/**
 * Returns a factory that builds the real routing engine with `config` over the defaults. The
 * simulator reads no `notify` actions, so they are off unless `config` turns them on (they were a
 * few percent of the garbage at 2,000 nodes: one per route selection).
 */
export function realEngine(config: Partial<RoutingConfig> = {}): EngineFactory {
  const merged: Partial<RoutingConfig> = { notifications: false, ...config };
  return (deps, now) => createRoutingEngine(deps, merged, now);
}
