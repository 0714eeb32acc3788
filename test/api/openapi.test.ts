import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/api/openapi.js';
import { Router } from '../../src/api/router.js';
import { type AdminApi, adminRoutes, startAdminApi } from '../../src/api/server.js';
import { FakeBackend } from './fake-backend.js';
import { http } from './http.js';

/**
 * The OpenAPI document and the server must describe the same API. docs/api/openapi.json is the
 * committed copy; regenerate it with `HYPHA_WRITE_OPENAPI=1 npx vitest run test/api/openapi.test.ts`.
 */
const DOC_FILE = new URL('../../docs/api/openapi.json', import.meta.url);

interface Op {
  parameters?: { name: string; example: string }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}
const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, Op>> };
const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
);

let api: AdminApi;
beforeAll(async () => {
  const backend = new FakeBackend();
  // the document's examples: an owned overlay address and an existing peer
  backend.owners.set('4a1:2b3c:4d5e:6f70::1', 'c3'.repeat(32));
  expect(backend.peerList.map((p) => p.endpoint)).toContain('udp://198.18.0.2:9651');
  api = await startAdminApi({
    address: { kind: 'tcp', text: '127.0.0.1:0', host: '127.0.0.1', port: 0 },
    backend,
  });
});
afterAll(() => api.close());

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and every $ref resolves', () => {
    expect(doc.openapi).toBe('3.1.0');
    const text = JSON.stringify(doc);
    for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) {
      expect(
        (doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas,
      ).toHaveProperty(name!);
    }
  });

  it('lists exactly the routes the server answers', () => {
    const served = new Router(adminRoutes(new FakeBackend())).list();
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it('every documented operation is answered with its documented success status', async () => {
    for (const entry of documented) {
      const [method, template] = entry.split(' ') as [string, string];
      const op = doc.paths[template]![method.toLowerCase()]!;
      const path = template.replace(
        /\{(\w+)\}/g,
        (_, name) => op.parameters!.find((p) => p.name === name)!.example,
      );
      const r = await http(api.address, method, path, {
        ...(op.requestBody === undefined
          ? {}
          : { body: '{"uri":"udp://198.18.0.9:9651"}', headers: { 'content-type': 'application/json' } }),
      });
      const okStatus = Object.keys(op.responses).find((s) => s.startsWith('2'));
      expect({ entry, status: r.status }).toEqual({ entry, status: Number(okStatus) });
    }
  });

  it('is served at /api/v1/openapi.json', async () => {
    const r = await http(api.address, 'GET', '/api/v1/openapi.json');
    expect(r.json).toEqual(doc);
  });

  it('docs/api/openapi.json is up to date', () => {
    if (process.env.HYPHA_WRITE_OPENAPI === '1') {
      writeFileSync(DOC_FILE, `${JSON.stringify(doc, null, 2)}\n`);
      // the committed copy is in Biome's JSON style, so `npm run lint` passes on it
      const biome = spawnSync(
        process.execPath,
        ['node_modules/@biomejs/biome/bin/biome', 'format', '--write', fileURLToPath(DOC_FILE)],
        { encoding: 'utf8' },
      );
      expect(biome.status, biome.stderr).toBe(0);
    }
    let committed: unknown;
    try {
      committed = JSON.parse(readFileSync(DOC_FILE, 'utf8'));
    } catch {
      // missing or broken: the comparison below fails with the instruction
    }
    expect(committed, 'regenerate: HYPHA_WRITE_OPENAPI=1 npx vitest run test/api/openapi.test.ts').toEqual(
      doc,
    );
  });
});
