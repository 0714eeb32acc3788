import { describe, expect, it } from 'vitest';
import { prettyLine } from '../../src/daemon/logger.js';

describe('prettyLine', () => {
  it('prints time, level, message and the other fields as key=value', () => {
    const line = prettyLine(
      JSON.stringify({
        level: 30,
        time: Date.UTC(2026, 10, 23, 12, 0, 1, 5),
        pid: 1,
        msg: 'peer up',
        endpoint: 'udp://198.18.0.2:9651',
        n: 2,
      }),
    );
    expect(line).toBe('12:00:01.005 INFO  peer up  endpoint=udp://198.18.0.2:9651 n=2\n');
  });

  it('passes through a line that is not JSON', () => {
    expect(prettyLine('not json')).toBe('not json');
  });
});
