import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Returns the default key file path: /var/lib/hypha/key.bin for root (systemd's StateDirectory),
 * otherwise $XDG_STATE_HOME/hypha/key.bin or ~/.local/state/hypha/key.bin.
 */
export function defaultKeyFile(
  env: Readonly<Record<string, string | undefined>>,
  uid = process.getuid?.() ?? -1,
): string {
  if (env.STATE_DIRECTORY) return join(env.STATE_DIRECTORY.split(':')[0]!, 'key.bin');
  if (uid === 0) return '/var/lib/hypha/key.bin';
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'hypha', 'key.bin');
}
