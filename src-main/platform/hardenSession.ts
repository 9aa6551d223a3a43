// Applies sessionPolicy to an Electron session. Thin on purpose: the decisions live in sessionPolicy.ts.
import type { Session } from 'electron';
import { decidePermission, isAllowedRequestUrl } from './sessionPolicy';

export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(decidePermission(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => decidePermission(permission));
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_req, callback) => callback({}));
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequestUrl(details.url) }));
  ses.setSpellCheckerEnabled(false);
  ses.setSpellCheckerDictionaryDownloadURL('https://0.0.0.0/'); // never fetched: the request filter cancels it anyway
  ses.on('will-download', (event) => event.preventDefault());
}
