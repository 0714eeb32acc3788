import { fastd } from './fastd.js';
import { hypha } from './hypha.js';
import { nebula } from './nebula.js';
import { raw } from './raw.js';
import { tinc } from './tinc.js';
import type { Implementation } from './types.js';
import { wireguardGo } from './wireguard-go.js';
import { yggdrasil } from './yggdrasil.js';

/** Every implementation, in the order they run and appear in the tables. */
export const IMPLEMENTATIONS: readonly Implementation[] = [
  raw,
  hypha,
  wireguardGo,
  yggdrasil,
  nebula,
  fastd,
  tinc,
];

export function findImplementation(name: string): Implementation | undefined {
  return IMPLEMENTATIONS.find((i) => i.name === name);
}
