// The seam between the pure pixel pipeline and the codecs, which are WebAssembly or JS modules
// that each environment (Node main, a worker, the browser harness) loads in its own way.

/** Which codec decodes a transfer syntax's frames. */
export type CodecName =
  | 'jpegBaseline8' // JPEG baseline / extended, 8-bit samples (libjpeg-turbo)
  | 'jpegLossless' // JPEG lossless process 14 (incl. SV1)
  | 'jpegLs' // JPEG-LS lossless and near-lossless
  | 'jpeg2000' // JPEG 2000 Part 1 (also decodes HTJ2K)
  | 'htj2k'; // High-Throughput JPEG 2000

/** What the DICOM header promises about one frame; a codec's own header must agree. */
export interface ExpectedFrame {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /** Bits per sample as stored in the DICOM header (BitsStored): the codec's precision must not exceed BitsAllocated. */
  bitsStored: number;
  bitsAllocated: number;
  signed: boolean;
}

/** What a codec found in the codestream's own frame header (JPEG SOF, J2K SIZ, JPEG-LS SOF55). */
export interface CodecFrameInfo {
  width: number;
  height: number;
  componentCount: number;
  bitsPerSample: number;
  signed?: boolean;
  /** True when the codec already turned YCbCr (JPEG, J2K MCT) into RGB. */
  colourConvertedToRgb?: boolean;
}

export interface CodecOutput {
  info: CodecFrameInfo;
  /**
   * Decoded samples, interleaved per pixel (RGBRGB...). 8-bit codecs give Uint8Array, deeper ones
   * Uint16Array or Int16Array. The array is a copy owned by the caller, never a view into WASM memory.
   */
  samples: Uint8Array | Int8Array | Uint16Array | Int16Array;
}

export interface ImageDecoder {
  /**
   * Decodes one frame. Implementations must check the codestream's header against `expected`
   * before decoding and throw AppError('DICOM_PIXEL_MISMATCH') when they disagree, and must
   * throw AppError('DICOM_DECODE') (never a bare value) when the codestream is corrupt.
   */
  decode(encoded: Uint8Array, expected: ExpectedFrame): CodecOutput | Promise<CodecOutput>;
}

export type CodecRegistry = Partial<Record<CodecName, ImageDecoder>>;
