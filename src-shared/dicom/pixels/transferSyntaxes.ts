// How each transfer syntax's pixel data is stored and which decoder reads it.
import type { CodecName } from '../codecs/codecTypes';

export type PixelEncoding =
  | { kind: 'native' }
  | { kind: 'rle' }
  | { kind: 'deflatedFrame' }
  | { kind: 'jpegDct' } // baseline / extended: 8-bit via libjpeg-turbo, 12-bit via the built-in decoder
  | { kind: 'codec'; codec: CodecName }
  | { kind: 'unsupported'; name: string };

const NATIVE = new Set([
  '1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2',
]);

const TABLE: Record<string, PixelEncoding> = {
  '1.2.840.10008.1.2.5': { kind: 'rle' },
  '1.2.840.10008.1.2.8.1': { kind: 'deflatedFrame' },
  '1.2.840.10008.1.2.4.50': { kind: 'jpegDct' },
  '1.2.840.10008.1.2.4.51': { kind: 'jpegDct' },
  '1.2.840.10008.1.2.4.57': { kind: 'codec', codec: 'jpegLossless' },
  '1.2.840.10008.1.2.4.70': { kind: 'codec', codec: 'jpegLossless' },
  '1.2.840.10008.1.2.4.80': { kind: 'codec', codec: 'jpegLs' },
  '1.2.840.10008.1.2.4.81': { kind: 'codec', codec: 'jpegLs' },
  '1.2.840.10008.1.2.4.90': { kind: 'codec', codec: 'jpeg2000' },
  '1.2.840.10008.1.2.4.91': { kind: 'codec', codec: 'jpeg2000' },
  '1.2.840.10008.1.2.4.201': { kind: 'codec', codec: 'htj2k' },
  '1.2.840.10008.1.2.4.202': { kind: 'codec', codec: 'htj2k' },
  '1.2.840.10008.1.2.4.203': { kind: 'codec', codec: 'htj2k' },
};

const UNSUPPORTED_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.4.52': 'JPEG Extended (Process 3 & 5, retired)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection, Non-Hierarchical (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression, Non-Hierarchical (retired)',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component Lossless',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.100.1': 'Fragmentable MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.101': 'MPEG2 Main Profile / High Level',
  '1.2.840.10008.1.2.4.101.1': 'Fragmentable MPEG2 Main Profile / High Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.102.1': 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.103.1': 'Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.104': 'MPEG-4 AVC/H.264 High Profile For 2D Video',
  '1.2.840.10008.1.2.4.104.1': 'Fragmentable MPEG-4 AVC/H.264 High Profile For 2D Video',
  '1.2.840.10008.1.2.4.105': 'MPEG-4 AVC/H.264 High Profile For 3D Video',
  '1.2.840.10008.1.2.4.105.1': 'Fragmentable MPEG-4 AVC/H.264 High Profile For 3D Video',
  '1.2.840.10008.1.2.4.106': 'MPEG-4 AVC/H.264 Stereo High Profile',
  '1.2.840.10008.1.2.4.106.1': 'Fragmentable MPEG-4 AVC/H.264 Stereo High Profile',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 Main Profile / Level 5.1',
  '1.2.840.10008.1.2.4.108': 'HEVC/H.265 Main 10 Profile / Level 5.1',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.111': 'JPEG XL JPEG Recompression',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.6.1': 'RFC 2557 MIME encapsulation (retired)',
  '1.2.840.10008.1.2.6.2': 'XML Encoding (retired)',
  '1.2.840.10008.1.2.7.1': 'SMPTE ST 2110-20 Uncompressed Progressive Active Video',
  '1.2.840.10008.1.2.7.2': 'SMPTE ST 2110-20 Uncompressed Interlaced Active Video',
  '1.2.840.10008.1.2.7.3': 'SMPTE ST 2110-30 PCM Digital Audio',
};

export function pixelEncodingOf(transferSyntaxUid: string): PixelEncoding {
  const uid = transferSyntaxUid.replace(/[\0 ]+$/, '');
  if (NATIVE.has(uid)) return { kind: 'native' };
  const known = TABLE[uid];
  if (known) return known;
  const name = UNSUPPORTED_NAMES[uid];
  return { kind: 'unsupported', name: name ? `${name} (${uid})` : `unknown transfer syntax ${uid || '(none)'}` };
}

/** Lossy syntaxes, for the UI's "lossy" badge and for test tolerances. */
export function isLossySyntax(transferSyntaxUid: string): boolean {
  return ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.91',
    '1.2.840.10008.1.2.4.203'].includes(transferSyntaxUid);
}
