/** The environment source: `HYPHA_<KEY>` variables, with `.` in a key written as `__`. */

import { SEED_ENV_VAR } from '../identity/keyfile.js';
import { coerceText, emptyLayer, type Layer } from './_layer.js';
import { ENV_CONFIG_FILE, ENV_PREFIX, envName, KEYS } from './keys.js';
import { nearest } from './suggest.js';

const BY_ENV: ReadonlyMap<string, (typeof KEYS)[number]> = new Map(KEYS.map((k) => [envName(k.key), k]));
/** `HYPHA_*` variables that are not configuration keys: the config file path and the stateless-boot seed. */
const NOT_CONFIG: ReadonlySet<string> = new Set([ENV_CONFIG_FILE, SEED_ENV_VAR]);
const ENV_NAMES: readonly string[] = [...BY_ENV.keys(), ...NOT_CONFIG];

/**
 * Reads every `HYPHA_*` variable in `env` into a layer. A variable that names no key is a problem,
 * with the nearest variable suggested, because a misspelt variable that is silently ignored is
 * worse than one that stops the daemon. `HYPHA_CONFIG` (the file path) is read by the loader and
 * `HYPHA_KEY_SEED` by the identity loader, not here.
 * Relative paths are taken relative to `cwd`.
 */
export function readEnvLayer(env: Readonly<Record<string, string | undefined>>, cwd: string): Layer {
  const layer = emptyLayer();
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(ENV_PREFIX) || NOT_CONFIG.has(name)) continue;
    const text = env[name];
    if (text === undefined) continue;
    const origin = { kind: 'env', name } as const;
    const spec = BY_ENV.get(name);
    if (spec === undefined) {
      const suggestion = nearest(
        name.slice(ENV_PREFIX.length),
        ENV_NAMES.map((n) => n.slice(ENV_PREFIX.length)),
      );
      layer.problems.push({
        key: name,
        origin,
        message: 'unknown environment variable',
        ...(suggestion === undefined ? {} : { suggestion: ENV_PREFIX + suggestion }),
      });
      continue;
    }
    // An empty variable unsets an optional key (and sets "" for the rest, which metrics_addr uses).
    if (text === '' && spec.default({ stateDir: '' }) === undefined) {
      layer.resets.set(spec.key, origin);
      continue;
    }
    layer.values.set(spec.key, { input: coerceText(spec, text), text, origin, baseDir: cwd });
  }
  return layer;
}
