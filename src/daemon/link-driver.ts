/**
 * Drives the link layer on a real UDP socket: datagrams in, the link state machine's actions out,
 * its timer armed. Data frames take the fast path straight to the forwarder; everything else goes
 * through the LinkManager.
 */
import type { Logger } from 'pino';
import type { Endpoint, LinkAction, LinkManager } from '../link/api.js';
import type { UdpLink } from '../link/udp.js';
import type { NeighbourId } from '../routing/api.js';
import { toHex } from '../util/bytes.js';
import { Counters } from '../util/counters.js';
import { FrameType } from '../wire/link/constants.js';
import { readDataReceiverIndex, writeDataReceiverIndex } from '../wire/link/data.js';
import { DeadlineTimer } from './timer.js';

/** Where link events go: routing (neighbours, control) and the forwarder (data). */
export interface LinkEvents {
  up(neighbour: NeighbourId, publicKey: Uint8Array, endpoint: Endpoint): void;
  down(neighbour: NeighbourId, reason: string): void;
  control(neighbour: NeighbourId, body: Uint8Array): void;
  data(neighbour: NeighbourId, frame: Uint8Array): void;
}

export function formatEndpoint(e: Endpoint): string {
  return e.address.includes(':') ? `udp://[${e.address}]:${e.port}` : `udp://${e.address}:${e.port}`;
}

/** The smallest Data frame: relay header, e2e header, tag (src/wire/link/data.ts). */
const MIN_DATA_FRAME = 68;

export class LinkDriver {
  private readonly timer: DeadlineTimer;
  private readonly counts = new Counters();
  private events: LinkEvents | undefined;

  constructor(
    readonly links: LinkManager,
    private readonly udp: UdpLink,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    this.timer = new DeadlineTimer(now, () => {
      this.links.handleTimer(this.now());
      this.drain();
    });
  }

  /** Starts receiving; events before this are not possible (the socket handler is set here). */
  start(events: LinkEvents): void {
    this.events = events;
    this.udp.onDatagram((data, from) => this.receive(data, from));
    this.drain();
  }

  addPeer(...args: Parameters<LinkManager['addPeer']>): void {
    this.links.addPeer(...args);
    this.drain();
  }

  removePeer(endpoint: Endpoint): boolean {
    const removed = this.links.removePeer(endpoint, this.now());
    this.drain();
    return removed;
  }

  sendControl(neighbour: NeighbourId, body: Uint8Array): boolean {
    const ok = this.links.sendControl(neighbour, body, this.now());
    this.drain();
    return ok;
  }

  /** The Data-frame send path: writes the next hop's receiver index in place and sends. */
  sendData(neighbour: NeighbourId, frame: Uint8Array): boolean {
    const target = this.links.dataTarget(neighbour, frame.length);
    if (target === undefined) return false;
    writeDataReceiverIndex(frame, target.remoteIndex);
    this.udp.send(target.to, frame);
    return true;
  }

  close(): void {
    this.links.close(this.now());
    this.drain();
    this.timer.cancel();
  }

  counters(): Record<string, number> {
    return this.counts.snapshot();
  }

  private receive(data: Uint8Array, from: Endpoint): void {
    if (data[0] === FrameType.Data) {
      const neighbour =
        data.length < MIN_DATA_FRAME
          ? undefined
          : this.links.neighbourForIndex(readDataReceiverIndex(data), data.length, from);
      if (neighbour === undefined) this.counts.add('drop.data-unknown-index');
      else this.events?.data(neighbour, data);
      return;
    }
    // The socket reuses its buffer after this call; the session layer may keep what it parses.
    this.links.handleDatagram(Uint8Array.prototype.slice.call(data), from, this.now());
    this.drain();
  }

  private drain(): void {
    for (let a = this.links.poll(); a !== undefined; a = this.links.poll()) this.act(a);
    this.timer.arm(this.links.nextTimeout());
  }

  private act(a: LinkAction): void {
    switch (a.kind) {
      case 'send':
        this.udp.send(a.to, a.datagram);
        return;
      case 'up':
        this.log.info({ publicKey: toHex(a.publicKey), endpoint: formatEndpoint(a.endpoint) }, 'peer up');
        this.events?.up(a.neighbour, a.publicKey, a.endpoint);
        return;
      case 'down':
        this.log.info({ publicKey: a.neighbour, reason: a.reason }, 'peer down');
        this.events?.down(a.neighbour, a.reason);
        return;
      case 'control':
        this.events?.control(a.neighbour, a.body);
        return;
      case 'notify':
        this.log.debug({ event: a.event, ...a.detail }, 'link event');
        return;
    }
  }
}
