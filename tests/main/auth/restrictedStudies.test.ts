// Issue 11, item 7: an administrator restricts a study to named users and roles. Others do not see it in the study
// list or search (counts included), and opening it any way (series list, series, annotations, tags, pixels,
// previews) is refused and audited as a Security Alert naming the study and its patient; break-glass does not
// lift it. The named user, and the named role, see it marked restricted and open it; an administrator sees it
// (to manage it) but opens its images only when named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, RequestOf } from '../../../src-shared/ipc/contract';
import { CT_AXIAL, CT_SMALL, guardedApp, PHANTOM_STUDY_UID, type GuardedApp } from './fixtures/guardedApp';

let app: GuardedApp;
let phantom: { studyId: string; seriesId: string; instanceId: string; pixelPath: string };
let small: { studyId: string };

beforeAll(async () => {
  app = await guardedApp();
  app.gate.as('admin');
  await app.value('import:paths', { paths: [CT_AXIAL, CT_SMALL] });
  const studies = await app.value('studies:list', {});
  const ph = studies.find((s) => s.patientId === 'PH-0001')!;
  small = { studyId: studies.find((s) => s.patientId === '1CT1')!.studyId };
  const [series] = await app.value('series:list', { studyId: ph.studyId });
  const view = await app.value('series:open', { seriesId: series!.seriesId });
  phantom = { studyId: ph.studyId, seriesId: series!.seriesId, instanceId: view.frames[0]!.instanceId, pixelPath: view.pixelPath };
  const r = await app.value('studies:restrict', { studyId: ph.studyId, users: ['u-named-rad'], roles: ['technologist'] });
  expect(r).toEqual({ studyId: ph.studyId, users: ['u-named-rad'], roles: ['technologist'] });
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const listIds = async () => (await app.value('studies:list', {})).map((s) => s.studyId);
const pixel = async (path: string) => (await app.services.appProtocol(new Request(`app://enclave/${path}`))).status;

describe('restricted studies', () => {
  it('the change itself is audited: 110113 Object Security Attributes Changed, naming the study, its patient and the user', () => {
    const row = app.store.database.prepare("SELECT * FROM audit WHERE event_type = '110135' ORDER BY seq DESC LIMIT 1").get() as { user_id: string; objects_json: string; detail_json: string };
    expect(row.user_id).toBe('u-admin');
    const objects = JSON.parse(row.objects_json) as { type: string; uid?: string; patientId?: string; id: string }[];
    expect(objects).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'study', uid: PHANTOM_STUDY_UID, patientId: 'PH-0001' }),
      expect.objectContaining({ type: 'user', id: 'u-named-rad' }),
    ]));
    expect(JSON.parse(row.detail_json)).toEqual({ restriction: 'set', users: 1, roles: 'technologist' });
  });

  it('another radiologist does not see it in the list or in search, counts included', async () => {
    app.gate.as('radiologist', 'u-other-rad');
    expect(await listIds()).toEqual([small.studyId]);
    expect(await app.value('studies:search', { limit: 50, offset: 0 })).toMatchObject({ total: 1, studies: [{ studyId: small.studyId }] });
    expect(await app.value('studies:search', { text: 'phantom', limit: 50, offset: 0 })).toEqual({ studies: [], total: 0 });
    expect(await app.value('studies:search', { patientId: 'PH-0001', limit: 50, offset: 0 })).toEqual({ studies: [], total: 0 });
  });

  it('every way of opening it is FORBIDDEN and audited as a Security Alert with restricted=true; break-glass changes nothing', async () => {
    const attempts: { [C in Channel]?: RequestOf<C> } = {
      'series:list': { studyId: phantom.studyId },
      'series:open': { seriesId: phantom.seriesId },
      'annotations:list': { seriesId: phantom.seriesId },
      'annotations:save': { seriesId: phantom.seriesId, annotations: [] },
      'instance:tags': { instanceId: phantom.instanceId },
    };
    for (const breakGlass of [false, true]) {
      app.gate.as('radiologist', 'u-other-rad', breakGlass);
      for (const [channel, request] of Object.entries(attempts) as [Channel, never][]) {
        const before = app.headSeq();
        expect(await app.call(channel, request), channel).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
        const written = app.auditAfter(before);
        expect(written, channel).toHaveLength(1);
        expect(written[0]).toMatchObject({ event_id: '110113', event_type: '110132', outcome: 4, user_id: 'u-other-rad' });
        expect(JSON.parse(written[0]!.detail_json)).toEqual({ channel, restricted: true });
        // The alert names the study and its patient, so the privacy officer knows whose record was tried.
        expect(JSON.parse(written[0]!.objects_json)).toEqual([expect.objectContaining({ type: 'study', uid: PHANTOM_STUDY_UID, patientId: 'PH-0001', patientName: 'Phantom^Patricia' })]);
      }
      const before = app.headSeq();
      expect(await pixel(`${phantom.pixelPath}/0`)).toBe(403);
      expect(await pixel(`thumbs/${phantom.seriesId}`)).toBe(403);
      expect(app.auditAfter(before).map((w) => JSON.parse(w.detail_json) as unknown)).toEqual([
        { channel: 'pixels', restricted: true },
        { channel: 'thumbs', restricted: true },
      ]);
    }
    // No annotation was written by the refused save.
    app.gate.as('radiologist', 'u-named-rad');
    expect(await app.value('annotations:list', { seriesId: phantom.seriesId })).toEqual([]);
  });

  it('the named user and the named role see it, marked restricted, and open it', async () => {
    for (const [role, userId] of [['radiologist', 'u-named-rad'], ['technologist', 'u-any-tech']] as const) {
      app.gate.as(role, userId);
      const list = await app.value('studies:list', {});
      expect(list.find((s) => s.studyId === phantom.studyId)).toMatchObject({ restricted: true, patientId: 'PH-0001' });
      expect(list.find((s) => s.studyId === small.studyId)!.restricted).toBeUndefined();
      expect(await app.value('studies:search', { text: 'phantom', limit: 50, offset: 0 })).toMatchObject({ total: 1, studies: [{ studyId: phantom.studyId, restricted: true }] });
      const view = await app.value('series:open', { seriesId: phantom.seriesId });
      expect(view.dimensions).toEqual([256, 256, 80]);
      expect(await pixel(`${phantom.pixelPath}/45`)).toBe(200);
    }
  });

  it('an administrator sees it (to manage it) but opens its images only once named; lifting it shows it to everyone', async () => {
    app.gate.as('admin');
    expect(await listIds()).toContain(phantom.studyId);
    expect(await app.value('studies:restriction', { studyId: phantom.studyId })).toEqual({ studyId: phantom.studyId, users: ['u-named-rad'], roles: ['technologist'] });
    expect(await app.call('series:open', { seriesId: phantom.seriesId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await app.value('studies:restrict', { studyId: phantom.studyId, users: ['u-named-rad'], roles: ['technologist', 'admin'] });
    expect(await app.call('series:open', { seriesId: phantom.seriesId })).toMatchObject({ ok: true });

    await app.value('studies:restrict', { studyId: phantom.studyId, users: [], roles: [] });
    expect(await app.value('studies:restriction', { studyId: phantom.studyId })).toBeNull();
    app.gate.as('physician', 'u-any-phys');
    expect((await listIds()).sort()).toEqual([phantom.studyId, small.studyId].sort());
    expect(await app.call('series:open', { seriesId: phantom.seriesId })).toMatchObject({ ok: true });
    expect(await pixel(`${phantom.pixelPath}/0`)).toBe(200);
  });

  it('a restriction goes with its study when the study is purged', async () => {
    app.gate.as('admin');
    await app.value('studies:restrict', { studyId: small.studyId, users: ['u-named-rad'], roles: [] });
    await app.value('studies:purge', { studyId: small.studyId });
    expect(app.store.database.prepare('SELECT count(*) AS n FROM study_restrictions WHERE study_id = ?').get(small.studyId)).toEqual({ n: 0 });
    expect(await app.call('studies:restrict', { studyId: small.studyId, users: [], roles: ['admin'] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
