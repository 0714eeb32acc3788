/**
 * A malicious node's forgeries. The node keeps running its honest engine (so it stays a plausible
 * neighbour) and, every few seconds, sends its neighbours one victim's worth of forged Updates:
 *
 * 1. hijack: the victim's prefix under the attacker's own key, with a signature that really is the
 *    attacker's (over the attacker's own signed-update bytes with the victim's prefix swapped in) —
 *    it verifies, but the key does not own the prefix;
 * 2. impersonation: the victim's key and prefix with a seqno far ahead, signed by the attacker —
 *    a bad signature;
 * 3. seqno bump: a genuine Update of the victim the attacker received earlier, replayed with the
 *    seqno raised and metric 0 — the old signature no longer matches;
 * 4. plain replay of that genuine Update (old seqno, valid signature): allowed, must be harmless.
 *
 * The simulator checks that no route built from 1–3 is ever installed (see `Simulator`).
 */
import { TlvType, type Update } from '../src/wire/babel/types.js';
import type { Keyring } from './keyring.js';
import type { Rng } from './rng.js';

/** Returns a > b in 16-bit serial arithmetic (RFC 8966 §3.2.1). */
export function seqnoNewer(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d !== 0 && d < 0x8000;
}

export class Forger {
  private template: { message: Uint8Array; offset: number; seqno: number } | undefined;
  private readonly signed: { message: Uint8Array; signature: Uint8Array }[] = [];
  private readonly captured = new Map<number, Update>();
  forgedSent = 0;

  constructor(
    readonly node: number,
    private readonly keyring: Keyring,
    private readonly rng: Rng,
  ) {}

  /** Called with every message the attacker's own engine signs (and the signature): keeps the last few. */
  observeSign(message: Uint8Array, signature: Uint8Array): void {
    if (this.template !== undefined) return;
    this.signed.push({ message: Uint8Array.from(message), signature });
    if (this.signed.length > 8) this.signed.shift();
  }

  /**
   * Called with each Update the attacker's engine sends for its own prefix: the message it signed
   * for it becomes the hijack template, with the offset of the /64 inside it, so a hijack can carry
   * a signature that really verifies under the attacker's key (same seqno, victim's prefix).
   */
  observeOwnUpdate(u: Update): void {
    if (this.template !== undefined || u.signature === undefined) return;
    const own = this.keyring.subnet(this.node).addr;
    for (const { message, signature } of this.signed) {
      if (signature.length !== u.signature.length || !signature.every((b, i) => b === u.signature![i]))
        continue;
      outer: for (let off = 0; off + 8 <= message.length; off++) {
        for (let i = 0; i < 8; i++) if (message[off + i] !== own[i]) continue outer;
        this.template = { message, offset: off, seqno: u.seqno };
        return;
      }
    }
  }

  /** Called with every Update the attacker receives: keeps the latest genuine one per originator. */
  observeUpdate(u: Update): void {
    if (u.originator === undefined || u.signature === undefined || u.metric === 0xffff) return;
    const victim = this.keyring.nodeOfPrefix(u.prefix);
    if (victim >= 0 && victim !== this.node) this.captured.set(victim, u);
  }

  /** Builds one round of forged Updates against a random victim (never the attacker itself). */
  forge(maxSeqnoOf: (node: number) => number): Update[] {
    const n = this.keyring.size;
    if (n < 2) return [];
    let victim = this.rng.int(n - 1);
    if (victim >= this.node) victim++;
    // Half the time, go after a victim we have a genuine Update for (enables the replay forms).
    if (this.captured.size > 0 && this.rng.chance(0.5)) {
      const keys = [...this.captured.keys()];
      victim = keys[this.rng.int(keys.length)]!;
    }
    const prefix = this.keyring.subnet(victim);
    const attackerKey = this.keyring.publicKey(this.node);
    const victimKey = this.keyring.publicKey(victim);
    const ahead = (maxSeqnoOf(victim) + 1 + this.rng.int(1000)) & 0xffff;
    const out: Update[] = [];
    const base = { type: TlvType.Update as const, flags: 0, interval: 400, metric: 0, prefix };

    let hijackSig: Uint8Array;
    if (this.template !== undefined) {
      const msg = Uint8Array.from(this.template.message);
      msg.set(prefix.addr.subarray(0, 8), this.template.offset);
      hijackSig = this.keyring.sign(this.node, msg);
    } else {
      hijackSig = this.keyring.sign(this.node, prefix.addr);
    }
    out.push({
      ...base,
      seqno: this.template?.seqno ?? ahead,
      routerId: attackerKey.subarray(0, 8),
      originator: attackerKey,
      signature: hijackSig,
    });
    out.push({
      ...base,
      seqno: ahead,
      routerId: victimKey.subarray(0, 8),
      originator: victimKey,
      signature: this.keyring.sign(this.node, Uint8Array.from([...prefix.addr, ahead >> 8, ahead & 0xff])),
    });
    const genuine = this.captured.get(victim);
    if (genuine !== undefined) {
      out.push({ ...genuine, seqno: (maxSeqnoOf(victim) + 1) & 0xffff, metric: 0 });
      out.push(genuine);
    }
    this.forgedSent += out.length;
    return out;
  }
}
