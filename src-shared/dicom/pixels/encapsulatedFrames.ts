// Maps the fragments of encapsulated pixel data to frames, validating the basic and extended
// offset tables against the fragments that really exist (hostile offsets are the classic way
// to make a viewer read or write out of bounds).
import type { DataSet, Element } from 'dicom-parser';
import { AppError } from '../../errors';
import { elementBytes } from './elementValues';

export interface FragmentRef {
  /** Byte offset of the fragment's item tag, relative to the first fragment's item tag (the BOT's origin). */
  offset: number;
  /** Absolute position of the fragment's value in dataSet.byteArray. */
  position: number;
  length: number;
}

/** Reads the fragment list, checking each one lies inside the bytes that exist. */
export function fragmentsOf(dataSet: DataSet, element: Element): FragmentRef[] {
  const frags = element.fragments;
  if (!element.encapsulatedPixelData || !frags) throw new AppError('DICOM_PARSE', 'pixel data is not encapsulated');
  const total = dataSet.byteArray.length;
  const out: FragmentRef[] = [];
  for (const f of frags) {
    if (!Number.isInteger(f.position) || !Number.isInteger(f.length) || f.position < 0 || f.length < 0 || f.position + f.length > total) {
      throw new AppError('DICOM_PARSE', 'a pixel data fragment lies outside the file');
    }
    out.push({ offset: f.offset, position: f.position, length: f.length });
  }
  return out;
}

function concat(dataSet: DataSet, frags: FragmentRef[]): Uint8Array {
  if (frags.length === 1) return dataSet.byteArray.subarray(frags[0]!.position, frags[0]!.position + frags[0]!.length);
  let n = 0;
  for (const f of frags) n += f.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const f of frags) {
    out.set(dataSet.byteArray.subarray(f.position, f.position + f.length), at);
    at += f.length;
  }
  return out;
}

function readUint64Table(dataSet: DataSet, tag: string): number[] | undefined {
  const el = dataSet.elements[tag];
  if (!el || el.length === 0) return undefined;
  const b = elementBytes(dataSet, el);
  if (b.length % 8 !== 0) throw new AppError('DICOM_PARSE', 'extended offset table length is not a multiple of 8');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 8) {
    const lo = dv.getUint32(i, true);
    const hi = dv.getUint32(i + 4, true);
    if (hi > 0x1fffff) throw new AppError('DICOM_PARSE', 'extended offset table value too large');
    out.push(hi * 0x100000000 + lo);
  }
  return out;
}

/** A frame starts here if the fragment begins with a codestream start marker (JPEG SOI, J2K SOC). */
function startsCodestream(bytes: Uint8Array, f: FragmentRef): boolean {
  if (f.length < 2) return false;
  const a = bytes[f.position];
  const b = bytes[f.position + 1];
  return a === 0xff && (b === 0xd8 || b === 0x4f);
}

/**
 * The encoded bytes of one frame. `codestreamMarkers` says whether fragments can be grouped by
 * their start markers when no offset table tells (true for JPEG-family and J2K, false for RLE).
 */
export function encapsulatedFrame(
  dataSet: DataSet,
  element: Element,
  frameIndex: number,
  numberOfFrames: number,
  codestreamMarkers: boolean,
): Uint8Array {
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= numberOfFrames) {
    throw new AppError('DICOM_PARSE', `frame ${frameIndex} does not exist (the image has ${numberOfFrames})`);
  }
  const frags = fragmentsOf(dataSet, element);
  if (frags.length === 0) throw new AppError('DICOM_PARSE', 'encapsulated pixel data has no fragments');
  if (numberOfFrames === 1) return concat(dataSet, frags);

  const eot = readUint64Table(dataSet, 'x7fe00001');
  if (eot) {
    const lengths = readUint64Table(dataSet, 'x7fe00002');
    if (eot.length !== numberOfFrames || (lengths && lengths.length !== numberOfFrames)) {
      throw new AppError('DICOM_PARSE', 'extended offset table does not have one entry per frame');
    }
    const start = frags.findIndex((f) => f.offset === eot[frameIndex]);
    if (start < 0) throw new AppError('DICOM_PARSE', 'extended offset table points between fragments');
    const f = frags[start]!;
    const want = lengths ? lengths[frameIndex]! : f.length;
    if (want > f.length) throw new AppError('DICOM_PARSE', 'extended offset table length exceeds its fragment');
    return dataSet.byteArray.subarray(f.position, f.position + want);
  }

  const bot = element.basicOffsetTable ?? [];
  if (bot.length > 0) {
    if (bot.length !== numberOfFrames) throw new AppError('DICOM_PARSE', 'basic offset table does not have one entry per frame');
    for (let i = 1; i < bot.length; i++) {
      if (!(bot[i]! > bot[i - 1]!)) throw new AppError('DICOM_PARSE', 'basic offset table is not increasing');
    }
    const start = frags.findIndex((f) => f.offset === bot[frameIndex]);
    if (start < 0) throw new AppError('DICOM_PARSE', 'basic offset table points between fragments');
    let end = frags.length;
    if (frameIndex + 1 < bot.length) {
      end = frags.findIndex((f) => f.offset === bot[frameIndex + 1]);
      if (end < 0) throw new AppError('DICOM_PARSE', 'basic offset table points between fragments');
    }
    if (end <= start) throw new AppError('DICOM_PARSE', 'basic offset table gives an empty frame');
    return concat(dataSet, frags.slice(start, end));
  }

  if (frags.length === numberOfFrames) return concat(dataSet, [frags[frameIndex]!]);
  if (!codestreamMarkers) {
    throw new AppError('DICOM_PARSE', `${frags.length} fragments for ${numberOfFrames} frames and no offset table`);
  }
  // No offset table and several fragments per frame: a frame starts at each codestream start marker.
  const starts: number[] = [];
  for (let i = 0; i < frags.length; i++) if (startsCodestream(dataSet.byteArray, frags[i]!)) starts.push(i);
  if (starts.length !== numberOfFrames || starts[0] !== 0) {
    throw new AppError('DICOM_PARSE', `cannot map ${frags.length} fragments to ${numberOfFrames} frames`);
  }
  const end = frameIndex + 1 < starts.length ? starts[frameIndex + 1] : frags.length;
  return concat(dataSet, frags.slice(starts[frameIndex], end));
}
