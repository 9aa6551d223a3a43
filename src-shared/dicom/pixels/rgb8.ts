// A colour frame (already interleaved RGB: YBR and palette converted by decodeFrame) as 8 bits per
// sample, the wire format 'rgb8'. Deeper samples keep their top 8 bits (floor(v / 2^(bits - 8))), the
// scaling dcmtk and our PNG renderer use; 'bits' is the frame's significant bits (BitsStored, or the
// palette LUTs' depth).
import { AppError } from '../../errors';
import type { DecodedFrame } from '../types';

export function toRgb8(frame: DecodedFrame): Uint8Array {
  const px = frame.pixels;
  const n = frame.rows * frame.columns * 3;
  if (frame.samplesPerPixel !== 3 || px.length !== n) throw new AppError('DICOM_PIXEL_MISMATCH', 'not an interleaved RGB frame of its size');
  const bits = frame.bitsPerSample ?? (px instanceof Uint8Array || px instanceof Int8Array ? 8 : 16);
  if (px instanceof Uint8Array && bits <= 8) return px;
  const div = 2 ** Math.max(0, bits - 8);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.floor(px[i]! / div);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
