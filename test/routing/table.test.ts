import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefixIdOf } from '../../src/routing/_keys.js';
import { createNeighbour, type Neighbour } from '../../src/routing/neighbour.js';
import { LOST, NONE, RouteTable } from '../../src/routing/table.js';
import { AE, type Prefix } from '../../src/wire/babel/types.js';

function prefix(i: number): Prefix {
  const addr = new Uint8Array(16);
  addr[0] = 0x05;
  addr[1] = 0xfe; // away from the prefixes other tests intern
  addr[6] = i >> 8;
  addr[7] = i & 0xff;
  return { ae: AE.IPv6, plen: 64, addr };
}

function neighbour(t: RouteTable, id: string): Neighbour {
  const n = createNeighbour(id, new Uint8Array(32), () => 0.5);
  n.slot = t.addNeighbour(n);
  return n;
}

function routesOf(t: RouteTable, p: number): number[] {
  const out: number[] = [];
  for (let r = t.head[p]!; r !== NONE; r = t.rNext[r]!) out.push(r);
  return out;
}

describe('route table storage', () => {
  it('indexes slots by the interned prefix id and frees the id with the last holder', () => {
    const a = new RouteTable(0);
    const b = new RouteTable(0);
    const pa = a.createSlot(prefix(1), new Uint8Array(32), 0);
    const pb = b.createSlot(prefix(1), new Uint8Array(32), 0);
    expect(pa).toBe(pb);
    expect(prefixIdOf(prefix(1))).toBe(pa);
    expect(a.slotOfId(pa)).toBe(pa);
    a.freeSlot(pa);
    expect(a.slotOfId(pa)).toBe(NONE);
    expect(prefixIdOf(prefix(1))).toBe(pa); // b still holds it
    b.freeSlot(pb);
    expect(prefixIdOf(prefix(1))).toBe(-1);
    expect(b.slots).toBe(0);
  });

  it('keeps a slot that still has routes, and lists slots per neighbour', () => {
    const t = new RouteTable(0);
    const x = neighbour(t, 'x');
    const y = neighbour(t, 'y');
    const p1 = t.createSlot(prefix(2), new Uint8Array(32), 0);
    const p2 = t.createSlot(prefix(3), new Uint8Array(32), 0);
    t.addRoute(p1, x.slot, 0);
    const r2 = t.addRoute(p2, x.slot, 0);
    t.addRoute(p2, y.slot, 0);
    expect(t.slotsVia(x.slot).sort()).toEqual([p1, p2].sort());
    expect(t.slotsVia(y.slot)).toEqual([p2]);
    t.freeSlot(p2);
    expect(t.isLive(p2)).toBe(true);
    t.removeRoute(p2, r2);
    expect(t.slotsVia(x.slot)).toEqual([p1]);
    expect(t.routes).toBe(2);
    expect(t.prefixes).toBe(2);
  });

  it('marks the selected route LOST when it is removed', () => {
    const t = new RouteTable(0);
    const x = neighbour(t, 'x');
    const p = t.createSlot(prefix(4), new Uint8Array(32), 0);
    const r = t.addRoute(p, x.slot, 0);
    t.sel[p] = r;
    t.removeRoute(p, r);
    expect(t.sel[p]).toBe(LOST);
    expect(t.prefixes).toBe(0);
  });

  it('stores expiry rounded up to the ms and survives an epoch rebase', () => {
    const t = new RouteTable(1000.25);
    const x = neighbour(t, 'x');
    const p = t.createSlot(prefix(5), new Uint8Array(32), 1000.25);
    const r = t.addRoute(p, x.slot, 1000.25);
    t.setExpiresAt(r, 5000.5);
    expect(t.expiresAt(r)).toBeGreaterThanOrEqual(5000.5);
    expect(t.expiresAt(r) - 5000.5).toBeLessThan(1);
    const far = 1000.25 + 2 ** 31 + 10;
    t.setExpiresAt(r, far - 5); // still representable before the rebase
    t.rebase(far);
    expect(t.epoch).toBeGreaterThan(1000.25);
    expect(t.expiresAt(r)).toBeGreaterThanOrEqual(far - 5);
    expect(t.expiresAt(r) - (far - 5)).toBeLessThan(1);
    t.setExpiresAt(r, far + 60_000);
    expect(t.expiresAt(r) - (far + 60_000)).toBeLessThan(1);
  });

  it('matches a model under random add/remove of routes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 200,
        }),
        (ops) => {
          const t = new RouteTable(0);
          const nbrs = [0, 1, 2, 3].map((i) => neighbour(t, `n${i}`));
          const slots = [0, 1, 2, 3, 4, 5].map((i) => t.createSlot(prefix(100 + i), new Uint8Array(32), 0));
          const model = slots.map(() => [] as number[]); // neighbour indices, in insertion order
          for (const [add, si, ni] of ops) {
            const p = slots[si]!;
            const nslot = nbrs[ni]!.slot;
            const r = t.findRoute(p, nslot);
            if (add && r === NONE) {
              t.addRoute(p, nslot, 0);
              model[si]!.push(ni);
            } else if (!add && r !== NONE) {
              t.removeRoute(p, r);
              model[si]!.splice(model[si]!.indexOf(ni), 1);
            }
          }
          let total = 0;
          slots.forEach((p, si) => {
            expect(routesOf(t, p).map((r) => nbrs.findIndex((n) => n.slot === t.rNbr[r]))).toEqual(model[si]);
            total += model[si]!.length;
          });
          expect(t.routes).toBe(total);
          nbrs.forEach((n, ni) => {
            const want = slots.filter((_, si) => model[si]!.includes(ni)).sort((a, b) => a - b);
            expect(t.slotsVia(n.slot)).toEqual(want);
          });
          for (const p of slots) {
            for (const r of routesOf(t, p)) t.removeRoute(p, r);
            t.freeSlot(p);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
