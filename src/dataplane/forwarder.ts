/**
 * The data plane of one node: packets from the TUN are sealed for their destination node and sent
 * to the next hop; Data frames from a link are either opened (for us) and written to the TUN, or
 * relayed with the hop limit decremented. No crypto on relayed frames, no allocation on the relay
 * path beyond the forwarding-table lookup.
 *
 * Sans-IO: the daemon injects the outputs (link send, TUN write, route request) and `now`. Every
 * drop is counted under a stable reason (`counters()`), never thrown.
 */

import type { E2e } from '../crypto/e2e/index.js';
import { isOverlayAddress, prefixContains } from '../identity/address.js';
import type { NodeIdentity, PublicIdentity } from '../identity/keys.js';
import { publicIdentityFromEd25519 } from '../identity/keys.js';
import type { ForwardingEntry, NeighbourId } from '../routing/api.js';
import { equalAt } from '../util/bytes.js';
import { Counters } from '../util/counters.js';
import { DATA_OFFSET_DESTINATION, DATA_OFFSET_SOURCE } from '../wire/link/constants.js';
import {
  checkData,
  decrementDataHopLimit,
  readDataCounter,
  readDataHopLimit,
  readDataKeyId,
} from '../wire/link/data.js';
import { type ForwardingTable, subnetKey } from './forwarding-table.js';
import { buildIcmpError, type IcmpErrorKind } from './icmpv6.js';
import { checkIpv6, ipv6Destination, isMulticast, OFFSET_HOP_LIMIT } from './ipv6.js';
import { PendingQueue } from './pending-queue.js';
import { TRACE_MAX_HOP_LIMIT, TraceRing } from './trace-ring.js';

/** Where the forwarder's output goes; the daemon wires these to the link layer, the TUN and routing. */
export interface ForwarderOutput {
  /** Sends a Data frame to a neighbour (the link writes the receiver index); false if no live session. */
  sendData(neighbour: NeighbourId, frame: Uint8Array): boolean;
  /** Writes an IPv6 packet to the TUN. */
  deliver(packet: Uint8Array): void;
  /** Asks routing for a route to this overlay address. */
  wantRoute(address: Uint8Array): void;
}

export interface ForwarderOptions {
  readonly identity: NodeIdentity;
  readonly e2e: E2e;
  readonly table: ForwardingTable;
  readonly output: ForwarderOutput;
  /** The TUN's MTU: an opened packet larger than this is answered with Packet Too Big. */
  readonly tunMtu: number;
  readonly pending?: PendingQueue;
}

/** Hop-limit reports a relay sends per second at most (each may cost an X25519 for a new source). */
const REPORTS_PER_SECOND = 50;

export class Forwarder {
  private readonly identity: NodeIdentity;
  private readonly e2e: E2e;
  private readonly table: ForwardingTable;
  private readonly out: ForwarderOutput;
  private readonly tunMtu: number;
  readonly pending: PendingQueue;
  /** The originator's identity per installed entry: derived once per route, not per packet. */
  private readonly identities = new WeakMap<ForwardingEntry, PublicIdentity | null>();
  private readonly counts = new Counters();
  private readonly trace = new TraceRing();
  private reportTokens = REPORTS_PER_SECOND;
  private reportRefilledAt = 0;
  private readonly lookupSourceKey = (address: Uint8Array): Uint8Array | undefined =>
    this.table.lookup(address)?.originator;

  constructor(opts: ForwarderOptions) {
    this.identity = opts.identity;
    this.e2e = opts.e2e;
    this.table = opts.table;
    this.out = opts.output;
    this.tunMtu = opts.tunMtu;
    this.pending = opts.pending ?? new PendingQueue();
  }

  /** A packet the kernel routed into the TUN. */
  fromTun(packet: Uint8Array, now: number): void {
    if (checkIpv6(packet) !== undefined) {
      this.counts.add('drop.not-ipv6');
      return;
    }
    const dst = ipv6Destination(packet);
    if (isMulticast(dst)) {
      this.counts.add('drop.multicast');
      return;
    }
    if (!isOverlayAddress(dst)) {
      this.counts.add('drop.not-overlay');
      return;
    }
    if (prefixContains(this.identity.subnet, 64, dst)) {
      // Our own /64 but not a local address: no workload answers there.
      this.counts.add('drop.own-subnet');
      this.icmpToLocal('AddressUnreachable', packet);
      return;
    }
    if (packet[OFFSET_HOP_LIMIT]! <= 1) {
      // We are the first router on the path: traceroute's first overlay hop is this node.
      this.counts.add('drop.hop-limit');
      this.icmpToLocal('HopLimitExceeded', packet);
      return;
    }
    const entry = this.table.lookup(dst);
    if (entry === undefined) {
      this.counts.add('pending.queued');
      // Copies: the TUN's read slab is reused, and Buffer#slice would only make a view of it.
      if (this.pending.push(subnetKey(dst), Uint8Array.from(packet), now))
        this.out.wantRoute(Uint8Array.from(dst));
      return;
    }
    this.sealAndSend(entry, packet, now);
  }

  /** A Data frame from a neighbour (its receiver index already matched a live session). */
  fromLink(neighbour: NeighbourId, frame: Uint8Array, now: number): void {
    if (checkData(frame) !== undefined) {
      this.counts.add('drop.malformed');
      return;
    }
    if (equalAt(frame, DATA_OFFSET_DESTINATION, this.identity.address, 0, 16)) {
      this.receive(frame, now);
      return;
    }
    if (decrementDataHopLimit(frame) === 0) {
      this.counts.add('drop.hop-limit');
      this.reportHopLimit(frame, now);
      return;
    }
    const dst = frame.subarray(DATA_OFFSET_DESTINATION, DATA_OFFSET_DESTINATION + 16);
    const entry = this.table.lookup(dst);
    if (entry === undefined) {
      this.counts.add('drop.no-route');
      return;
    }
    if (entry.neighbour === neighbour) this.counts.add('relay.back-to-sender');
    if (this.out.sendData(entry.neighbour, frame)) this.counts.add('relayed');
    else this.counts.add('drop.link-down');
  }

  /** Routing installed a route: packets waiting for its prefix go now. */
  routeInstalled(entry: ForwardingEntry, now: number): void {
    if (this.pending.size === 0) return;
    const waiting = this.pending.take(subnetKey(entry.prefix.addr), now);
    for (const packet of waiting) this.sealAndSend(entry, packet, now);
  }

  /** Housekeeping every second or so: expire waiting packets (answering with an ICMPv6 error) and e2e keys. */
  tick(now: number): void {
    for (const packet of this.pending.expire(now)) {
      this.counts.add('drop.no-route');
      this.icmpToLocal('NoRoute', packet);
    }
    this.e2e.expireKeys(now);
  }

  counters(): Record<string, number> {
    return this.counts.snapshot();
  }

  private receive(frame: Uint8Array, now: number): void {
    const result = this.e2e.open(frame, now, this.lookupSourceKey);
    if (result.ok && result.kind === 'packet') {
      if (result.packet.length > this.tunMtu) {
        this.counts.add('drop.too-big');
        this.sendIcmp('PacketTooBig', result.packet, now, this.tunMtu);
      } else {
        // Like a router on each overlay hop: the inner hop limit becomes what is left of the frame's.
        const left = readDataHopLimit(frame);
        if (left < result.packet[OFFSET_HOP_LIMIT]!) result.packet[OFFSET_HOP_LIMIT] = left;
        this.counts.add('delivered');
        this.out.deliver(result.packet);
      }
    } else if (result.ok && result.kind === 'hop-limit') {
      this.counts.add('trace.report-received');
      const probe = this.trace.take(result.keyId, result.counter);
      if (probe !== undefined) this.icmpToLocalFrom(result.source.address, 'HopLimitExceeded', probe);
    } else if (result.ok) {
      this.counts.add('control.received');
    }
    // Failed opens are counted by the e2e layer under their reason.
    this.flushControl();
  }

  private flushControl(): void {
    for (let c = this.e2e.pollControl(); c !== undefined; c = this.e2e.pollControl()) {
      const entry = this.table.lookup(c.destination);
      if (entry === undefined) {
        this.counts.add('drop.control-no-route');
        continue;
      }
      if (this.out.sendData(entry.neighbour, c.frame)) this.counts.add('control.sent');
      else this.counts.add('drop.link-down');
    }
  }

  private sealAndSend(entry: ForwardingEntry, packet: Uint8Array, now: number): void {
    const dst = this.identityOf(entry);
    if (dst === undefined) {
      this.counts.add('drop.bad-originator');
      return;
    }
    const r = this.e2e.seal(dst, packet[OFFSET_HOP_LIMIT]! - 1, 0, packet, now);
    if (!r.ok) {
      // The e2e layer counts its own reasons; too-large is the one the sender can act on.
      if (r.reason === 'too-large') this.icmpToLocal('PacketTooBig', packet, this.tunMtu);
      return;
    }
    if (packet[OFFSET_HOP_LIMIT]! <= TRACE_MAX_HOP_LIMIT) {
      this.trace.remember(readDataKeyId(r.frame), readDataCounter(r.frame), packet);
    }
    if (this.out.sendData(entry.neighbour, r.frame)) this.counts.add('sent');
    else this.counts.add('drop.link-down');
    this.flushControl();
  }

  /**
   * A frame ran out of hop limit here: tell its source which frame (rate-limited), sealed to it like
   * any control message. The source turns it into a Time Exceeded for its traceroute.
   */
  private reportHopLimit(frame: Uint8Array, now: number): void {
    this.reportTokens = Math.min(
      REPORTS_PER_SECOND,
      this.reportTokens + ((now - this.reportRefilledAt) * REPORTS_PER_SECOND) / 1000,
    );
    this.reportRefilledAt = now;
    if (this.reportTokens < 1) {
      this.counts.add('trace.report-rate-limited');
      return;
    }
    const entry = this.table.lookup(frame.subarray(DATA_OFFSET_SOURCE, DATA_OFFSET_SOURCE + 16));
    const src = entry === undefined ? undefined : this.identityOf(entry);
    if (entry === undefined || src === undefined) return;
    this.reportTokens -= 1;
    const report = this.e2e.sealHopLimitReport(src, readDataKeyId(frame), readDataCounter(frame), now);
    if (report !== undefined && this.out.sendData(entry.neighbour, report))
      this.counts.add('trace.report-sent');
  }

  /** An ICMPv6 error from this node to a local sender, written straight back to the TUN. */
  private icmpToLocal(kind: IcmpErrorKind, invoking: Uint8Array, param = 0): void {
    this.icmpToLocalFrom(this.identity.address, kind, invoking, param);
  }

  private icmpToLocalFrom(from: Uint8Array, kind: IcmpErrorKind, invoking: Uint8Array, param = 0): void {
    const err = buildIcmpError(kind, from, invoking, param);
    if (err !== undefined) {
      this.counts.add(`icmp.${kind}`);
      this.out.deliver(err);
    }
  }

  /** An ICMPv6 error from this node to a remote sender, sealed and routed like any packet. */
  private sendIcmp(kind: IcmpErrorKind, invoking: Uint8Array, now: number, param = 0): void {
    const err = buildIcmpError(kind, this.identity.address, invoking, param);
    if (err === undefined) return;
    const entry = this.table.lookup(invoking.subarray(8, 24));
    if (entry === undefined) {
      this.counts.add('drop.icmp-no-route');
      return;
    }
    this.counts.add(`icmp.${kind}`);
    this.sealAndSend(entry, err, now);
  }

  private identityOf(entry: ForwardingEntry): PublicIdentity | undefined {
    let id = this.identities.get(entry);
    if (id === undefined) {
      try {
        id = publicIdentityFromEd25519(entry.originator);
      } catch {
        id = null;
      }
      this.identities.set(entry, id);
    }
    return id ?? undefined;
  }
}
