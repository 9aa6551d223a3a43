// The account events as ATNA messages: a session with every kind (set-up, failed login, lockout, unlock, MFA
// enrolment, role change, break-glass with a typed reason, idle lock, logout), each converted by toAtnaXml and
// validated with jing against PS3.15 A.5.1's RELAX NG schema; the user object carries the user name, and the
// break-glass reason (free text: quotes, ampersands, angle brackets) reaches the Alert Description whole, never as markup.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toAtnaXml } from '../../../src-main/services/audit/atnaXml';
import { UserAdmin } from '../../../src-main/services/users/userAdmin';
import { ADMIN, openAccounts, tempRoot } from './fixtures/accounts';

const SCHEMA = path.resolve(__dirname, '../../fixtures/audit/dicom-audit-message.rnc');

let t: ReturnType<typeof tempRoot>;
beforeEach(() => {
  t = tempRoot();
});
afterEach(() => t.cleanup());

describe('account events as ATNA', () => {
  it('every account event validates against the DICOM audit message schema', async () => {
    let a = await openAccounts(path.join(t.root, 'd'), { policy: { LockoutThreshold: 3 } });
    await a.auth.setup(ADMIN);
    const bob = await new UserAdmin(a.auth).create({ username: 'bob', displayName: 'Bob', role: 'auditor', password: 'bobs long password' });
    await new UserAdmin(a.auth).update({ userId: bob.userId, role: 'physician' });
    await a.auth.logout();
    for (let i = 0; i < 3; i++) await a.auth.login({ username: 'bob', password: 'wrong password!!' }).catch(() => undefined);
    a = await a.restart();
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    await new UserAdmin(a.auth).unlock(bob.userId);
    await a.auth.logout();
    await a.auth.login({ username: 'bob', password: 'bobs long password' });
    a.auth.startBreakGlass('Stroke code <now> & "CT" needed — résumé of 2nd opinion');
    a.auth.stopBreakGlass();
    a.clock.advance(11 * 60_000);
    expect(a.auth.state()).toBe('locked');
    await a.auth.unlock({ password: 'bobs long password' });
    await a.auth.logout();
    await a.auth.login({ username: 'alice', password: ADMIN.password });

    const records = a.audit();
    const types = new Set(records.map((r) => r.eventType));
    for (const ty of ['110122', '110123', '110136', '110137', '110127', '110138']) expect(types, ty).toContain(ty);
    const dir = path.join(t.root, 'msgs');
    mkdirSync(dir);
    const xml = records.map((r) => toAtnaXml(r, { sourceId: 'Enclave@test', hostName: 'test' }));
    const files = xml.map((m, i) => {
      const f = path.join(dir, `m${String(i).padStart(3, '0')}.xml`);
      writeFileSync(f, m);
      return f;
    });
    const r = spawnSync('jing', ['-c', SCHEMA, ...files], { encoding: 'utf8' });
    expect(r.error, 'jing is required (apt: jing)').toBeUndefined();
    expect(`${r.stdout}${r.stderr}`.split('\n').filter((l) => l && !l.includes('[warning]')).join('\n')).toBe('');
    expect(r.status).toBe(0);
    const started = xml.find((m) => m.includes('csd-code="110127"'))!;
    // The Alert Description carries the reason as typed (base64 in the attribute, so never markup).
    const alert = Buffer.from(/type="Alert Description" value="([^"]+)"/.exec(started)![1]!, 'base64').toString('utf8');
    expect(alert).toContain('statedReason=Stroke code <now> & "CT" needed — résumé of 2nd opinion');
    expect(started).not.toContain('<now>');
    const roleChange = xml.find((m) => m.includes('csd-code="110136"') && m.includes('<ParticipantObjectName>bob</ParticipantObjectName>'));
    expect(roleChange).toContain('UserName="alice"');
    await a.close();
  });
});
