/**
 * Interop with a decoder nobody here wrote: Wireshark's Babel dissector. The codec's packets go
 * into a hand-built pcap (IPv6/UDP port 6696, correct checksums, fd00:198:18::/48 addresses),
 * tshark dissects it to PDML, and every field it shows must equal what was encoded, with no
 * malformed packet, no expert item and every UDP checksum verified good.
 *
 * Skipped only when tshark is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIPv6 } from '../../src/identity/address.js';
import {
  AE,
  BABEL_PORT,
  encodePackets,
  type Prefix,
  type Tlv,
  TlvType,
  type Update,
} from '../../src/wire/babel/index.js';
import { ipv6Udp, pcapFile } from '../support/pcap.js';
import { hex, masked, unhex } from './babel-helpers.js';

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
const haveTshark = tshark.status === 0;
if (!haveTshark)
  console.warn('babel-tshark: tshark is not installed, so the Wireshark interop test is skipped');

// ---- PDML: just enough XML to walk tshark's field tree ----------------------------------------

interface PdmlNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: PdmlNode[];
}

function unescapeXml(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Parses PDML into its <packet> nodes; fields and protos become nodes keyed by their name attribute. */
function parsePdml(xml: string): PdmlNode[] {
  const root: PdmlNode = { name: 'root', attrs: {}, children: [] };
  const stack = [root];
  for (const m of xml.matchAll(/<(\/?)(packet|proto|field)\b([^>]*?)(\/?)>/g)) {
    const [, closing, tag, rawAttrs, selfClosing] = m;
    if (closing) {
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs!.matchAll(/(\w+)="([^"]*)"/g)) attrs[a[1]!] = unescapeXml(a[2]!);
    const node: PdmlNode = { name: tag === 'packet' ? 'packet' : (attrs.name ?? ''), attrs, children: [] };
    stack[stack.length - 1]!.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  return root.children.filter((n) => n.name === 'packet');
}

function walk(n: PdmlNode, visit: (n: PdmlNode) => void): void {
  visit(n);
  for (const c of n.children) walk(c, visit);
}

function all(n: PdmlNode, name: string): PdmlNode[] {
  const out: PdmlNode[] = [];
  walk(n, (c) => {
    if (c !== n && c.name === name) out.push(c);
  });
  return out;
}

/** The one field of this name under `n`; its raw value as a number. */
function num(n: PdmlNode, name: string): number {
  const f = all(n, name);
  expect(f, `${name} in ${n.attrs.showname}`).toHaveLength(1);
  return Number.parseInt(f[0]!.attrs.value!, 16);
}

/** Texts of the unnamed label nodes under `n` ("Prefix: …", "Timestamp : …"). */
function labels(n: PdmlNode): string[] {
  const out: string[] = [];
  walk(n, (c) => {
    if (c.name === '' && c.attrs.show !== undefined) out.push(c.attrs.show);
  });
  return out;
}

function label(n: PdmlNode, head: string): string {
  const found = labels(n).filter((l) => l.startsWith(head));
  expect(found, `"${head}" in ${n.attrs.showname}`).toHaveLength(1);
  return found[0]!.slice(head.length).trim();
}

// ---- what Wireshark should show for each TLV ----------------------------------------------------

/** Wireshark prints IPv4 as dotted quad and IPv6 in RFC 5952 form; compare as bytes. */
function addressBytes(text: string): Uint8Array {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(text)) return Uint8Array.from(text.split('.').map(Number));
  const v6 = parseIPv6(text);
  expect(v6, `address ${text}`).toBeDefined();
  return v6!;
}

function expectPrefix(text: string, p: Prefix): void {
  const slash = text.lastIndexOf('/');
  expect(Number(text.slice(slash + 1))).toBe(p.plen);
  // The dissector shows the wildcard AE as the all-zero address.
  const want = p.ae === AE.Wildcard ? new Uint8Array(16) : p.addr;
  expect(hex(addressBytes(text.slice(0, slash)))).toBe(hex(want));
}

/** Wireshark's "%u.%06us" rendering of a microsecond timestamp. */
function seconds(us: number): string {
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}s`;
}

function subTlvTypes(m: PdmlNode): number[] {
  return all(m, 'babel.subtlv.type').map((f) => Number.parseInt(f.attrs.value!, 16));
}

function expectMessage(m: PdmlNode, t: Tlv, flagsOnWire: number | undefined): void {
  expect(num(m, 'babel.message.type')).toBe(t.type);
  switch (t.type) {
    case TlvType.PadN:
      expect(num(m, 'babel.message.length')).toBe(t.length);
      break;
    case TlvType.AckRequest:
      expect(num(m, 'babel.message.nonce')).toBe(t.opaque);
      expect(num(m, 'babel.message.interval')).toBe(t.interval);
      break;
    case TlvType.Ack:
      expect(num(m, 'babel.message.nonce')).toBe(t.opaque);
      break;
    case TlvType.Hello:
      // Not checked: Wireshark 4.x reads the U flag from packet byte 2, not from the Hello.
      expect(num(m, 'babel.message.seqno')).toBe(t.seqno);
      expect(num(m, 'babel.message.interval')).toBe(t.interval);
      if (t.timestamp) expect(label(m, 'Timestamp :')).toBe(seconds(t.timestamp.transmit));
      expect(subTlvTypes(m)).toEqual(t.timestamp ? [3] : []);
      break;
    case TlvType.IHU:
      expect(num(m, 'babel.message.rxcost')).toBe(t.rxcost);
      expect(num(m, 'babel.message.interval')).toBe(t.interval);
      expect(num(m, 'babel.message.ae')).toBe(t.ae);
      expect(hex(addressBytes(label(m, 'Address:')))).toBe(
        hex(t.ae === AE.Wildcard ? new Uint8Array(16) : t.address),
      );
      if (t.timestamp) {
        expect(label(m, 'Timestamp origin :')).toBe(seconds(t.timestamp.origin));
        expect(label(m, 'Timestamp receive:')).toBe(seconds(t.timestamp.receive));
      }
      break;
    case TlvType.RouterId:
      expect(all(m, 'babel.message.routerid')[0]!.attrs.value).toBe(hex(t.routerId));
      break;
    case TlvType.NextHop:
      expect(num(m, 'babel.message.ae')).toBe(t.ae);
      expect(hex(addressBytes(label(m, 'NH:')))).toBe(hex(t.address));
      break;
    case TlvType.Update: {
      expect(num(m, 'babel.message.flags')).toBe(flagsOnWire);
      expect(num(m, 'babel.message.interval')).toBe(t.interval);
      expect(num(m, 'babel.message.seqno')).toBe(t.seqno);
      expect(num(m, 'babel.message.metric')).toBe(t.metric);
      expect(num(m, 'babel.message.ae')).toBe(t.prefix.ae);
      expect(num(m, 'babel.message.plen')).toBe(t.prefix.plen);
      expectPrefix(label(m, 'Prefix:'), t.prefix);
      const subs = [...(t.originator ? [240] : []), ...(t.signature ? [241] : [])];
      expect(subTlvTypes(m)).toEqual(subs);
      // hypha's key and signature ride in sub-TLVs the dissector marks mandatory (RFC 8966 §4.4).
      expect(labels(m).filter((l) => l === 'Mandatory')).toHaveLength(subs.length);
      break;
    }
    case TlvType.RouteRequest:
      expect(num(m, 'babel.message.ae')).toBe(t.prefix.ae);
      expect(num(m, 'babel.message.plen')).toBe(t.prefix.plen);
      expectPrefix(label(m, 'Prefix:'), t.prefix);
      break;
    case TlvType.SeqnoRequest:
      expect(num(m, 'babel.message.seqno')).toBe(t.seqno);
      expect(num(m, 'babel.message.hopcount')).toBe(t.hopCount);
      expect(all(m, 'babel.message.routerid')[0]!.attrs.value).toBe(hex(t.routerId));
      expect(num(m, 'babel.message.ae')).toBe(t.prefix.ae);
      expect(num(m, 'babel.message.plen')).toBe(t.prefix.plen);
      expectPrefix(label(m, 'Prefix:'), t.prefix);
      break;
  }
}

// ---- the traffic ----------------------------------------------------------------------------------

const SRC = parseIPv6('fd00:198:18::1')!;
const DST = parseIPv6('fd00:198:18::2')!;
const RID = unhex('0102030405060708');
const RID2 = unhex('a1a2a3a4a5a6a7a8');

/** An IPv6 prefix inside fd00:198:18::/48. */
function labPrefix(plen: number, tail: number[]): Prefix {
  const addr = new Uint8Array(16);
  addr.set([0xfd, 0x00, 0x01, 0x98, 0x00, 0x18]);
  addr.set(tail, 6);
  return { ae: AE.IPv6, plen, addr: masked(addr, plen) };
}

function signed(i: number, plen = 64, metric = 96 + i): Update {
  return {
    type: TlvType.Update,
    flags: 0,
    interval: 1600,
    seqno: (0xfff0 + i) & 0xffff,
    metric,
    prefix: labPrefix(plen, [i >> 8, i & 0xff, 0xab, 0xcd]),
    ...(metric !== 0xffff && {
      originator: new Uint8Array(32).fill(i),
      signature: new Uint8Array(64).fill(0x5a),
    }),
  };
}

/** Random Updates inside fd00:198:18::/48 with random seqnos, metrics, intervals and plens (seeded). */
const randomUpdates = fc.sample(
  fc
    .record({
      plen: fc.integer({ min: 48, max: 128 }),
      tail: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 10, maxLength: 10 }),
      seqno: fc.integer({ min: 0, max: 0xffff }),
      metric: fc.integer({ min: 0, max: 0xffff }),
      interval: fc.integer({ min: 0, max: 0xffff }),
      signedUpdate: fc.boolean(),
    })
    .map(
      (r): Update => ({
        type: TlvType.Update,
        flags: 0,
        interval: r.interval,
        seqno: r.seqno,
        metric: r.metric,
        prefix: labPrefix(r.plen, r.tail),
        routerId: r.seqno % 3 === 0 ? RID2 : RID,
        ...(r.signedUpdate && {
          originator: new Uint8Array(32).fill(7),
          signature: new Uint8Array(64).fill(9),
        }),
      }),
    ),
  { seed: 6696, numRuns: 40 },
);

const scenarios: { name: string; tlvs: Tlv[]; mtu: number; compress: boolean }[] = [
  {
    name: 'neighbour discovery',
    mtu: 1232,
    compress: false,
    tlvs: [
      { type: TlvType.PadN, length: 2 },
      {
        type: TlvType.Hello,
        unicast: false,
        seqno: 0xbeef,
        interval: 400,
        timestamp: { transmit: 2222954827 },
      },
      { type: TlvType.Hello, unicast: true, seqno: 1, interval: 0 },
      {
        type: TlvType.IHU,
        rxcost: 96,
        interval: 1200,
        ae: AE.IPv6,
        address: DST,
        timestamp: { origin: 91378052, receive: 4294967295 },
      },
      { type: TlvType.IHU, rxcost: 0xffff, interval: 1200, ae: AE.Wildcard, address: new Uint8Array(0) },
      { type: TlvType.AckRequest, opaque: 0x1234, interval: 200 },
      { type: TlvType.Ack, opaque: 0x4321 },
    ],
  },
  {
    name: 'signed updates split at the MTU, compressed',
    mtu: 1232,
    compress: true,
    tlvs: [{ type: TlvType.RouterId, routerId: RID }, ...Array.from({ length: 23 }, (_, i) => signed(i))],
  },
  {
    name: 'updates of every length, a retraction, a wildcard retraction, uncompressed',
    mtu: 600,
    compress: false,
    tlvs: [
      { type: TlvType.RouterId, routerId: RID },
      signed(1, 48),
      signed(2, 56),
      signed(3, 60),
      signed(4, 128),
      signed(5, 64, 0xffff),
      {
        type: TlvType.Update,
        flags: 0,
        interval: 0,
        seqno: 9,
        metric: 0xffff,
        prefix: { ae: AE.Wildcard, plen: 0, addr: new Uint8Array(0) },
      },
      {
        type: TlvType.Update,
        flags: 0,
        interval: 1600,
        seqno: 3,
        metric: 512,
        prefix: { ae: AE.IPv4, plen: 24, addr: Uint8Array.of(198, 18, 7, 0) },
      },
    ],
  },
  {
    name: 'requests and next hop',
    mtu: 1232,
    compress: false,
    tlvs: [
      { type: TlvType.RouteRequest, prefix: { ae: AE.Wildcard, plen: 0, addr: new Uint8Array(0) } },
      { type: TlvType.RouteRequest, prefix: labPrefix(64, [0, 7]), hopCount: 4 },
      {
        type: TlvType.SeqnoRequest,
        seqno: 0x8001,
        hopCount: 127,
        routerId: RID,
        prefix: labPrefix(64, [0, 7]),
      },
      {
        type: TlvType.SeqnoRequest,
        seqno: 2,
        hopCount: 1,
        routerId: RID,
        prefix: labPrefix(128, [0, 7, 0, 0, 0, 0, 0, 0, 0, 1]),
        originator: new Uint8Array(32).fill(3),
      },
      { type: TlvType.NextHop, ae: AE.IPv6, address: SRC },
    ],
  },
  { name: 'random updates, compressed', mtu: 1232, compress: true, tlvs: randomUpdates },
  { name: 'random updates, uncompressed', mtu: 900, compress: false, tlvs: randomUpdates },
];

/** The router id each input Update should be announced under: its own, else the one in force. */
function routerIdsInForce(tlvs: readonly Tlv[]): (Uint8Array | undefined)[] {
  let current: Uint8Array | undefined;
  const out: (Uint8Array | undefined)[] = [];
  for (const t of tlvs) {
    if (t.type === TlvType.RouterId) current = t.routerId;
    else if (t.type === TlvType.Update && t.prefix.ae !== AE.Wildcard) current = t.routerId ?? current;
    if (t.type !== TlvType.RouterId) out.push(t.type === TlvType.Update ? current : undefined);
  }
  return out;
}

describe.skipIf(!haveTshark)('Wireshark (tshark) decodes the codec’s packets as encoded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hypha-babel-tshark-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const s of scenarios) {
    it(s.name, () => {
      const packets = encodePackets(s.tlvs, s.mtu, { compress: s.compress });
      const file = join(dir, `${s.name.replace(/\W+/g, '-')}.pcap`);
      writeFileSync(file, pcapFile(packets.map((p) => ipv6Udp(SRC, DST, BABEL_PORT, p))));
      const xml = execFileSync('tshark', ['-n', '-r', file, '-o', 'udp.check_checksum:TRUE', '-T', 'pdml'], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const frames = parsePdml(xml);
      expect(frames).toHaveLength(packets.length);

      // Wireshark's messages in order, each with the router id its frame had in force at that point.
      const shown: { node: PdmlNode; routerId: string | undefined }[] = [];
      frames.forEach((frame, i) => {
        const problems: string[] = [];
        walk(frame, (n) => {
          if (n.name.startsWith('_ws.malformed') || n.name.startsWith('_ws.expert')) {
            problems.push(n.attrs.showname ?? n.name);
          }
        });
        expect(problems, `frame ${i + 1}`).toEqual([]);
        expect(all(frame, 'udp.checksum.status')[0]?.attrs.show, 'UDP checksum status').toBe('1');
        const babel = frame.children.find((c) => c.name === 'babel');
        expect(babel, `frame ${i + 1} dissected as Babel`).toBeDefined();
        expect(num(babel!, 'babel.magic')).toBe(42);
        expect(num(babel!, 'babel.version')).toBe(2);
        expect(num(babel!, 'babel.bodylen')).toBe(packets[i]!.length - 4);
        let routerId: string | undefined;
        for (const m of babel!.children.filter((c) => c.name === 'babel.message')) {
          if (num(m, 'babel.message.type') === TlvType.RouterId) {
            routerId = all(m, 'babel.message.routerid')[0]!.attrs.value;
          } else {
            shown.push({ node: m, routerId });
          }
        }
      });

      const sent = s.tlvs.filter((t) => t.type !== TlvType.RouterId);
      const ids = routerIdsInForce(s.tlvs);
      expect(shown).toHaveLength(sent.length);
      sent.forEach((t, j) => {
        const compressed =
          s.compress && t.type === TlvType.Update && (t.prefix.ae === AE.IPv4 || t.prefix.ae === AE.IPv6);
        const flags = t.type === TlvType.Update ? (compressed ? t.flags | 0x80 : t.flags) : undefined;
        expectMessage(shown[j]!.node, t, flags);
        if (t.type === TlvType.Update && t.prefix.ae !== AE.Wildcard) {
          expect(shown[j]!.routerId, `router id of update ${j}`).toBe(hex(ids[j]!));
        }
      });
    });
  }
});
