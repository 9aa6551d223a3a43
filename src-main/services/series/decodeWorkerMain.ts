// Inside a decode worker: codecs load once per thread; each message is one frame, answered with its
// modality values as a transferred Float32Array or with an AppError's code and message.
import type { MessagePort } from 'node:worker_threads';
import { toAppError } from '../../../src-shared/errors';
import { createNodeCodecs } from '../codecs/nodeCodecs';
import type { FromDecodeWorker, ToDecodeWorker } from './decodeProtocol';
import { ParsedFiles, decodeModalityFrame } from './frameDecoding';

export function runDecodeWorker(port: MessagePort): void {
  const codecs = createNodeCodecs();
  codecs.catch(() => undefined);
  const parsed = new ParsedFiles();
  port.on('message', (m: ToDecodeWorker) => {
    if (m.type === 'forget') {
      parsed.forget(m.keys);
      return;
    }
    if (m.type !== 'decode') return;
    const request = { bytes: m.bytes, frameIndex: m.frameIndex, ...(m.cacheKey ? { cacheKey: m.cacheKey } : {}) };
    codecs
      .then((c) => decodeModalityFrame(request, c, parsed))
      .then(
        (values) => port.postMessage({ type: 'done', id: m.id, values } satisfies FromDecodeWorker, [values.buffer as ArrayBuffer]),
        (e: unknown) => port.postMessage({ type: 'failed', id: m.id, error: toAppError(e, 'DICOM_DECODE').toInfo() } satisfies FromDecodeWorker),
      );
  });
}
