/** The engine the simulator runs: the daemon's own src/routing/engine.ts, one instance per node. */
import type { RoutingConfig } from '../src/routing/api.js';
import { createRoutingEngine } from '../src/routing/engine.js';
import type { EngineFactory } from './simulator.js';

/** Returns a factory that builds the real routing engine with `config` over the defaults. */
export function realEngine(config: Partial<RoutingConfig> = {}): EngineFactory {
  return (deps, now) => createRoutingEngine(deps, config, now);
}
