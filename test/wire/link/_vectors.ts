import { readFileSync } from 'node:fs';
import { fromHex } from '../../../src/util/bytes.js';

export interface FrameVector {
  name: string;
  type: number;
  fields: Record<string, string | number>;
  size: number;
  layout: { field: string; offset: number; size: number }[];
  hex: string;
}
export interface InvalidVector {
  name: string;
  hex: string;
  code: string;
  offset: number;
}
export const vectors = JSON.parse(
  readFileSync(new URL('../../vectors/link-frames.json', import.meta.url), 'utf8'),
) as {
  frames: FrameVector[];
  invalid: InvalidVector[];
};

/** Parses hex that the vector file guarantees is valid. */
export function hex(text: string): Uint8Array {
  const b = fromHex(text);
  if (!b) throw new Error(`bad hex in vector: ${text}`);
  return b;
}

/** The vector's fields with hex strings turned into bytes (numbers stay numbers). */
export function fieldsOf(v: FrameVector): Record<string, Uint8Array | number> {
  const out: Record<string, Uint8Array | number> = {};
  for (const [k, val] of Object.entries(v.fields)) out[k] = typeof val === 'string' ? hex(val) : val;
  return out;
}
