/** `notifications: false` (the simulator's setting) drops the notify actions and nothing else. */
import { describe, expect, it } from 'vitest';
import { Net } from './harness.js';

function converged(notifications: boolean): Net {
  const net = new Net(3, { config: { notifications } });
  net.connect(0, 1);
  net.connect(1, 2);
  expect(net.driveUntil((n) => n.converged(), 30_000)).toBeDefined();
  return net;
}

describe('notifications', () => {
  it('are emitted by default and can be turned off without changing routing', () => {
    const on = converged(true);
    const off = converged(false);
    expect(on.node(0).notifications('routeSelected').length).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      expect(off.node(i).actions.filter((a) => a.kind === 'notify')).toEqual([]);
      expect([...off.node(i).fib.entries()]).toEqual([...on.node(i).fib.entries()]);
      expect(off.node(i).actions.filter((a) => a.kind !== 'notify')).toEqual(
        on.node(i).actions.filter((a) => a.kind !== 'notify'),
      );
    }
  });
});
