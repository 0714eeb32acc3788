/**
 * Encode and decode costs of the wire formats: each Babel TLV alone in a packet (src/wire/babel),
 * a full control packet of signed Updates, and the link frames (src/wire/link).
 */
import { sign } from '../../src/identity/keys.js';
import {
  AE,
  decodePacket,
  encodePacket,
  encodePackets,
  type Hello,
  type Ihu,
  type RouteRequest,
  type SeqnoRequest,
  type Tlv,
  TlvType,
  type Update,
  updateSignedBytes,
} from '../../src/wire/babel/index.js';
import {
  checkData,
  DATA_HEADER_SIZE,
  DATA_OFFSET_HOP_LIMIT,
  decodeData,
  decodeDiscoveryBeacon,
  decodeHandshakeFinish,
  decodeHandshakeInitiation,
  decodeHandshakeResponse,
  decodeTransport,
  decrementDataHopLimit,
  encodeData,
  encodeDiscoveryBeacon,
  encodeHandshakeFinish,
  encodeHandshakeInitiation,
  encodeHandshakeResponse,
  encodeTransport,
  MAX_CONTROL_BODY_SIZE,
  PUBLIC_NETWORK_TAG,
  readDataReceiverIndex,
  TAG_SIZE,
  writeDataHeader,
  writeDataReceiverIndex,
} from '../../src/wire/link/index.js';
import { identity, PACKET_BYTES, seededBytes } from './fixtures.js';
import { type MicroGroup, type MicroTask, must, runTasks } from './harness.js';

const BATCH = 200;
const rand = seededBytes(6);

function signedUpdate(seedByte: number, seqno: number): Update {
  const id = identity(seedByte);
  const prefix = { ae: AE.IPv6, plen: 64, addr: id.subnet };
  return {
    type: TlvType.Update,
    flags: 0,
    interval: 400,
    seqno,
    metric: 256,
    prefix,
    routerId: id.publicKey.slice(0, 8),
    originator: id.publicKey,
    signature: sign(id, updateSignedBytes(prefix, seqno, id.publicKey)),
  };
}

function babelTlvs(): Record<string, Tlv> {
  const hello: Hello = {
    type: TlvType.Hello,
    unicast: false,
    seqno: 1234,
    interval: 400,
    timestamp: { transmit: 0x1234_5678 },
  };
  const ihu: Ihu = {
    type: TlvType.IHU,
    rxcost: 96,
    interval: 1200,
    ae: AE.Wildcard,
    address: new Uint8Array(0),
    timestamp: { origin: 0x1234_5678, receive: 0x2345_6789 },
  };
  const update = signedUpdate(1, 7);
  const routeRequest: RouteRequest = { type: TlvType.RouteRequest, prefix: update.prefix, hopCount: 3 };
  const seqnoRequest: SeqnoRequest = {
    type: TlvType.SeqnoRequest,
    seqno: 8,
    hopCount: 16,
    routerId: update.routerId!,
    prefix: update.prefix,
    originator: update.originator!,
  };
  return {
    Hello: hello,
    IHU: ihu,
    'Update (signed)': update,
    'Route Request': routeRequest,
    'Seqno Request': seqnoRequest,
  };
}

/** The first packet a link MTU allows of Hello + IHU + signed Updates from distinct originators. */
function fullControlPacket(tlvs: Record<string, Tlv>): { tlvs: Tlv[]; bytes: Uint8Array } {
  const all: Tlv[] = [tlvs.Hello!, tlvs.IHU!];
  for (let k = 0; k < 16; k++) all.push(signedUpdate(0x40 + k, k));
  const bytes = encodePackets(all, MAX_CONTROL_BODY_SIZE)[0]!;
  const decoded = must(decodePacket(bytes), 'decode full packet').value;
  return { tlvs: [...decoded.tlvs], bytes };
}

function babelTasks(): MicroTask[] {
  const tlvs = babelTlvs();
  const tasks: MicroTask[] = [];
  for (const [name, tlv] of Object.entries(tlvs)) {
    const bytes = encodePacket([tlv]);
    tasks.push({ name: `babel encode ${name}`, op: () => encodePacket([tlv]), batch: BATCH });
    tasks.push({ name: `babel decode ${name}`, op: () => must(decodePacket(bytes), name), batch: BATCH });
  }
  const full = fullControlPacket(tlvs);
  const label = `babel full packet (${full.bytes.length} B, ${full.tlvs.length} TLVs)`;
  tasks.push({
    name: `${label} encode`,
    op: () => encodePacket(full.tlvs),
    batch: 20,
    bytesPerOp: full.bytes.length,
  });
  tasks.push({
    name: `${label} decode`,
    op: () => must(decodePacket(full.bytes), 'full packet'),
    batch: 20,
    bytesPerOp: full.bytes.length,
  });
  return tasks;
}

function linkTasks(): MicroTask[] {
  const zero16 = new Uint8Array(16);
  const initiation = {
    senderIndex: 0x11111111,
    ephemeral: rand(32),
    encryptedPayload: rand(16),
    mac1: rand(16),
    mac2: zero16,
  };
  const response = { ...initiation, receiverIndex: 0x22222222, encryptedStatic: rand(48) };
  const finish = {
    receiverIndex: 0x22222222,
    encryptedStatic: rand(48),
    encryptedPayload: rand(16),
    mac1: rand(16),
    mac2: zero16,
  };
  const transport = { receiverIndex: 0x33333333, counter: 42, ciphertext: rand(1 + 200 + TAG_SIZE) };
  const beacon = { port: 6697, publicKey: rand(32), networkTag: PUBLIC_NETWORK_TAG };
  const dataHeader = {
    hopLimit: 64,
    receiverIndex: 0x44444444,
    source: identity(1).address,
    destination: identity(2).address,
    keyId: 0x8000_1234,
    counter: 1_000_000,
  };
  const dataFrame = encodeData({ ...dataHeader, ciphertext: rand(PACKET_BYTES + TAG_SIZE) });
  const headerBuf = new Uint8Array(DATA_HEADER_SIZE + PACKET_BYTES + TAG_SIZE);
  const frames = {
    initiation: encodeHandshakeInitiation(initiation),
    response: encodeHandshakeResponse(response),
    finish: encodeHandshakeFinish(finish),
    transport: encodeTransport(transport),
    beacon: encodeDiscoveryBeacon(beacon),
  };
  return [
    {
      name: 'link encode handshake initiation',
      op: () => encodeHandshakeInitiation(initiation),
      batch: BATCH,
    },
    {
      name: 'link decode handshake initiation',
      op: () => must(decodeHandshakeInitiation(frames.initiation), 'init'),
      batch: BATCH,
    },
    { name: 'link encode handshake response', op: () => encodeHandshakeResponse(response), batch: BATCH },
    {
      name: 'link decode handshake response',
      op: () => must(decodeHandshakeResponse(frames.response), 'resp'),
      batch: BATCH,
    },
    { name: 'link encode handshake finish', op: () => encodeHandshakeFinish(finish), batch: BATCH },
    {
      name: 'link decode handshake finish',
      op: () => must(decodeHandshakeFinish(frames.finish), 'finish'),
      batch: BATCH,
    },
    { name: 'link encode Transport (200 B body)', op: () => encodeTransport(transport), batch: BATCH },
    {
      name: 'link decode Transport (200 B body)',
      op: () => must(decodeTransport(frames.transport), 'transport'),
      batch: BATCH,
    },
    {
      name: 'link write Data header (in place)',
      op: () => writeDataHeader(headerBuf, 0, dataHeader),
      batch: BATCH,
    },
    {
      name: 'link decode Data frame (1400 B inner)',
      op: () => must(decodeData(dataFrame), 'data'),
      batch: BATCH,
    },
    {
      // What a relay does per frame before the route lookup (src/dataplane/forwarder.ts fromLink).
      name: 'link relay Data header (check, hop limit, index)',
      op: () => {
        if (checkData(dataFrame) !== undefined) throw new Error('bad data frame');
        dataFrame[DATA_OFFSET_HOP_LIMIT] = 64; // keep the hop limit from running out over millions of calls
        decrementDataHopLimit(dataFrame);
        writeDataReceiverIndex(dataFrame, readDataReceiverIndex(dataFrame) ^ 1);
      },
      batch: BATCH,
    },
    { name: 'link encode discovery beacon', op: () => encodeDiscoveryBeacon(beacon), batch: BATCH },
    {
      name: 'link decode discovery beacon',
      op: () => must(decodeDiscoveryBeacon(frames.beacon), 'beacon'),
      batch: BATCH,
    },
  ];
}

export const codecGroup: MicroGroup = {
  name: 'codec',
  title: 'Babel TLV and link frame encode/decode',
  run: (opts) => runTasks('codec', [...babelTasks(), ...linkTasks()], opts),
};
