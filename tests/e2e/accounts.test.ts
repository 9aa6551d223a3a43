// Accounts through the UI, over the real accounts session, permission guard and encrypted store (harness
// accounts mode): first-run setup with the recovery key shown once; an administrator adds users; MFA
// enrolment and a sign-in that needs the authenticator's code (computed here with otpauth from the secret the
// enrolment showed); the idle lock (the session's clock is the test's) that drops every image and unlocks with
// password + code; a radiologist opens the phantom; a technologist is refused a right their role lacks; an
// auditor's review answers "who opened this patient"; emergency access shows its banner; a restricted study.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import type { Envelope } from '../../src-shared/ipc/contract';
import { REPO, SHARED_DATA, TEST_ORIGIN, startHarness, type Harness } from './harness';
import { importFolder, openSeries, vtkStats, waitReady } from './viewerDriver';

const SHOTS = join(REPO, 'test-results');
mkdirSync(SHOTS, { recursive: true });

/** The session's clock: the test moves time (idle lock, TOTP steps) instead of waiting for it. */
class TestClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

const ADMIN = { username: 'alice', displayName: 'Alice Admin', password: 'alice keeps the keys 1' };
const USERS = {
  rad: { username: 'rob', displayName: 'Rob Radiologist', role: 'radiologist', password: 'rob reads the scans' },
  tech: { username: 'tina', displayName: 'Tina Technologist', role: 'technologist', password: 'tina runs the scanner' },
  aud: { username: 'audrey', displayName: 'Audrey Auditor', role: 'auditor', password: 'audrey checks the trail' },
} as const;
const PATIENT_ID = 'PH-0001';
const STEP = 30_000;

describe('accounts in the UI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'enclave-e2e-accounts-'));
  const clock = new TestClock(Date.now());
  let h: Harness;
  let totpSecret = '';
  let studyId = '';
  let recoveryKey = '';

  beforeAll(async () => {
    h = await startHarness({ accounts: { dataDir, clock } });
    await h.page.goto(`${TEST_ORIGIN}/index.html`);
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const shot = (name: string) => h.page.screenshot({ path: join(SHOTS, `accounts-${name}.png`) });
  const byTest = (id: string) => h.page.getByTestId(id);
  const totpNow = () => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(totpSecret) }).generate({ timestamp: clock.now() });
  const invoke = (channel: string, request: unknown) =>
    h.page.evaluate(([c, r]) => (window as unknown as { enclave: { invoke(c: string, r: unknown): Promise<Envelope<unknown>> } }).enclave.invoke(c, r), [channel, request] as const);

  async function signIn(username: string, password: string, totp?: () => string): Promise<void> {
    await byTest('login-screen').waitFor();
    await byTest('login-username').fill(username);
    await byTest('login-password').fill(password);
    await byTest('login-password').press('Enter');
    if (totp) {
      await byTest('login-totp').waitFor();
      await byTest('login-totp').fill(totp());
      await byTest('login-totp').press('Enter');
    }
    await expect.poll(() => byTest('session').getAttribute('data-state')).toBe('active');
  }
  async function signOut(): Promise<void> {
    await byTest('user-menu').click();
    await byTest('menu-logout').click();
    await byTest('login-screen').waitFor();
  }

  it('first run: the administrator is created and the recovery key is shown once', async () => {
    await byTest('setup-screen').waitFor();
    await byTest('setup-username').fill(ADMIN.username);
    await byTest('setup-display-name').fill(ADMIN.displayName);
    await byTest('setup-password').fill('too short');
    await byTest('setup-password-repeat').fill('too short');
    // The rule is said before any refusal, and the form cannot be sent while it is not met.
    expect(await byTest('setup-password-problem').innerText()).toBe('At least 12 characters (9 so far).');
    expect(await byTest('setup-submit').isDisabled()).toBe(true);
    await shot('setup');
    await byTest('setup-password').fill(ADMIN.password);
    await byTest('setup-password-repeat').fill(ADMIN.password);
    await byTest('setup-password-repeat').press('Enter');

    await byTest('recovery-screen').waitFor({ timeout: 60_000 });
    recoveryKey = (await byTest('recovery-key').innerText()).trim();
    expect(recoveryKey.length).toBeGreaterThan(20);
    expect(await byTest('recovery-done').isDisabled()).toBe(true);
    await shot('recovery-key');
    await byTest('recovery-stored').check();
    await byTest('recovery-done').click();
    await expect.poll(() => byTest('session').getAttribute('data-state')).toBe('active');
    expect(await byTest('user-menu').innerText()).toContain('Alice Admin');
    // Shown once: gone from the page, and neither it nor the password is on disk in the clear.
    expect(await h.page.locator('body').innerText()).not.toContain(recoveryKey);
    const keyFile = readFileSync(join(dataDir, 'keys.json'), 'utf8');
    expect(keyFile).not.toContain(recoveryKey);
    expect(keyFile).not.toContain(ADMIN.password);
  });

  it('the administrator imports the phantom and adds a radiologist, a technologist and an auditor', async () => {
    expect(await importFolder(h, join(SHARED_DATA, 'phantoms/mr-sagittal'))).toMatch(/Imported/);
    studyId = (await byTest('study').first().getAttribute('data-study-id')) ?? '';
    expect(studyId).not.toBe('');

    await byTest('users-open').click();
    await byTest('users-dialog').waitFor();
    for (const u of Object.values(USERS)) {
      await byTest('user-new-username').fill(u.username);
      await byTest('user-new-display-name').fill(u.displayName);
      await byTest('user-new-role').selectOption(u.role);
      await byTest('user-new-password').fill(u.password);
      await byTest('user-new-password-repeat').fill(u.password);
      await byTest('user-new-submit').click();
      await h.page.locator(`[data-testid="user-row"][data-username="${u.username}"]`).waitFor({ timeout: 30_000 });
    }
    expect(await byTest('user-row').count()).toBe(4);
    expect(await h.page.locator('[data-testid="user-row"][data-username="tina"] select').inputValue()).toBe('technologist');
    await shot('users');
    // Escape closes a dialog.
    await h.page.keyboard.press('Escape');
    await expect.poll(() => byTest('users-dialog').count()).toBe(0);
  });

  it('MFA: enrolment shows the QR code as an image and the secret; the next sign-in asks for the code', async () => {
    await byTest('user-menu').click();
    await byTest('menu-mfa').click();
    await byTest('mfa-secret').waitFor();
    totpSecret = (await byTest('mfa-secret').getAttribute('data-secret')) ?? '';
    expect(totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
    const qr = byTest('mfa-qr');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    // The image decoded (a real QR drawing, not a broken image), and no SVG markup entered the page.
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await byTest('mfa-dialog').locator('svg').count()).toBe(0);
    await shot('mfa-enrolment');
    await byTest('mfa-code').fill(totpNow());
    await byTest('mfa-code').press('Enter');
    await byTest('mfa-recovery-codes').waitFor();
    expect(await byTest('mfa-recovery-codes').locator('li').count()).toBeGreaterThan(3);
    await byTest('mfa-done').click();
    await expect.poll(() => byTest('mfa-dialog').count()).toBe(0);

    await signOut();
    clock.advance(STEP); // a code is accepted once per step: the next one is a new step
    await byTest('login-username').fill(ADMIN.username);
    await byTest('login-password').fill(ADMIN.password);
    await byTest('login-submit').click();
    await byTest('login-totp').waitFor({ timeout: 30_000 });
    // A wrong code is refused and the form stays.
    await byTest('login-totp').fill(totpNow() === '000000' ? '111111' : '000000');
    await byTest('login-totp').press('Enter');
    await byTest('login-error').waitFor();
    await byTest('login-totp').fill(totpNow());
    await shot('login-mfa');
    await byTest('login-totp').press('Enter');
    await expect.poll(() => byTest('session').getAttribute('data-state')).toBe('active');
  });

  it('idle lock: the screen is covered, every image dropped, pixels refused; password + code unlock it', async () => {
    clock.advance(5 * 60_000);
    // The click is input: the renderer reports it (auth:activity), so the idle time starts again from here.
    const seriesId = await openSeries(h, 'MR');
    await waitReady(h, 0, seriesId);
    expect((await vtkStats(h)).openVolumes).toBe(1);
    clock.advance(9 * 60_000); // 14 minutes since sign-in, 9 since the click: IdleLockMinutes defaults to 10
    expect(h.auth!.state()).toBe('active');
    expect(await byTest('lock-screen').count()).toBe(0);

    clock.advance(2 * 60_000);
    h.auth!.state(); // what the session's timer does when it fires
    await byTest('lock-screen').waitFor();
    expect(await byTest('lock-user').innerText()).toContain('Alice Admin');
    await expect.poll(() => vtkStats(h)).toMatchObject({ vtkObjects: 0, openVolumes: 0 });
    expect(await byTest('viewport').count()).toBe(0);
    expect(await h.page.locator('body').innerText()).not.toMatch(/Phantom|Patricia|PH-0001/);
    const pixel = await h.services.appProtocol(new Request(`app://enclave/pixels/${seriesId}/0`));
    expect(pixel.status).toBe(403);
    await shot('idle-lock');

    await byTest('unlock-password').fill('not the password!');
    await byTest('unlock-totp').fill(totpNow());
    await byTest('unlock-submit').click();
    await byTest('unlock-error').waitFor();
    clock.advance(STEP);
    await byTest('unlock-password').fill(ADMIN.password);
    await byTest('unlock-totp').fill(totpNow());
    await byTest('unlock-password').press('Enter');
    await expect.poll(() => byTest('lock-screen').count()).toBe(0);
    // What was open comes back.
    await waitReady(h, 0, seriesId);
    await shot('unlocked');
  });

  it('a radiologist opens the phantom', async () => {
    await signOut();
    await signIn(USERS.rad.username, USERS.rad.password);
    expect(await byTest('users-open').count()).toBe(0);
    expect(await byTest('audit-open').count()).toBe(0);
    const seriesId = await openSeries(h, 'MR');
    await waitReady(h, 0, seriesId);
    await signOut();
    // Signing out clears the renderer: no image, no vtk object, no patient left in the page.
    await expect.poll(() => vtkStats(h)).toMatchObject({ vtkObjects: 0, openVolumes: 0 });
    expect(await h.page.locator('body').innerText()).not.toMatch(/Phantom|Patricia|PH-0001/);
  });

  it('a technologist is refused an export (FORBIDDEN from main, audited), and the UI does not offer it', async () => {
    await signIn(USERS.tech.username, USERS.tech.password);
    await byTest('study').first().click();
    await byTest('series').first().waitFor();
    expect(await byTest('purge-study').count()).toBe(0);
    expect(await byTest('restrict-study').count()).toBe(0);
    // The export buttons are not offered to a technologist...
    expect(await byTest('export-study').count()).toBe(0);
    expect(await byTest('export-series').count()).toBe(0);
    // ...and main refuses the export itself when asked directly (a renderer cannot talk its way past the guard).
    const refused = await invoke('export:run', { jobId: 'job-tech', scope: { studyId }, kind: 'folder', options: {}, burnedIn: { confirmed: true, override: false } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await invoke('studies:purge', { studyId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await byTest('study').count()).toBe(1);
    await signOut();
  });

  it('an auditor\'s review answers "who opened this patient", and the trail verifies', async () => {
    await signIn(USERS.aud.username, USERS.aud.password);
    // No right to images: the review is the auditor's screen.
    await byTest('audit-review').waitFor();
    expect(await byTest('study-list').count()).toBe(0);
    await byTest('audit-patient').fill(PATIENT_ID);
    await byTest('audit-event').selectOption('110103');
    await byTest('audit-patient').press('Enter');
    await expect.poll(() => h.page.locator('[data-testid="audit-row"][data-event="110103"]').count()).toBeGreaterThan(0);
    const rows = await byTest('audit-row').allInnerTexts();
    expect(rows.every((r) => r.includes(PATIENT_ID))).toBe(true);
    expect(rows.some((r) => r.includes('rob'))).toBe(true);
    expect(rows.some((r) => r.includes('alice'))).toBe(true);
    // The auditor has no right to images and opened none (the technologist listed the study's series: she is there).
    expect(rows.some((r) => r.includes('audrey'))).toBe(false);
    await byTest('audit-verify').click();
    await expect.poll(() => byTest('audit-verify-result').innerText()).toMatch(/intact/);
    await shot('audit-who-opened');

    // The technologist's refusal, as the auditor finds it.
    await byTest('audit-patient').fill('');
    await byTest('audit-event').selectOption('110113');
    await byTest('audit-user').fill('tina');
    await byTest('audit-search').click();
    await expect.poll(() => byTest('audit-row').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/Use of Restricted Function[\s\S]*export:run/)]));
    await shot('technologist-refused');
  });

  it('emergency access: a reason, then a red banner with its end until it is stopped', async () => {
    await byTest('audit-close').click();
    await byTest('no-view').waitFor();
    await byTest('breakglass-open').click();
    await byTest('breakglass-reason').fill('too short');
    expect(await byTest('breakglass-start').isDisabled()).toBe(true);
    await byTest('breakglass-reason').fill('Stroke call, on-call radiologist unreachable');
    await byTest('breakglass-reason').press('Enter');
    await byTest('breakglass-banner').waitFor();
    const until = await byTest('breakglass-until').getAttribute('datetime');
    expect(Date.parse(until!) - clock.now()).toBe(60 * 60_000); // BreakGlassMinutes defaults to 60
    // View granted for the time: the studies are there.
    await expect.poll(() => byTest('study').count()).toBe(1);
    await shot('break-glass');
    await byTest('breakglass-stop').click();
    await expect.poll(() => byTest('breakglass-banner').count()).toBe(0);
    await expect.poll(() => byTest('study-list').count()).toBe(0);
    await signOut();
  });

  it('a restricted study: marked for the administrator, gone from the technologist\'s list', async () => {
    clock.advance(STEP);
    await signIn(ADMIN.username, ADMIN.password, totpNow);
    await byTest('study').first().click();
    await byTest('restrict-study').click();
    await byTest('restrict-dialog').waitFor();
    await h.page.locator('[data-testid="restrict-role"][data-role="admin"]').check();
    await h.page.locator('[data-testid="restrict-user"][data-username="rob"]').check();
    await byTest('restrict-save').click();
    await byTest('study-restricted').waitFor();
    await shot('restricted');
    await signOut();
    await signIn(USERS.tech.username, USERS.tech.password);
    await expect.poll(() => byTest('study').count()).toBe(0);
    expect(h.outsideRequests).toEqual([]);
  });
});
