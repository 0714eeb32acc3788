import { describe, expect, it } from 'vitest';
import { ForwardingTable } from '../../src/dataplane/forwarding-table.js';
import { PendingQueue } from '../../src/dataplane/pending-queue.js';
import { maskPrefix, parseIPv6 } from '../../src/identity/address.js';
import type { ForwardingEntry } from '../../src/routing/api.js';
import { AE } from '../../src/wire/babel/types.js';

const addr = (s: string) => parseIPv6(s)!;
const entry = (a: string, plen: number, neighbour: string): ForwardingEntry => ({
  prefix: { ae: AE.IPv6, plen, addr: maskPrefix(addr(a), plen) },
  neighbour,
  metric: 1,
  seqno: 1,
  originator: new Uint8Array(32),
});

describe('forwarding table', () => {
  it('finds the /64 that holds an address, replaces and removes entries', () => {
    const t = new ForwardingTable();
    t.install(entry('4a0:56b2:fc9a:23ef::', 64, 'n1'));
    t.install(entry('537:a149:ad6a:abcd::', 64, 'n2'));
    expect(t.lookup(addr('4a0:56b2:fc9a:23ef:1:2:3:4'))?.neighbour).toBe('n1');
    expect(t.lookup(addr('4a0:56b2:fc9a:23ee::1'))).toBeUndefined();
    t.install(entry('4a0:56b2:fc9a:23ef::', 64, 'n3'));
    expect(t.lookup(addr('4a0:56b2:fc9a:23ef::9'))?.neighbour).toBe('n3');
    expect(t.size).toBe(2);
    t.remove(entry('4a0:56b2:fc9a:23ef::', 64, '').prefix);
    expect(t.lookup(addr('4a0:56b2:fc9a:23ef::9'))).toBeUndefined();
  });

  it('prefers the longest match when other prefix lengths are present', () => {
    const t = new ForwardingTable();
    t.install(entry('400::', 7, 'wide'));
    t.install(entry('4a0::', 16, 'narrow'));
    expect(t.lookup(addr('4a0::1'))?.neighbour).toBe('narrow');
    expect(t.lookup(addr('5ff::1'))?.neighbour).toBe('wide');
    t.install(entry('4a0:1:2:3::', 64, 'exact'));
    expect(t.lookup(addr('4a0:1:2:3::1'))?.neighbour).toBe('exact');
  });
});

describe('pending queue', () => {
  const limits = { perDestination: 3, total: 5, maxWaitMs: 100 };
  const p = (n: number) => Uint8Array.of(n);

  it('says which packet is the first for a destination, and hands back those still in time', () => {
    const q = new PendingQueue(limits);
    expect(q.push('a', p(1), 0)).toBe(true);
    expect(q.push('a', p(2), 50)).toBe(false);
    expect(q.take('a', 120)).toEqual([p(2)]);
    expect(q.dropped).toBe(1);
    expect(q.size).toBe(0);
  });

  it('drops the oldest per destination and never holds more than the total', () => {
    const q = new PendingQueue(limits);
    for (let i = 0; i < 5; i++) q.push('a', p(i), 0);
    expect(q.take('a', 0)).toEqual([p(2), p(3), p(4)]);
    for (let i = 0; i < 20; i++) q.push(`d${i}`, p(i), 0);
    expect(q.size).toBeLessThanOrEqual(5);
    expect(q.destinations().length).toBeLessThanOrEqual(5);
  });

  it('expires packets past their deadline', () => {
    const q = new PendingQueue(limits);
    q.push('a', p(1), 0);
    q.push('b', p(2), 80);
    q.push('a', p(3), 10);
    expect(q.expire(150)).toEqual([p(3)]);
    expect(q.dropped).toBe(2);
    expect(q.destinations()).toEqual(['b']);
  });
});
