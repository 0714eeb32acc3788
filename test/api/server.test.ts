import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiListenError } from '../../src/api/errors.js';
import {
  NodeInfoSchema,
  NodeStatsSchema,
  PeerInfoSchema,
  PeerListSchema,
  ProblemSchema,
  PubkeyAnswerSchema,
  QueriedListSchema,
  RouteListSchema,
} from '../../src/api/schemas.js';
import { type AdminApi, startAdminApi } from '../../src/api/server.js';
import type { TcpAddress, UnixAddress } from '../../src/config/addresses.js';
import { FakeBackend } from './fake-backend.js';
import { type HttpAnswer, http, postJson } from './http.js';

const loopback: TcpAddress = { kind: 'tcp', text: '127.0.0.1:0', host: '127.0.0.1', port: 0 };

let backend: FakeBackend;
let api: AdminApi;
let dir: string;
const extra: AdminApi[] = [];

beforeEach(async () => {
  backend = new FakeBackend();
  api = await startAdminApi({ address: loopback, backend });
  dir = mkdtempSync(join(tmpdir(), 'hypha-api-'));
});
afterEach(async () => {
  await api.close();
  for (const a of extra.splice(0)) await a.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectProblem(r: HttpAnswer, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toBe('application/problem+json');
  expect(ProblemSchema.parse(r.json)).toMatchObject({ type: 'about:blank', status, code });
  expect(r.json.detail.length).toBeGreaterThan(10);
}

describe('admin API: reads', () => {
  it('GET /api/v1/node answers the NodeInfo as JSON', async () => {
    const r = await http(api.address, 'GET', '/api/v1/node');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(NodeInfoSchema.parse(r.json)).toEqual(backend.node);
  });

  it('GET /peers, /routes/*, /stats answer the backend snapshots in their documented shapes', async () => {
    const peers = await http(api.address, 'GET', '/api/v1/peers');
    expect(PeerListSchema.parse(peers.json)).toEqual({ peers: backend.peerList });
    const sel = await http(api.address, 'GET', '/api/v1/routes/selected');
    expect(RouteListSchema.parse(sel.json)).toEqual({ routes: backend.selected });
    const fb = await http(api.address, 'GET', '/api/v1/routes/fallback');
    expect(RouteListSchema.parse(fb.json)).toEqual({ routes: [] });
    const q = await http(api.address, 'GET', '/api/v1/routes/queried');
    expect(QueriedListSchema.parse(q.json)).toEqual({ routes: backend.queried });
    const st = await http(api.address, 'GET', '/api/v1/stats');
    expect(NodeStatsSchema.parse(st.json)).toEqual(backend.statistics);
  });

  it('ignores a query string and one trailing slash', async () => {
    expect((await http(api.address, 'GET', '/api/v1/node/?pretty=1')).status).toBe(200);
  });

  it('GET /pubkey/{ip} answers the owner, in canonical form', async () => {
    const r = await http(api.address, 'GET', '/api/v1/pubkey/05b2:1111:2222:3333:0:0:0:1');
    expect(r.status).toBe(200);
    expect(PubkeyAnswerSchema.parse(r.json)).toEqual({
      address: '5b2:1111:2222:3333::1',
      publicKey: 'b2'.repeat(32),
    });
  });

  it('GET /pubkey/{ip}: 404 for an unknown overlay address, 400 for a non-overlay or invalid one', async () => {
    const unknown = await http(api.address, 'GET', '/api/v1/pubkey/5b2:9999::1');
    expectProblem(unknown, 404, 'HYPHA_ERR_API_NOT_FOUND');
    expect(unknown.json.detail).toContain('5b2:9999::1');
    expect(unknown.json.instance).toBe('/api/v1/pubkey/5b2:9999::1');
    const outside = await http(api.address, 'GET', '/api/v1/pubkey/2001:db8::1');
    expectProblem(outside, 400, 'HYPHA_ERR_API_BAD_PARAMETER');
    expect(outside.json.detail).toContain('400::/7');
    const garbage = await http(api.address, 'GET', '/api/v1/pubkey/not-an-ip');
    expectProblem(garbage, 400, 'HYPHA_ERR_API_BAD_PARAMETER');
    const badEscape = await http(api.address, 'GET', '/api/v1/pubkey/%E0%A4%A');
    expectProblem(badEscape, 400, 'HYPHA_ERR_API_BAD_PARAMETER');
  });

  it('a backend failure is a 500 problem that points at the log', async () => {
    backend.fail = new Error('table poisoned');
    const r = await http(api.address, 'GET', '/api/v1/routes/selected');
    expectProblem(r, 500, 'HYPHA_ERR_API_INTERNAL');
    expect(r.json.detail).toContain('table poisoned');
    expect(r.json.detail).toContain('log');
  });
});

describe('admin API: changing peers', () => {
  it('POST /peers adds a peer by its canonical URI: 201 with the PeerInfo and a Location', async () => {
    const r = await postJson(api.address, '/api/v1/peers', { uri: 'UDP://[FD00::5]:9651' });
    expect(r.status).toBe(201);
    expect(PeerInfoSchema.parse(r.json).endpoint).toBe('udp://[fd00::5]:9651');
    expect(r.headers.location).toBe(`/api/v1/peers/${encodeURIComponent('udp://[fd00::5]:9651')}`);
    expect(backend.calls).toEqual(['add udp://[fd00::5]:9651']);
  });

  it('POST /peers with an existing peer is a 409 carrying the backend message', async () => {
    const r = await postJson(api.address, '/api/v1/peers', { uri: 'udp://198.18.0.2:9651' });
    expectProblem(r, 409, 'HYPHA_ERR_API_CONFLICT');
    expect(r.json.detail).toContain('already a peer');
  });

  it('rejects bad bodies with 400 naming the field (zod issue path)', async () => {
    const badUri = await postJson(api.address, '/api/v1/peers', { uri: 'tcp://1.2.3.4:1' });
    expectProblem(badUri, 400, 'HYPHA_ERR_API_BAD_BODY');
    expect(badUri.json.errors[0].path).toBe('uri');
    expect(badUri.json.detail).toContain('udp://');
    const missing = await postJson(api.address, '/api/v1/peers', {});
    expect(missing.json.errors).toEqual([{ path: 'uri', message: expect.any(String) }]);
    const extraKey = await postJson(api.address, '/api/v1/peers', { uri: 'udp://1.2.3.4:5', x: 1 });
    expectProblem(extraKey, 400, 'HYPHA_ERR_API_BAD_BODY');
    expect(extraKey.json.detail).toContain('x');
    const notObject = await postJson(api.address, '/api/v1/peers', '[1]');
    expect(notObject.json.errors[0].path).toBe('(body)');
    const notJson = await postJson(api.address, '/api/v1/peers', '{"uri":');
    expectProblem(notJson, 400, 'HYPHA_ERR_API_BAD_BODY');
    expect(notJson.json.detail).toContain('not valid JSON');
    const empty = await postJson(api.address, '/api/v1/peers', '');
    expect(empty.json.detail).toContain('empty');
    expect(backend.calls).toEqual([]);
  });

  it('rejects a non-JSON media type (415) and a body over 16 KiB (413)', async () => {
    const form = await http(api.address, 'POST', '/api/v1/peers', {
      body: 'uri=udp://1.2.3.4:5',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(form, 415, 'HYPHA_ERR_API_MEDIA_TYPE');
    expect(form.json.detail).toContain('application/json');
    const big = await postJson(api.address, '/api/v1/peers', { uri: 'x'.repeat(20_000) });
    expectProblem(big, 413, 'HYPHA_ERR_API_BODY_TOO_LARGE');
  });

  it('rejects a chunked body that grows past the limit without a Content-Length', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const port = Number(api.address.split(':')[1]);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/peers',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(r).toBe(413);
  });

  it('DELETE /peers/{uri} removes a percent-encoded peer (204) and 404s an unknown one', async () => {
    const r = await http(
      api.address,
      'DELETE',
      `/api/v1/peers/${encodeURIComponent('udp://198.18.0.2:9651')}`,
    );
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(backend.calls).toEqual(['remove udp://198.18.0.2:9651']);
    const again = await http(
      api.address,
      'DELETE',
      `/api/v1/peers/${encodeURIComponent('udp://198.18.0.2:9651')}`,
    );
    expectProblem(again, 404, 'HYPHA_ERR_API_NOT_FOUND');
    expect(again.json.detail).toContain('not a peer');
  });

  it('DELETE /peers/{uri}: 400 for an invalid URI, 404 with an encoding hint when not encoded', async () => {
    const bad = await http(api.address, 'DELETE', '/api/v1/peers/nonsense');
    expectProblem(bad, 400, 'HYPHA_ERR_API_BAD_PARAMETER');
    const raw = await http(api.address, 'DELETE', '/api/v1/peers/udp://198.18.0.2:9651');
    expectProblem(raw, 404, 'HYPHA_ERR_API_UNKNOWN_PATH');
    expect(raw.json.detail).toContain('percent-encoded');
  });
});

describe('admin API: routing errors', () => {
  it('an unknown path is a 404 that lists every route', async () => {
    const r = await http(api.address, 'GET', '/api/v1/neighbours');
    expectProblem(r, 404, 'HYPHA_ERR_API_UNKNOWN_PATH');
    for (const route of [
      'GET /api/v1/node',
      'POST /api/v1/peers',
      'DELETE /api/v1/peers/{uri}',
      'GET /api/v1/stats',
    ])
      expect(r.json.detail).toContain(route);
    expectProblem(await http(api.address, 'GET', '/'), 404, 'HYPHA_ERR_API_UNKNOWN_PATH');
    expectProblem(await http(api.address, 'GET', '/api/v2/node'), 404, 'HYPHA_ERR_API_UNKNOWN_PATH');
  });

  it('a wrong method is a 405 with Allow', async () => {
    const r = await http(api.address, 'PUT', '/api/v1/peers');
    expectProblem(r, 405, 'HYPHA_ERR_API_METHOD_NOT_ALLOWED');
    expect(r.headers.allow).toBe('GET, POST');
    expect(r.json.allow).toEqual(['GET', 'POST']);
    const del = await http(api.address, 'POST', '/api/v1/node');
    expect(del.headers.allow).toBe('GET');
    expect((await http(api.address, 'GET', '/api/v1/peers/udp%3A%2F%2F1.2.3.4%3A5')).headers.allow).toBe(
      'DELETE',
    );
  });

  it('a slow request body does not hold up other requests', async () => {
    const port = Number(api.address.split(':')[1]);
    const slow = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/peers',
      headers: { 'content-type': 'application/json', 'content-length': '40' },
    });
    slow.on('error', () => {});
    slow.write('{"uri":');
    const r = await http(api.address, 'GET', '/api/v1/node');
    expect(r.status).toBe(200);
    slow.destroy();
  });
});

describe('admin API: exposure and authentication', () => {
  it('refuses a non-loopback address without a token', async () => {
    const any: TcpAddress = { kind: 'tcp', text: '0.0.0.0:0', host: '0.0.0.0', port: 0 };
    await expect(startAdminApi({ address: any, backend })).rejects.toThrow(ApiListenError);
    await expect(startAdminApi({ address: any, backend })).rejects.toMatchObject({
      code: 'HYPHA_ERR_API_EXPOSED',
    });
    await expect(startAdminApi({ address: loopback, backend, token: '' })).rejects.toThrow(TypeError);
  });

  it('with a token, every request needs Authorization: Bearer <token> (401 otherwise)', async () => {
    const any: TcpAddress = { kind: 'tcp', text: '0.0.0.0:0', host: '0.0.0.0', port: 0 };
    const secured = await startAdminApi({ address: any, backend, token: 's3cret-token' });
    extra.push(secured);
    const at = `127.0.0.1:${secured.address.split(':').at(-1)}`;
    const none = await http(at, 'GET', '/api/v1/node');
    expectProblem(none, 401, 'HYPHA_ERR_API_UNAUTHORIZED');
    expect(none.headers['www-authenticate']).toBe('Bearer realm="hypha"');
    expect(none.json.detail).toContain('api_token_file');
    const wrong = await http(at, 'GET', '/api/v1/node', {
      headers: { authorization: 'Bearer s3cret-tokeN' },
    });
    expectProblem(wrong, 401, 'HYPHA_ERR_API_UNAUTHORIZED');
    expect(wrong.json.detail).toContain('wrong');
    const basic = await http(at, 'GET', '/api/v1/node', { headers: { authorization: 'Basic czNjcmV0' } });
    expect(basic.status).toBe(401);
    // unknown paths are not revealed before authentication
    expect((await http(at, 'GET', '/api/v1/nothing')).status).toBe(401);
    const ok = await http(at, 'GET', '/api/v1/node', { headers: { authorization: 'bearer s3cret-token' } });
    expect(ok.status).toBe(200);
    // the open API on loopback still works without one
    expect((await http(api.address, 'GET', '/api/v1/node')).status).toBe(200);
  });

  it('also enforces a token on a loopback address when one is given', async () => {
    const secured = await startAdminApi({ address: loopback, backend, token: 't' });
    extra.push(secured);
    expect((await http(secured.address, 'GET', '/api/v1/stats')).status).toBe(401);
    const ok = await http(secured.address, 'GET', '/api/v1/stats', {
      headers: { authorization: 'Bearer t' },
    });
    expect(ok.status).toBe(200);
  });
});

describe('admin API: unix sockets', () => {
  const unix = (path: string): UnixAddress => ({ kind: 'unix', text: `unix:${path}`, path });

  it('listens with mode 0660 and answers over the socket', async () => {
    const path = join(dir, 'api.sock');
    const s = await startAdminApi({ address: unix(path), backend });
    extra.push(s);
    expect(s.address).toBe(`unix:${path}`);
    expect(statSync(path).mode & 0o777).toBe(0o660);
    const r = await http(s.address, 'GET', '/api/v1/node');
    expect(r.status).toBe(200);
  });

  it('replaces a stale socket left by a dead process', async () => {
    const path = join(dir, 'stale.sock');
    spawnSync(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(statSync(path).isSocket()).toBe(true);
    const s = await startAdminApi({ address: unix(path), backend });
    extra.push(s);
    expect((await http(s.address, 'GET', '/api/v1/node')).status).toBe(200);
  });

  it('refuses a socket another process is listening on, and a path that is not a socket', async () => {
    const path = join(dir, 'live.sock');
    extra.push(await startAdminApi({ address: unix(path), backend }));
    await expect(startAdminApi({ address: unix(path), backend })).rejects.toMatchObject({
      code: 'HYPHA_ERR_API_LISTEN',
      message: expect.stringContaining('already running'),
    });
    const file = join(dir, 'file');
    writeFileSync(file, 'keep me');
    await expect(startAdminApi({ address: unix(file), backend })).rejects.toMatchObject({
      code: 'HYPHA_ERR_API_LISTEN',
      message: expect.stringContaining('not a socket'),
    });
  });

  it('reports a TCP port in use as HYPHA_ERR_API_LISTEN naming the address', async () => {
    const port = Number(api.address.split(':')[1]);
    const same: TcpAddress = { kind: 'tcp', text: `127.0.0.1:${port}`, host: '127.0.0.1', port };
    await expect(startAdminApi({ address: same, backend })).rejects.toMatchObject({
      code: 'HYPHA_ERR_API_LISTEN',
      message: expect.stringContaining(`127.0.0.1:${port}`),
    });
  });
});

describe('admin API: logging', () => {
  it('logs the listening address at info, each request at debug, and handler failures at error', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'debug' }, { write: (l: string) => lines.push(JSON.parse(l)) });
    const logged = await startAdminApi({ address: loopback, backend, log });
    extra.push(logged);
    expect(lines[0]).toMatchObject({
      level: 30,
      component: 'api',
      address: logged.address,
      msg: 'admin API listening',
    });
    await http(logged.address, 'GET', '/api/v1/node');
    expect(lines.at(-1)).toMatchObject({ level: 20, method: 'GET', path: '/api/v1/node', status: 200 });
    backend.fail = new Error('boom');
    await http(logged.address, 'GET', '/api/v1/peers');
    expect(lines.find((l) => l.level === 50)).toMatchObject({
      msg: 'admin API handler failed',
      path: '/api/v1/peers',
    });
  });
});

describe('admin API: logger bindings', () => {
  it('keeps a caller-supplied component binding instead of adding a second one', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => lines.push(l) }).child({ component: 'api' });
    extra.push(await startAdminApi({ address: loopback, backend, log }));
    expect(lines[0]!.match(/"component"/g)).toHaveLength(1);
  });
});
