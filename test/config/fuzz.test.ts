import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../src/config/index.js';
import { KEYS } from '../../src/config/keys.js';

const BASE = { uid: 1000, cwd: '/', env: { HOME: '/h' } } as const;
const KEY_NAMES = KEYS.map((k) => k.key);

/** Runs `f` and passes if it returns or throws a ConfigError; anything else thrown fails the property. */
function configOrConfigError(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.problems.length).toBeGreaterThan(0);
    expect(err.code).toBe('HYPHA_ERR_CONFIG');
  }
}

const tomlScalar = fc.oneof(
  fc.integer({ min: -100000, max: 100000 }).map(String),
  fc.boolean().map(String),
  fc.string().map((s) => JSON.stringify(s)),
  fc.constantFrom(
    '"udp://1.2.3.4:5"',
    '"127.0.0.1:1"',
    '"hypha0"',
    '1e400',
    'nan',
    'inf',
    '1979-05-27',
    '0x10',
  ),
);
const tomlValue = fc.oneof(
  tomlScalar,
  fc.array(tomlScalar, { maxLength: 4 }).map((a) => `[${a.join(', ')}]`),
  fc.dictionary(fc.constantFrom('a', 'port', 'enabled'), tomlScalar, { maxKeys: 3 }).map(
    (d) =>
      `{ ${Object.entries(d)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ')} }`,
  ),
);
const keyName = fc.oneof(
  fc.constantFrom(...KEY_NAMES, 'discovery', 'log', 'network', '__proto__', 'constructor', '"a.b"'),
  fc.stringMatching(/^[a-z_]{1,12}$/),
);
const tomlLine = fc.oneof(
  fc.tuple(keyName, tomlValue).map(([k, v]) => `${k} = ${v}`),
  fc.constantFrom('[discovery]', '[log]', '[network]', '[[discovery]]', '[peers]', '# comment', '', '"""'),
  fc.string(),
);
const tomlText = fc.array(tomlLine, { maxLength: 12 }).map((ls) => ls.join('\n'));

describe('the loader never crashes', () => {
  it('on random TOML-ish text: a config or a ConfigError', () => {
    fc.assert(
      fc.property(tomlText, (text) => {
        configOrConfigError(() => loadConfig({ ...BASE, file: '/c.toml', fileText: text }));
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        configOrConfigError(() => loadConfig({ ...BASE, file: '/c.toml', fileText: text }));
      }),
      { numRuns: 300 },
    );
  });

  it('on random environment values and flags', () => {
    const envNames = describeConfig().map((d) => d.env);
    const flagNames = describeConfig().map((d) => d.flag);
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.oneof(
            fc.constantFrom(...envNames),
            fc.string().map((s) => `HYPHA_${s}`),
          ),
          fc.string(),
          {
            maxKeys: 5,
          },
        ),
        fc.array(
          fc.oneof(
            fc.constantFrom(
              ...flagNames,
              '--set',
              '--reset',
              '-c',
              '--config',
              '--',
              '--no-discovery-enabled',
            ),
            fc.constantFrom(...flagNames).chain((f) => fc.string().map((v) => `${f}=${v}`)),
            fc.string(),
          ),
          { maxLength: 8 },
        ),
        (env, flags) => {
          // `-c` may name a file that does not exist: that must be a ConfigError too.
          configOrConfigError(() =>
            loadConfig({ ...BASE, env: { ...BASE.env, ...env }, flags, fileText: '' }),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on random parsed-flag records', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.oneof(
            fc.constantFrom('listenPort', 'peer', 'set', 'reset', 'config', 'tunMtu', 'discoveryEnabled'),
            fc.string(),
          ),
          fc.anything(),
          { maxKeys: 4 },
        ),
        (flags) => {
          configOrConfigError(() => loadConfig({ ...BASE, flags, fileText: '' }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a valid config valid under a random valid override', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom('env', 'flag', 'file'),
        (port, where) => {
          const text =
            where === 'file'
              ? `listen_port = ${port}\n[discovery]\nenabled = false\n`
              : '[discovery]\nenabled = false\n';
          const env = where === 'env' ? { HYPHA_LISTEN_PORT: String(port) } : {};
          const flags = where === 'flag' ? [`--listen-port=${port}`] : [];
          const c = loadConfig({
            ...BASE,
            env: { ...BASE.env, ...env },
            flags,
            file: '/c.toml',
            fileText: text,
          });
          expect(c.listen_port).toBe(port);
        },
      ),
    );
  });
});
