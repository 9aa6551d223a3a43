// JPEG lossless, processes 14 and 14 SV1 (ITU T.81 Annex H), Huffman coded: predictors 1-7,
// point transform, restart intervals, interleaved or one-component scans. Arithmetic follows IJG's
// lossless decoder (modulo 2^16 reconstruction), so results match dcmtk's dcmdjpeg exactly.
import { AppError } from '../../errors';
import type { CodecOutput, ExpectedFrame } from '../codecs/codecTypes';
import { checkAgainstDicom } from './codestreamHeader';
import { extend, JpegBitReader, nextMarker, nextSegment, readHuffmanTables, type HuffmanTable } from './jpegHuffman';

function fail(msg: string): never {
  throw new AppError('DICOM_DECODE', `JPEG lossless: ${msg}`);
}

interface Frame {
  precision: number;
  width: number;
  height: number;
  ids: number[];
}

export function decodeJpegLossless(data: Uint8Array, expected: ExpectedFrame): CodecOutput {
  const u16 = (at: number): number => {
    if (at + 2 > data.length) fail('truncated');
    return (data[at]! << 8) | data[at + 1]!;
  };
  if (u16(0) !== 0xffd8) fail('no SOI marker');
  const tables: HuffmanTable[] = [];
  let restartInterval = 0;
  let frame: Frame | undefined;
  let out: Uint16Array | undefined;
  let at = 2;
  for (let segment = nextSegment(data, at); segment; segment = nextSegment(data, at)) {
    const { marker, length: len, start: seg, end } = segment;
    if (marker === 0xffc4) {
      // Lossless scans use only DC-class tables; AC-class ones would never be referenced.
      readHuffmanTables(data, segment, (tc, th, table) => { if (tc === 0) tables[th] = table; });
    } else if (marker === 0xffdd) {
      restartInterval = u16(seg);
    } else if (marker === 0xffc3) {
      if (frame) fail('more than one frame header');
      const precision = data[seg]!;
      const height = u16(seg + 1);
      const width = u16(seg + 3);
      const nc = data[seg + 5]!;
      if (precision < 2 || precision > 16) fail(`precision ${precision}`);
      if (nc < 1 || nc > 4 || len < 8 + 3 * nc) fail('bad frame header');
      checkAgainstDicom({ width, height, componentCount: nc, bitsPerSample: precision }, expected);
      const ids: number[] = [];
      for (let c = 0; c < nc; c++) {
        const hv = data[seg + 7 + 3 * c]!;
        if (hv !== 0x11) fail('subsampled lossless JPEG is not supported');
        ids.push(data[seg + 6 + 3 * c]!);
      }
      frame = { precision, width, height, ids };
      out = new Uint16Array(width * height * nc);
    } else if (marker >= 0xffc0 && marker <= 0xffcf && marker !== 0xffc4 && marker !== 0xffc8 && marker !== 0xffcc) {
      fail(`not a lossless Huffman frame (SOF${marker - 0xffc0})`);
    } else if (marker === 0xffda) {
      if (!frame || !out) fail('scan before frame header');
      const ns = data[seg]!;
      if (ns < 1 || ns > frame.ids.length || len < 6 + 2 * ns) fail('bad scan header');
      const comps: number[] = [];
      const tabs: HuffmanTable[] = [];
      for (let k = 0; k < ns; k++) {
        const idx = frame.ids.indexOf(data[seg + 1 + 2 * k]!);
        if (idx < 0) fail('scan names an unknown component');
        const t = tables[data[seg + 2 + 2 * k]! >> 4];
        if (!t) fail('scan uses a missing Huffman table');
        comps.push(idx);
        tabs.push(t);
      }
      const predictor = data[seg + 1 + 2 * ns]!;
      const pt = data[seg + 3 + 2 * ns]! & 15;
      if (predictor < 1 || predictor > 7) fail(`predictor ${predictor}`);
      at = decodeScan(data, end, frame, out, comps, tabs, predictor, pt, restartInterval);
      continue;
    }
    at = end;
  }
  if (!frame || !out) fail('no frame header');
  const samples = frame.precision <= 8 ? new Uint8Array(out) : out;
  return { info: { width: frame.width, height: frame.height, componentCount: frame.ids.length, bitsPerSample: frame.precision }, samples };
}

function decodeScan(
  data: Uint8Array, start: number, frame: Frame, out: Uint16Array, comps: number[], tabs: HuffmanTable[],
  predictor: number, pt: number, restartInterval: number,
): number {
  const { width, height } = frame;
  const nc = frame.ids.length;
  const ns = comps.length;
  const initial = 1 << (frame.precision - pt - 1);
  if (ns === 1 && nc === 1 && restartInterval === 0) {
    return nextMarker(data, decodeSingle(data, start, width, height, out, tabs[0]!, predictor, pt, initial));
  }
  const reader = new JpegBitReader(data, start);
  // Reconstruct in the point-transformed domain, then scale once at the end of the scan.
  const rows = new Int32Array(ns * width * 2);
  let mcusLeft = restartInterval || Number.POSITIVE_INFINITY;
  let firstRowOfInterval = true;
  for (let y = 0; y < height; y++) {
    const cur = (y & 1) * width;
    const prev = ((y + 1) & 1) * width;
    for (let x = 0; x < width; x++) {
      if (mcusLeft === 0) {
        reader.restart();
        mcusLeft = restartInterval;
        firstRowOfInterval = true;
      }
      for (let k = 0; k < ns; k++) {
        const base = k * width * 2;
        const s = reader.decode(tabs[k]!);
        let diff: number;
        if (s === 16) diff = 32768;
        else if (s > 16) fail('bad difference category');
        else diff = extend(reader.receive(s), s);
        let px: number;
        if (firstRowOfInterval && x === 0 && (y === 0 || restartInterval > 0)) px = initial;
        else if (firstRowOfInterval) px = rows[base + cur + x - 1]!;
        else if (x === 0) px = rows[base + prev]!;
        else {
          const ra = rows[base + cur + x - 1]!;
          const rb = rows[base + prev + x]!;
          const rc = rows[base + prev + x - 1]!;
          switch (predictor) {
            case 1: px = ra; break;
            case 2: px = rb; break;
            case 3: px = rc; break;
            case 4: px = ra + rb - rc; break;
            case 5: px = ra + ((rb - rc) >> 1); break;
            case 6: px = rb + ((ra - rc) >> 1); break;
            default: px = (ra + rb) >> 1; break;
          }
        }
        const v = (px + diff) & 0xffff;
        rows[base + cur + x] = v;
        out[(y * width + x) * nc + comps[k]!] = (v << pt) & 0xffff;
      }
      mcusLeft--;
    }
    firstRowOfInterval = false;
  }
  return nextMarker(data, reader.position);
}

const FAST = 12;

/**
 * Code and difference bits in one lookup, indexed by the next FAST bits: (diff << 16) | (s << 8) | length,
 * where length covers the code and its s extra bits. Bit 5 marks an entry whose extra bits do not fit
 * (length is then the code's alone); 0 marks codes longer than FAST.
 */
function buildDiffLookup(table: HuffmanTable): Int32Array {
  const { maxcode, valptr, mincode, values } = table;
  const lut = new Int32Array(1 << FAST);
  for (let i = 0; i < 1 << FAST; i++) {
    for (let l = 1; l <= FAST; l++) {
      const code = i >> (FAST - l);
      if (code > maxcode[l]!) continue;
      const idx = valptr[l]! + code - mincode[l]!;
      if (idx < 0 || idx >= values.length) break;
      const s = values[idx]!;
      if (s === 0) lut[i] = l;
      else if (s < 16 && l + s <= FAST) {
        const v = (i >> (FAST - l - s)) & ((1 << s) - 1);
        const diff = v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
        lut[i] = (diff << 16) | (s << 8) | (l + s);
      } else lut[i] = (s << 8) | 32 | l;
      break;
    }
  }
  return lut;
}

/**
 * The common case (one component, no restarts). The bit reader is inlined into the sample loop (same
 * semantics as JpegBitReader: stuffed zeros removed, zeros supplied after a marker), because a method
 * call per Huffman code and per difference dominated 16-bit images. The refill loop appears twice on purpose:
 * as a shared closure over these locals it would cost what inlining saved. Most samples take one lookup
 * in the combined code-and-difference table. Returns the position after the scan.
 */
function decodeSingle(data: Uint8Array, start: number, width: number, height: number, out: Uint16Array, table: HuffmanTable, predictor: number, pt: number, initial: number): number {
  const { maxcode, valptr, mincode, values } = table;
  const lut = buildDiffLookup(table);
  const n = data.length;
  let pos = start;
  let acc = 0;
  let bits = 0;
  let marker = false;
  // Samples are reconstructed in place (in the point-transformed domain): the row above is out[i - width].
  let ra = initial;
  let i = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      // Prediction (H.1.2.1): first sample of the image from the initial value, rest of row 0 from Ra,
      // first column from Rb, elsewhere the scan's predictor.
      let px: number;
      if (y === 0) px = x === 0 ? initial : ra;
      else if (x === 0) px = out[i - width]!;
      else if (predictor === 1) px = ra;
      else {
        const rb = out[i - width]!;
        const rc = out[i - width - 1]!;
        switch (predictor) {
          case 2: px = rb; break;
          case 3: px = rc; break;
          case 4: px = ra + rb - rc; break;
          case 5: px = ra + ((rb - rc) >> 1); break;
          case 6: px = rb + ((ra - rc) >> 1); break;
          default: px = (ra + rb) >> 1; break;
        }
      }
      if (bits < 16) {
        while (bits <= 24) {
          let byte = 0;
          if (!marker && pos < n) {
            byte = data[pos]!;
            if (byte === 0xff) {
              if ((pos + 1 < n ? data[pos + 1]! : 0xd9) === 0) pos += 2;
              else {
                marker = true;
                byte = 0;
              }
            } else pos++;
          }
          acc = ((acc << 8) | byte) >>> 0;
          bits += 8;
        }
      }
      const e = lut[(acc >>> (bits - FAST)) & ((1 << FAST) - 1)]!;
      let diff: number;
      if ((e & 32) === 0 && e !== 0) {
        // The common case: code and extra bits in one step.
        bits -= e & 31;
        diff = e >> 16;
      } else {
        let sCat: number;
        if (e !== 0) {
          bits -= e & 31;
          sCat = (e >> 8) & 0xff;
        } else {
          sCat = -1;
          for (let l = FAST + 1; l <= 16; l++) {
            const code = (acc >>> (bits - l)) & ((1 << l) - 1);
            if (code <= maxcode[l]!) {
              bits -= l;
              const idx = valptr[l]! + code - mincode[l]!;
              if (idx >= 0 && idx < values.length) sCat = values[idx]!;
              break;
            }
          }
          if (sCat < 0) fail('bad Huffman code');
        }
        if (sCat === 0) diff = 0;
        else if (sCat === 16) diff = 32768;
        else if (sCat > 16) fail('bad difference category');
        else {
          if (bits < sCat) {
            while (bits <= 24) {
              let byte = 0;
              if (!marker && pos < n) {
                byte = data[pos]!;
                if (byte === 0xff) {
                  if ((pos + 1 < n ? data[pos + 1]! : 0xd9) === 0) pos += 2;
                  else {
                    marker = true;
                    byte = 0;
                  }
                } else pos++;
              }
              acc = ((acc << 8) | byte) >>> 0;
              bits += 8;
            }
          }
          bits -= sCat;
          const v = (acc >>> bits) & ((1 << sCat) - 1);
          diff = v < 1 << (sCat - 1) ? v - (1 << sCat) + 1 : v;
        }
      }
      ra = (px + diff) & 0xffff;
      out[i] = ra;
    }
  }
  if (pt > 0) for (let k = 0; k < out.length; k++) out[k] = (out[k]! << pt) & 0xffff;
  return pos;
}
