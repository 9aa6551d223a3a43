// app://enclave/ as a privileged, standard, secure scheme answered by appProtocol.
import { protocol, type Session } from 'electron';
import type { AppProtocol } from '../services/protocol/appProtocol';
import { APP_SCHEME } from '../services/protocol/appProtocol';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: false, corsEnabled: false } },
  ]);
}

export function handleAppProtocol(ses: Session, handler: AppProtocol): void {
  ses.protocol.handle(APP_SCHEME, handler);
  // file: is never a way in: refuse it on the app session.
  ses.protocol.handle('file', () => new Response('file: is disabled', { status: 403 }));
}
