// The words and small rules of the sign-in screens, kept pure so Node tests check them: the password
// rule as main enforces it (ASVS 2.1: 12 to 128 characters, any characters, never truncated), error
// messages by code, and times as people read them.
import type { ErrorCode } from '../../src-shared/errors';
import { ApiError } from '../api';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
export const PASSWORD_RULE = `${PASSWORD_MIN} to ${PASSWORD_MAX} characters; spaces and any letters or symbols are fine. A long phrase is easiest to remember.`;

/** Why a new password cannot be used yet, or null. Lengths count as main's check does (UTF-16 units). */
export function passwordProblem(password: string, repeated: string): string | null {
  if (password.length < PASSWORD_MIN) return `At least ${PASSWORD_MIN} characters (${password.length} so far).`;
  if (password.length > PASSWORD_MAX) return `At most ${PASSWORD_MAX} characters (${password.length} now).`;
  if (password !== repeated) return 'The two passwords are not the same.';
  return null;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
export const TOTP_PATTERN = /^\d{6}$/;
export const RECOVERY_CODE_PATTERN = /^[A-Za-z0-9-]{8,32}$/;

export function errorCode(e: unknown): ErrorCode | null {
  return e instanceof ApiError ? e.info.code : null;
}

/** A failed request said to the user: main's message (it never carries secrets), or the fallback. */
export function messageOf(e: unknown, fallback: string): string {
  return e instanceof ApiError ? e.message : fallback;
}

/** "14:05" today, "3 Dec 2026, 14:05" another day (local time). */
export function formatClock(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return new Date(now).toDateString() === d.toDateString() ? time : `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })}, ${time}`;
}

/** "2026-12-03 14:05:09" (local time): what an audit table shows. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Reports user input to main at most once per `intervalMs` (main alone decides when to lock; a report per
 * keystroke would be noise). The first input is reported at once.
 */
export function activityThrottle(send: () => void, intervalMs: number, now: () => number = Date.now): () => void {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    send();
  };
}

/** A QR code drawn by main as SVG text, as an image source: never parsed into the page's DOM. */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** The second step of signing in: the authenticator's code, or a single-use recovery code. */
export interface SecondFactorValue {
  mode: 'totp' | 'recovery';
  code: string;
}

export const NO_SECOND_FACTOR: SecondFactorValue = { mode: 'totp', code: '' };

/** The request fields for what was typed; undefined when nothing valid was. */
export function secondFactorFields(v: SecondFactorValue): { totp?: string; recoveryCode?: string } {
  const code = v.code.trim();
  if (v.mode === 'totp') return TOTP_PATTERN.test(code) ? { totp: code } : {};
  return RECOVERY_CODE_PATTERN.test(code) ? { recoveryCode: code } : {};
}
