// Inside a decode worker: codecs load once per thread, when first needed; each message is one frame, answered with its
// wire values (see FrameOutput) in a transferred typed array or with an AppError's code and message.
import type { MessagePort } from 'node:worker_threads';
import { toAppError } from '../../../src-shared/errors';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { createNodeCodecs } from '../codecs/nodeCodecs';
import type { FromDecodeWorker, ToDecodeWorker } from './decodeProtocol';
import { ParsedFiles, decodeWireFrame } from './frameDecoding';

export function runDecodeWorker(port: MessagePort): void {
  // Compiling the codecs keeps a thread busy for about a second: only when a frame (or main's hint) needs them.
  let loading: Promise<CodecRegistry> | undefined;
  const codecs = (): Promise<CodecRegistry> => (loading ??= createNodeCodecs());
  const parsed = new ParsedFiles();
  port.on('message', (m: ToDecodeWorker) => {
    if (m.type === 'forget') {
      parsed.forget(m.keys);
      return;
    }
    if (m.type === 'loadCodecs') {
      codecs().catch(() => undefined);
      return;
    }
    if (m.type !== 'decode') return;
    const request = { bytes: m.bytes, frameIndex: m.frameIndex, output: m.output, ...(m.cacheKey ? { cacheKey: m.cacheKey } : {}) };
    const decoding = (samples: number) => port.postMessage({ type: 'decoding', id: m.id, samples } satisfies FromDecodeWorker);
    decodeWireFrame(request, codecs, parsed, decoding).then(
        (values) => port.postMessage({ type: 'done', id: m.id, values } satisfies FromDecodeWorker, [values.buffer as ArrayBuffer]),
        (e: unknown) => port.postMessage({ type: 'failed', id: m.id, error: toAppError(e, 'DICOM_DECODE').toInfo() } satisfies FromDecodeWorker),
      );
  });
}
