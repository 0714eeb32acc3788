/**
 * Drives the routing engine on real time: feeds it link events and control packets, carries out
 * its actions (control packets to the link layer, forwarding-table changes), and keeps its one
 * timer armed. The engine itself is the same sans-IO code the simulator runs.
 */
import type { Logger } from 'pino';
import { formatIPv6 } from '../identity/address.js';
import type {
  EngineAction,
  EngineEvent,
  ForwardingEntry,
  NeighbourId,
  RoutingEngine,
} from '../routing/api.js';
import { Counters } from '../util/counters.js';
import { decodePacket, encodePackets, type Prefix, type Tlv } from '../wire/babel/index.js';
import { MAX_CONTROL_BODY_SIZE } from '../wire/link/constants.js';
import { DeadlineTimer } from './timer.js';

/** Where the engine's actions go. */
export interface RoutingSink {
  sendControl(neighbour: NeighbourId, body: Uint8Array): boolean;
  install(entry: ForwardingEntry): void;
  remove(prefix: Prefix): void;
}

export function formatPrefix(p: Prefix): string {
  return `${formatIPv6(p.addr)}/${p.plen}`;
}

export class RoutingDriver {
  private readonly timer: DeadlineTimer;
  private readonly counts = new Counters();
  private stopped = false;

  constructor(
    readonly engine: RoutingEngine,
    private readonly sink: RoutingSink,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    this.timer = new DeadlineTimer(now, () => this.handle({ kind: 'timer' }));
  }

  handle(event: EngineEvent): void {
    if (this.stopped) return;
    this.engine.handle(event, this.now());
    this.drain();
  }

  /** A control body from a neighbour's link session. */
  controlReceived(neighbour: NeighbourId, body: Uint8Array): void {
    const decoded = decodePacket(body);
    if (!decoded.ok) {
      this.counts.add(`drop.decode.${decoded.error.code}`);
      this.log.debug({ neighbour, error: decoded.error }, 'undecodable routing packet');
      return;
    }
    this.handle({ kind: 'packet', neighbour, tlvs: decoded.value.tlvs });
  }

  stop(): void {
    this.stopped = true;
    this.timer.cancel();
  }

  counters(): Record<string, number> {
    return this.counts.snapshot();
  }

  private drain(): void {
    for (let a = this.engine.poll(); a !== undefined; a = this.engine.poll()) this.act(a);
    this.timer.arm(this.engine.nextTimeout());
  }

  private act(a: EngineAction): void {
    switch (a.kind) {
      case 'send':
        this.send(a.neighbour, a.tlvs);
        return;
      case 'installRoute':
        this.sink.install(a.entry);
        this.log.info(
          { prefix: formatPrefix(a.entry.prefix), neighbour: a.entry.neighbour, metric: a.entry.metric },
          'route selected',
        );
        return;
      case 'removeRoute':
        this.sink.remove(a.prefix);
        this.log.info({ prefix: formatPrefix(a.prefix) }, 'route retracted');
        return;
      case 'notify':
        this.log.debug({ event: a.event, ...a.detail }, 'routing event');
        return;
    }
  }

  private send(neighbour: NeighbourId, tlvs: readonly Tlv[]): void {
    let packets: Uint8Array[];
    try {
      packets = encodePackets(tlvs, MAX_CONTROL_BODY_SIZE);
    } catch (err) {
      // An engine bug, not wire input: log it loudly and keep the node running.
      this.counts.add('drop.encode');
      this.log.error({ err, neighbour }, 'could not encode routing packet');
      return;
    }
    for (const p of packets) if (!this.sink.sendControl(neighbour, p)) this.counts.add('drop.no-session');
  }
}
