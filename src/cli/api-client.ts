import { request } from 'node:http';
import type { Command } from 'commander';
import type { NodeInfo, NodeStats, PeerInfo, QueriedRoute, RouteInfo } from '../api/backend.js';
import { readTokenFile } from '../api/token.js';
import { type ListenAddress, parseListenAddress } from '../config/addresses.js';
import { HyphaError } from '../errors.js';
import { UsageError } from './commands/keys.js';
import { loadCliConfig } from './config-file.js';
import { type CliIo, ExitCode } from './io.js';

/** How long the CLI waits for the daemon to answer, in ms. */
export const API_TIMEOUT_MS = 10_000;

/** The daemon's admin API could not be reached (exit code 3). */
export class ApiUnreachableError extends HyphaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HYPHA_ERR_API_UNREACHABLE', message, options);
    this.name = 'ApiUnreachableError';
  }
}

/** The daemon answered with an error (exit code 1); `code` is the problem's code when it sent one. */
export class ApiProblemError extends HyphaError {
  constructor(
    code: string,
    message: string,
    readonly status: number,
  ) {
    super(code, message);
    this.name = 'ApiProblemError';
  }
}

/** The client for the admin API, as the CLI uses it. */
export interface ApiClientOptions {
  readonly address: ListenAddress;
  readonly token?: string;
  readonly timeoutMs?: number;
}

/** Talks to one daemon's admin API over HTTP/1.1 (TCP or a unix socket). */
export class ApiClient {
  constructor(readonly options: ApiClientOptions) {}

  /** GET /node. */
  node(): Promise<NodeInfo> {
    return this.request('GET', '/node') as Promise<NodeInfo>;
  }
  /** GET /peers. */
  peers(): Promise<{ peers: PeerInfo[] }> {
    return this.request('GET', '/peers') as Promise<{ peers: PeerInfo[] }>;
  }
  /** POST /peers with a canonical peer URI; returns the new peer. */
  addPeer(uri: string): Promise<PeerInfo> {
    return this.request('POST', '/peers', { uri }) as Promise<PeerInfo>;
  }
  /** DELETE /peers/{uri}, percent-encoding the URI. */
  async removePeer(uri: string): Promise<void> {
    await this.request('DELETE', `/peers/${encodeURIComponent(uri)}`);
  }
  /** GET /routes/selected or /routes/fallback. */
  routes(kind: 'selected' | 'fallback'): Promise<{ routes: RouteInfo[] }> {
    return this.request('GET', `/routes/${kind}`) as Promise<{ routes: RouteInfo[] }>;
  }
  /** GET /routes/queried. */
  queried(): Promise<{ routes: QueriedRoute[] }> {
    return this.request('GET', '/routes/queried') as Promise<{ routes: QueriedRoute[] }>;
  }
  /** GET /stats. */
  stats(): Promise<NodeStats> {
    return this.request('GET', '/stats') as Promise<NodeStats>;
  }

  /**
   * Sends one request below /api/v1 and returns the parsed JSON body (undefined for 204).
   * Throws ApiUnreachableError when no connection could be made or no answer came in time, and
   * ApiProblemError for any non-2xx answer (with the problem's `detail` and `code`).
   */
  request(method: string, path: string, body?: unknown): Promise<unknown> {
    const { address, token } = this.options;
    const timeoutMs = this.options.timeoutMs ?? API_TIMEOUT_MS;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const target =
      address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
    return new Promise((resolve, reject) => {
      const req = request({ ...target, method, path: `/api/v1${path}`, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(unreachable(address, err)));
        res.on('end', () => {
          try {
            resolve(interpret(address, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            reject(err);
          }
        });
      });
      req.setTimeout(timeoutMs, () =>
        req.destroy(
          Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }),
        ),
      );
      req.on('error', (err) => reject(unreachable(address, err)));
      req.end(payload);
    });
  }
}

function interpret(address: ListenAddress, status: number, text: string): unknown {
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status >= 200 && status < 300) {
    if (json === undefined && text !== '')
      throw new ApiProblemError(
        'HYPHA_ERR_API_RESPONSE',
        `${address.text} answered with something other than JSON`,
        status,
      );
    return json;
  }
  const p = (json ?? {}) as { detail?: unknown; code?: unknown; title?: unknown };
  if (typeof p.detail === 'string') {
    let message = p.detail;
    if (status === 401) message += ' (pass --token-file FILE, or set api_token_file in the configuration)';
    throw new ApiProblemError(
      typeof p.code === 'string' ? p.code : 'HYPHA_ERR_API_RESPONSE',
      message,
      status,
    );
  }
  throw new ApiProblemError(
    'HYPHA_ERR_API_RESPONSE',
    `${address.text} answered HTTP ${status} without a problem detail; is it a hypha admin API?`,
    status,
  );
}

function unreachable(address: ListenAddress, err: Error): ApiUnreachableError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOENT'
        ? `no socket at ${address.kind === 'unix' ? address.path : address.text}`
        : code === 'EACCES'
          ? "permission denied (run as a member of the socket's group, or with sudo)"
          : code === 'ECONNRESET'
            ? 'the connection was reset'
            : err.message;
  return new ApiUnreachableError(
    `cannot reach the hypha daemon's admin API at ${address.text}: ${why}. ` +
      'Is the daemon running? Start it with `hypha run` or `systemctl start hypha`, ' +
      'or pass --api with the address in its api_addr.',
    { cause: err },
  );
}

/** The options every API command takes. */
export interface ApiCommandOptions {
  api?: string;
  config?: string;
  tokenFile?: string;
  json: boolean;
}

/** Adds --api, --config, --token-file and --json to an API command. */
export function withApiOptions(cmd: Command): Command {
  return cmd
    .option(
      '--api <addr>',
      "the daemon's admin API: HOST:PORT or unix:/path (default: api_addr from the configuration)",
    )
    .option('-c, --config <file>', 'configuration file to take api_addr and api_token_file from')
    .option(
      '--token-file <path>',
      'file holding the bearer token (default: api_token_file from the configuration)',
    )
    .option('--json', 'print the API answer as JSON, for scripts', false);
}

/**
 * Returns a client for the address in --api (else api_addr from the configuration), with the token
 * from --token-file (else api_token_file). Throws UsageError for a malformed --api.
 */
export function apiClientFor(io: CliIo, opts: ApiCommandOptions): ApiClient {
  let address: ListenAddress | undefined;
  if (opts.api !== undefined) {
    try {
      address = parseListenAddress(opts.api);
    } catch (err) {
      throw new UsageError(`--api: ${(err as Error).message}`);
    }
  }
  let tokenFile = opts.tokenFile;
  if (address === undefined || tokenFile === undefined) {
    const config = loadCliConfig(io, opts.config);
    address ??= config.api_addr;
    tokenFile ??= config.api_token_file;
  }
  return new ApiClient({ address, ...(tokenFile === undefined ? {} : { token: readTokenFile(tokenFile) }) });
}

/**
 * Runs an API command's body and sets its exit code: 0 when it returns, 3 when the daemon is not
 * reachable, 1 when it answered with an error (the problem detail goes to stderr). Usage and
 * configuration errors propagate to main(), which maps them to 2 and 1.
 */
export async function runApiCommand(
  io: CliIo,
  setExit: (code: number) => void,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
    setExit(ExitCode.Ok);
  } catch (err) {
    if (err instanceof ApiUnreachableError) {
      io.stderr(`hypha: ${err.message}\n`);
      setExit(ExitCode.Unreachable);
      return;
    }
    if (err instanceof ApiProblemError) {
      io.stderr(`hypha: ${err.message} [${err.code}]\n`);
      setExit(ExitCode.Error);
      return;
    }
    throw err;
  }
}

/** Writes `value` as one line of JSON. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value)}\n`);
}

/**
 * Makes `cmd` a read-only API command: the API options, then one request whose answer is printed as
 * JSON with --json and as `human(answer)` otherwise.
 */
export function apiQueryCommand<T>(
  cmd: Command,
  io: CliIo,
  setExit: (code: number) => void,
  ask: (client: ApiClient) => Promise<T>,
  human: (answer: T, client: ApiClient) => string,
): void {
  withApiOptions(cmd).action((opts: ApiCommandOptions) =>
    runApiCommand(io, setExit, async () => {
      const client = apiClientFor(io, opts);
      const answer = await ask(client);
      if (opts.json) printJson(io, answer);
      else io.stdout(human(answer, client));
    }),
  );
}
