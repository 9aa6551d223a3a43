// Typed access to window.enclave (defined by the preload, or by the browser harness).
import type { Channel, EnclaveBridge, EventName, Events, RequestOf, Responses } from '../src-shared/ipc/contract';
import type { ErrorInfo } from '../src-shared/errors';

declare global {
  interface Window {
    enclave: EnclaveBridge;
  }
}

export class ApiError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

export async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Responses[C]> {
  const envelope = await window.enclave.invoke(channel, request);
  if (!envelope.ok) throw new ApiError(envelope.error);
  return envelope.value;
}

export function subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  return window.enclave.on(event, listener);
}
