/**
 * Writes decrypted packets to the TUN, merging TCP trains (tcp-coalesce.ts) when the device was
 * opened with a vnet header. Packets queue during one event-loop callback (a receive batch) and
 * go out in a microtask right after it, so nothing waits for a timer.
 */
import type { NativeTun } from './native-tun.js';
import { coalesceTcp } from './tcp-coalesce.js';

export class CoalescingWriter {
  private queue: Uint8Array[] = [];
  private scheduled = false;
  private trains = 0;
  private trainPackets = 0;

  constructor(private readonly tun: NativeTun) {}

  write(packet: Uint8Array): void {
    if (!this.tun.vnetHeader) {
      this.tun.write(packet);
      return;
    }
    this.queue.push(packet);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Writes what is queued now (also called by the microtask). */
  readonly flush = (): void => {
    this.scheduled = false;
    const queued = this.queue;
    if (queued.length === 0) return;
    this.queue = [];
    if (queued.length === 1) {
      this.tun.write(queued[0]!); // nothing to merge (sparse traffic): no per-batch map or objects
      return;
    }
    for (const w of coalesceTcp(queued)) {
      if (w.header === undefined) {
        this.tun.write(w.packet);
        continue;
      }
      this.trains++;
      this.trainPackets += w.segments;
      this.tun.writeSegments(w.header, w.packet);
    }
  };

  /** `trains` merged writes and the `packets` they carried. */
  counters(): Record<string, number> {
    return { trains: this.trains, packets: this.trainPackets };
  }
}
