import { describe, expect, it } from 'vitest';
import { CHROMIUM_SWITCHES, decidePermission, isAllowedRequestUrl, shouldPreventNavigation, windowOpenDecision } from '../../../src-main/platform/sessionPolicy';

describe('session policy', () => {
  it('lets only app://enclave and devtools through', () => {
    expect(isAllowedRequestUrl('app://enclave/index.html')).toBe(true);
    expect(isAllowedRequestUrl('app://enclave/pixels/abc/3')).toBe(true);
    expect(isAllowedRequestUrl('devtools://devtools/bundled/inspector.html')).toBe(true);
    for (const url of [
      'https://example.com/', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'ws://localhost/', 'app://other/index.html',
      'ftp://x/', 'chrome-extension://abc/x.js', 'not a url', '', 'https://redirector.gvt1.com/edgedl/chrome/dict/en-us-10-1.bdic',
    ]) expect(isAllowedRequestUrl(url), url).toBe(false);
  });

  it('denies every permission', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'hid', 'serial', 'usb', 'openExternal', 'fullscreen']) {
      expect(decidePermission(p), p).toBe(false);
    }
  });

  it('prevents all navigation and denies new windows', () => {
    expect(shouldPreventNavigation('https://evil.example/')).toBe(true);
    expect(shouldPreventNavigation('app://enclave/index.html')).toBe(true);
    expect(windowOpenDecision()).toEqual({ action: 'deny' });
  });

  it('turns off Chromium background networking, component updates, DNS prefetch and crash upload', () => {
    const names = CHROMIUM_SWITCHES.map(([n]) => n);
    for (const s of ['disable-background-networking', 'disable-component-update', 'dns-prefetch-disable', 'disable-breakpad']) expect(names).toContain(s);
    const features = CHROMIUM_SWITCHES.find(([n]) => n === 'disable-features')?.[1] ?? '';
    expect(features).toContain('SpellcheckService');
    expect(features).toContain('NetworkPrediction');
  });
});
