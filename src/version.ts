import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The package version, from package.json (two levels up both in src/ and in dist/src/). */
export const VERSION: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(rel) as { name?: string; version?: string };
      if (pkg.name === 'hypha' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
})();
