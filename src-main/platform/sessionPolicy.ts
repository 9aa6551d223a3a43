// The session's network and permission decisions as pure functions (unit-tested), applied in hardenSession.ts.

/** Only the app's own scheme and devtools may load anything; every other request is cancelled. */
export function isAllowedRequestUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'devtools:') return true;
  return parsed.protocol === 'app:' && parsed.host === 'enclave';
}

/** Camera, microphone, notifications, clipboard, geolocation, HID...: the viewer needs none. */
export function decidePermission(_permission: string): boolean {
  return false;
}

/** The app is a single page: no navigation, ever; links never open windows. */
export function shouldPreventNavigation(_url: string): boolean {
  return true;
}

export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' };
}

/** Chromium switches that keep it from calling home (DNS prefetch, component updates, crash upload...). */
export const CHROMIUM_SWITCHES: ReadonlyArray<readonly [string, string?]> = [
  ['disable-background-networking'],
  ['disable-component-update'],
  ['disable-domain-reliability'],
  ['disable-breakpad'],
  ['disable-sync'],
  ['no-pings'],
  ['dns-prefetch-disable'],
  ['disable-features', 'NetworkPrediction,SpellcheckService,AutofillServerCommunication,OptimizationHints,MediaRouter,DialMediaRouteProvider,CertificateTransparencyComponentUpdater,Translate'],
];
