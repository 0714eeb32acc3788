/** The per-neighbour outbox (src/routing/outbox.ts): what split horizon may drop from its queue. */
import { describe, expect, it } from 'vitest';
import type { EngineAction } from '../../src/routing/api.js';
import { Counters } from '../../src/routing/counters.js';
import { Outbox } from '../../src/routing/outbox.js';
import { AE, type Tlv, TlvType, type Update } from '../../src/wire/babel/types.js';

const prefix = {
  ae: AE.IPv6,
  plen: 64,
  addr: new Uint8Array([4, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0]),
};
const update = (metric: number): Update => ({
  type: TlvType.Update,
  flags: 0,
  interval: 6000,
  seqno: 5,
  metric,
  prefix,
});

function sent(out: EngineAction[]): Tlv[] {
  return out.flatMap((a) => (a.kind === 'send' ? [...a.tlvs] : []));
}

describe('outbox split-horizon drop', () => {
  it('drops a queued announcement to the new next hop', () => {
    const o = new Outbox();
    o.queueUpdate('n', 'k', update(100));
    expect(o.dropUpdate('n', 'k')).toBe(true);
    const out: EngineAction[] = [];
    o.flush(out, new Counters());
    expect(sent(out).filter((t) => t.type === TlvType.Update)).toEqual([]);
  });

  it('keeps a queued retraction: to the next hop it is the poisoned reverse', () => {
    const o = new Outbox();
    o.queueUpdate('n', 'k', update(0xffff));
    expect(o.dropUpdate('n', 'k')).toBe(false);
    const out: EngineAction[] = [];
    o.flush(out, new Counters());
    expect(sent(out).filter((t) => t.type === TlvType.Update)).toEqual([update(0xffff)]);
  });
});
