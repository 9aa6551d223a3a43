// The trust boundary in main: every renderer request passes here (DESIGN.md section 2).
// Electron's ipcMain and the browser harness both call the same dispatcher.
import { AppError, toAppError } from '../../../src-shared/errors';
import {
  type Channel,
  type Envelope,
  type RequestOf,
  type Responses,
  isChannel,
  requestSchemas,
} from '../../../src-shared/ipc/contract';

export interface Sender {
  /** URL of the frame that sent the request. */
  url: string;
  /** True when the sender is the window's top frame (not an iframe). */
  isTopFrame: boolean;
}

export type Handlers = { [C in Channel]: (request: RequestOf<C>) => Promise<Responses[C]> };

export type Dispatch = (channel: unknown, rawRequest: unknown, sender: Sender) => Promise<Envelope<unknown>>;

export interface DispatcherOptions {
  /** The only origin allowed to call main: `app://enclave` in Electron. */
  appOrigin: string;
  /** Called with the error code (never the request) so failures can be counted without logging PHI. */
  onError?: (channel: string, error: AppError) => void;
}

export function isTrustedSender(sender: Sender, appOrigin: string): boolean {
  if (!sender.isTopFrame) return false;
  let url: URL;
  try {
    url = new URL(sender.url);
  } catch {
    return false;
  }
  // URL.origin is "null" for non-special schemes like app:, so compare scheme + host explicitly.
  const expected = new URL(appOrigin);
  return url.protocol === expected.protocol && url.host === expected.host;
}

export function createDispatcher(handlers: Handlers, options: DispatcherOptions): Dispatch {
  return async (channel, rawRequest, sender) => {
    try {
      if (!isTrustedSender(sender, options.appOrigin)) {
        throw new AppError('FORBIDDEN_SENDER', 'Request refused: it did not come from the app window.');
      }
      if (!isChannel(channel)) throw new AppError('UNKNOWN_CHANNEL', 'Unknown request.');
      const parsed = requestSchemas[channel].safeParse(rawRequest ?? {});
      if (!parsed.success) {
        throw new AppError('INVALID_REQUEST', `Invalid request for ${channel}: ${parsed.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`);
      }
      const handler = handlers[channel] as (r: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (e) {
      const err = toAppError(e);
      options.onError?.(String(channel), err);
      const message = err.code === 'INTERNAL' ? 'Something went wrong inside Enclave.' : err.message;
      return { ok: false, error: { code: err.code, message } };
    }
  };
}
