/**
 * Where a built addon of native/ sits: native/build/Release/<name>.node at the package root,
 * found from src/ (tsx) and from dist/src/ (the build) alike.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository-relative path of an addon, for messages. */
export const addonFile = (name: string): string => `native/build/Release/${name}.node`;

/** The absolute path of addon `name`, or undefined when it is not built. */
export function findAddon(name: string): string | undefined {
  return [`../../${addonFile(name)}`, `../../../${addonFile(name)}`]
    .map((c) => fileURLToPath(new URL(c, import.meta.url)))
    .find((f) => existsSync(f));
}
