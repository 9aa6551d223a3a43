// One frame for a picture (thumbnail, image export, `enclave render`) decoded under the decode budget: a frame that
// needs a codec goes to a decode worker, where a hostile codestream can cost only that worker (terminated at its
// budget, the frame failing as DICOM_DECODE); an uncompressed frame needs no codec and is read here.
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import type { DicomFile } from '../../../src-shared/dicom/parse';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { readPixelDescription } from '../../../src-shared/dicom/pixels/pixelDescription';
import type { DecodedFrame } from '../../../src-shared/dicom/types';
import { createNodeCodecs } from '../codecs/nodeCodecs';
import { DecodePool } from './decodePool';
import type { FrameDecoder } from './decodeProtocol';
import { bundledDecodeWorkerScript } from './decodeWorkerScript';
import { needsCodecs } from './frameDecoding';

/** In `decoder` when given and the frame needs a codec, else on this thread with `codecs` (loaded when missing). */
export async function decodeFrameBounded(file: DicomFile, frameIndex: number, decoder: FrameDecoder | undefined, codecs?: CodecRegistry): Promise<DecodedFrame> {
  if (!decoder || !needsCodecs(file.transferSyntaxUid)) return decodeFrame(file, frameIndex, codecs ?? (needsCodecs(file.transferSyntaxUid) ? await createNodeCodecs() : {}));
  const d = readPixelDescription(file.dataSet, file.transferSyntaxUid);
  const grey = d.samplesPerPixel === 1 && d.photometricInterpretation !== 'PALETTE COLOR';
  const copy = new ArrayBuffer(file.bytes.byteLength);
  new Uint8Array(copy).set(file.bytes);
  const pixels = await decoder.decode({ bytes: copy, frameIndex, output: grey ? 'stored' : 'rgb8' });
  return grey
    ? { rows: d.rows, columns: d.columns, samplesPerPixel: 1, pixels, photometricInterpretation: d.photometricInterpretation, bitsPerSample: d.bitsStored }
    : { rows: d.rows, columns: d.columns, samplesPerPixel: 3, pixels, photometricInterpretation: 'RGB', bitsPerSample: 8 };
}

/**
 * A one-worker decode pool over the bundled decode worker, started on first use and closed when `fn` ends. Without
 * the bundle (running from source) frames decode on this thread, guarded by the codestream structure check alone.
 */
export async function withBundledDecoder<T>(fn: (decoder: () => FrameDecoder | undefined) => Promise<T>): Promise<T> {
  let own: DecodePool | undefined;
  let looked = false;
  const decoder = (): FrameDecoder | undefined => {
    if (!looked) {
      looked = true;
      const script = bundledDecodeWorkerScript();
      if (script) own = new DecodePool(script, { size: 1 });
    }
    return own;
  };
  try {
    return await fn(decoder);
  } finally {
    await own?.close();
  }
}
