import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  readonly json: any;
}

/** Sends one HTTP request to `address` (`host:port` or `unix:/path`) and collects the answer. */
export function http(
  address: string,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const target = address.startsWith('unix:')
    ? { socketPath: address.slice(5) }
    : (() => {
        const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address)!;
        return { host: m[1], port: Number(m[2]) };
      })();
  return new Promise((resolve, reject) => {
    const req = request({ ...target, method, path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const isJson = /json/.test(String(res.headers['content-type']));
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: text === '' || !isJson ? undefined : JSON.parse(text),
        });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A POST with a JSON body. */
export function postJson(address: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return http(address, 'POST', path, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}
