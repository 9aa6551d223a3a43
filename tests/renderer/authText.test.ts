// The sign-in screens' rules, as main enforces them: a password of 12..128 characters counted like main's
// check (no truncation), the throttle that reports activity at most once per interval, the QR code kept an
// image (a data: URL that decodes back to main's SVG text, never markup in the page).
import { describe, expect, it } from 'vitest';
import { requestSchemas } from '../../src-shared/ipc/contract';
import { activityThrottle, passwordProblem, secondFactorFields, svgDataUrl } from '../../src-renderer/auth/authText';

describe('password rule', () => {
  it('agrees with main\'s schema at every length around the limits', () => {
    for (const n of [0, 1, 11, 12, 13, 127, 128, 129, 300]) {
      const pw = 'x'.repeat(n);
      const mainAccepts = requestSchemas['auth:changePassword'].safeParse({ currentPassword: 'y'.repeat(12), newPassword: pw }).success;
      expect(passwordProblem(pw, pw) === null, `length ${n}`).toBe(mainAccepts);
    }
  });
  it('counts what it shows, accepts spaces and emoji, and wants the two copies equal', () => {
    expect(passwordProblem('short', 'short')).toBe('At least 12 characters (5 so far).');
    expect(passwordProblem('x'.repeat(129), 'x'.repeat(129))).toBe('At most 128 characters (129 now).');
    expect(passwordProblem('correct horse 🐎 battery', 'correct horse 🐎 battery')).toBeNull();
    expect(passwordProblem('correct horse battery', 'correct horse batterY')).toBe('The two passwords are not the same.');
  });
});

describe('activity throttle', () => {
  it('sends the first input at once, then at most once per interval', () => {
    let t = 1_000;
    let sent = 0;
    const report = activityThrottle(() => sent++, 30_000, () => t);
    report();
    report();
    expect(sent).toBe(1);
    t += 29_999;
    report();
    expect(sent).toBe(1);
    t += 1;
    report();
    expect(sent).toBe(2);
  });
});

describe('second factor', () => {
  it('sends a 6-digit code or a recovery code, and nothing that main would refuse', () => {
    expect(secondFactorFields({ mode: 'totp', code: '123456' })).toEqual({ totp: '123456' });
    expect(secondFactorFields({ mode: 'totp', code: '12345' })).toEqual({});
    expect(secondFactorFields({ mode: 'recovery', code: ' abcd-efgh-1234 ' })).toEqual({ recoveryCode: 'abcd-efgh-1234' });
    expect(secondFactorFields({ mode: 'recovery', code: 'a b' })).toEqual({});
  });
});

describe('QR code as an image', () => {
  it('is a base64 data URL of main\'s SVG text, byte for byte (UTF-8 included)', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>é</title><path d="M0 0h1v1H0z"/></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1]!, 'base64').toString('utf8')).toBe(svg);
  });
});
