import { describe, expect, it } from 'vitest';
import { ForwardingState, type LiveGraph } from '../../sim/forwarding.js';

/** A line 0-1-2-3-4 with every node up. */
const lineGraph = (down: Set<string> = new Set()): LiveGraph => ({
  alive: () => true,
  usable: (a, b) => Math.abs(a - b) === 1 && !down.has(`${Math.min(a, b)}-${Math.max(a, b)}`),
});

describe('ForwardingState (the invariant checker)', () => {
  it('finds a constructed loop through the node whose entry just changed', () => {
    const f = new ForwardingState(5);
    f.install(0, 4, 1);
    f.install(1, 4, 2);
    expect(f.findLoop(1, 4)).toBeUndefined();
    f.install(2, 4, 0); // 0 -> 1 -> 2 -> 0
    expect(f.findLoop(2, 4)).toEqual([2, 0, 1, 2]);
  });

  it('a chain that ends at the destination or at a node without an entry is not a loop', () => {
    const f = new ForwardingState(5);
    f.install(0, 4, 1);
    f.install(1, 4, 2);
    f.install(2, 4, 3);
    expect(f.findLoop(0, 4)).toBeUndefined();
    f.install(3, 4, 4);
    expect(f.findLoop(0, 4)).toBeUndefined();
  });

  it('counts reachability and finds a constructed unreachable pair', () => {
    const f = new ForwardingState(5);
    for (let s = 0; s < 4; s++) f.install(s, 4, s + 1);
    expect(f.reach(4, lineGraph()).reached).toBe(4);
    f.remove(1, 4); // 0 -> 1 -> (nothing): 0 and 1 cannot reach 4
    expect(f.reach(4, lineGraph()).reached).toBe(2);
    f.install(1, 4, 2);
    expect(f.reach(4, lineGraph(new Set(['2-3']))).reached).toBe(1); // only 3 gets past the cut link
  });

  it('reach counts loops it walks into (belt and braces behind findLoop)', () => {
    const f = new ForwardingState(4);
    f.install(0, 3, 1);
    f.install(1, 3, 0);
    const r = f.reach(3, { alive: () => true, usable: () => true });
    expect(r.reached).toBe(0);
    expect(r.loops).toBeGreaterThan(0);
  });

  it('tracks entries per destination and dirty destinations; same next hop is not a change', () => {
    const f = new ForwardingState(3);
    f.install(0, 2, 1);
    f.install(1, 2, 2);
    expect(f.entriesTo[2]).toBe(2);
    expect(f.takeDirty()).toEqual([2]);
    f.install(0, 2, 1);
    expect(f.takeDirty()).toEqual([]);
    f.clearNode(0);
    expect(f.entriesTo[2]).toBe(1);
    expect(f.takeDirty()).toEqual([2]);
    expect(f.path(1, 2, { alive: () => true, usable: () => true })).toEqual([1, 2]);
  });
});
