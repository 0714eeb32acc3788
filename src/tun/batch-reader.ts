/**
 * Walks a TUN read batch packet by packet; on a device with offloads it first finishes what the
 * kernel left undone (offload.ts): TSO super-packets are cut into segments, partial checksums
 * completed. Counts what it did: plain, checksummed, segmented, malformed (dropped).
 */
import { Counters } from '../util/counters.js';
import { type PacketBatch, packetAt, vnetHeaderAt } from './device.js';
import type { NativeTun } from './native-tun.js';
import { finishOffloads } from './offload.js';

export class TunBatchReader {
  private readonly counts = new Counters();

  /** `maxPacket`: TCP leaves in packets of at most this many bytes (see finishOffloads). */
  constructor(
    private readonly tun: NativeTun,
    private readonly maxPacket = Number.POSITIVE_INFINITY,
  ) {}

  forEach(batch: PacketBatch, each: (packet: Uint8Array) => void): void {
    if (!this.tun.offload) {
      for (let i = 0; i < batch.count; i++) each(packetAt(batch, i));
      return;
    }
    for (let i = 0; i < batch.count; i++)
      this.counts.add(
        finishOffloads(vnetHeaderAt(batch, i), packetAt(batch, i), each, this.tun.checksum, this.maxPacket),
      );
  }

  counters(): Record<string, number> {
    return this.counts.snapshot();
  }
}
