// Stored values: the BitsStored bits at HighBit, masked (garbage high bits occur in real files)
// and sign-extended when PixelRepresentation is 1. Everything downstream sees only these.
import type { DecodedFrame } from '../types';

export type StoredArray = DecodedFrame['pixels'];

export interface StoredLayout {
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  kind: 'integer' | 'float' | 'double';
}

export function allocateStored(layout: StoredLayout, length: number): StoredArray {
  const signed = layout.pixelRepresentation === 1;
  if (layout.kind === 'float') return new Float32Array(length);
  if (layout.kind === 'double') return new Float64Array(length);
  if (layout.bitsAllocated <= 8) return signed ? new Int8Array(length) : new Uint8Array(length);
  if (layout.bitsAllocated <= 16) return signed ? new Int16Array(length) : new Uint16Array(length);
  return signed ? new Int32Array(length) : new Uint32Array(length);
}

/**
 * Masks and sign-extends raw sample patterns into a typed array sized for BitsAllocated.
 * `raw` holds unsigned or signed bit patterns; only the low bits matter. It is taken over: a typed
 * array of the container's width is masked in place (callers hand over arrays they own, never views
 * of the file's bytes), which saves a frame-sized copy per decode.
 */
export function toStoredValues(raw: ArrayLike<number>, layout: StoredLayout): StoredArray {
  const n = raw.length;
  if (layout.kind !== 'integer') {
    const out = allocateStored(layout, n);
    for (let i = 0; i < n; i++) out[i] = raw[i]!;
    return out;
  }
  const bits = Math.min(layout.bitsStored, 32);
  const shift = Math.max(0, layout.highBit + 1 - bits);
  const signed = layout.pixelRepresentation === 1;
  const own = isTypedArray(raw) && raw.BYTES_PER_ELEMENT * 8 === layout.bitsAllocated;
  const reuse = (): StoredArray => {
    const b = layout.bitsAllocated;
    const C = b === 8 ? (signed ? Int8Array : Uint8Array) : b === 16 ? (signed ? Int16Array : Uint16Array) : signed ? Int32Array : Uint32Array;
    const typed = raw as Uint8Array;
    return new C(typed.buffer as ArrayBuffer, typed.byteOffset, typed.length);
  };
  // Nothing to mask or extend when every bit of the container is stored.
  if (own && shift === 0 && bits === layout.bitsAllocated) return reuse();
  const out = own ? reuse() : allocateStored(layout, n);
  if (bits >= 32) {
    for (let i = 0; i < n; i++) out[i] = raw[i]!;
    return out;
  }
  const mask = bits === 31 ? 0x7fffffff : (1 << bits) - 1;
  const signBit = 2 ** (bits - 1);
  const range = 2 ** bits;
  if (!signed) {
    if (shift === 0) for (let i = 0; i < n; i++) out[i] = raw[i]! & mask;
    else for (let i = 0; i < n; i++) out[i] = (raw[i]! >>> shift) & mask;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const v = (raw[i]! >>> shift) & mask;
    out[i] = v >= signBit ? v - range : v;
  }
  return out;
}

function isTypedArray(x: ArrayLike<number>): x is Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array {
  return ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof Float32Array) && !(x instanceof Float64Array);
}
