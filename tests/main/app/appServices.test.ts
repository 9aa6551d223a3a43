// The composed app in Node: dropped paths import, series open, pixels come over the protocol as stored
// values with the modality LUT beside them (HU = stored * slope + intercept).
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { createAppServices } from '../../../src-main/services/app/appServices';
import { openCache } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import { isPageChannel, type SeriesView } from '../../../src-shared/ipc/contract';

const phantoms = resolve(__dirname, '../../../../shared/data/phantoms');
const sender = { url: 'app://enclave/index.html', isTopFrame: true };

async function app() {
  const store = new MemoryStudyStore();
  const events: string[] = [];
  const services = createAppServices({
    cache: openCache(store), storeKind: 'memory', codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => null }, events: { emit: (name) => events.push(name) },
    rendererDir: '/nonexistent', version: 't',
  });
  return { services, events };
}

describe('app services', () => {
  it('imports dropped folders and files, then serves a slice in Hounsfield units', async () => {
    const { services, events } = await app();
    const r = await services.dispatch('import:paths', { paths: [join(phantoms, 'ct-axial'), join(phantoms, 'deid/phi-everywhere.dcm')] }, sender);
    // phi-everywhere.dcm reuses the SOP Instance UID of a ct-axial slice with other bytes: kept aside as a conflict.
    expect(r).toMatchObject({ ok: true, value: { added: 80, duplicates: 0, conflicts: 1 } });
    expect(events).toContain('studies:changed');
    const again = await services.dispatch('import:paths', { paths: [join(phantoms, 'ct-axial')] }, sender);
    expect(again).toMatchObject({ ok: true, value: { added: 0, duplicates: 80 } });

    const studies = await services.dispatch('studies:list', {}, sender);
    if (!studies.ok) throw new Error('list failed');
    const list = studies.value as { studyId: string; instanceCount: number }[];
    const ct = list.find((s) => s.instanceCount === 80)!;
    const series = await services.dispatch('series:list', { studyId: ct.studyId }, sender);
    if (!series.ok) throw new Error('series failed');
    const seriesId = (series.value as { seriesId: string }[])[0]!.seriesId;
    const opened = await services.dispatch('series:open', { seriesId }, sender);
    expect(opened).toMatchObject({ ok: true, value: { dimensions: [256, 256, 80], spacing: [0.75, 0.75, 2] } });
    if (!opened.ok) return;
    const view = opened.value as SeriesView;
    expect(view.origin).toEqual([-95.625, -95.625, -79]);
    expect(view.display).toMatchObject({ pixelType: 'uint16', modalityLut: { kind: 'linear', slope: 1, intercept: -1024 }, defaultWindow: { center: 40, width: 400 } });
    const k = view.frames.map((f) => f.instanceNumber).indexOf(46);
    expect(k).toBe(45);
    const res = await services.appProtocol(new Request(`app://enclave/${view.pixelPath}/${k}`));
    const stored = new Uint16Array(await res.arrayBuffer());
    const lut = view.display.modalityLut as { slope: number; intercept: number };
    // Lesion centre (20,-20) at z=11: column (20+95.625)/0.75, row (-20+95.625)/0.75.
    const at = (x: number, y: number) => stored[Math.round((y + 95.625) / 0.75) * 256 + Math.round((x + 95.625) / 0.75)]! * lut.slope + lut.intercept;
    expect(at(20, -20)).toBe(200);
    expect(at(0, 45)).toBe(700);
    expect(at(-40, -10)).toBe(-800);
    expect(at(0, 20)).toBe(40);
    // Slices 44..46 in one request: the same bytes as one by one.
    const run = new Uint16Array(await (await services.appProtocol(new Request(`app://enclave/${view.pixelPath}/44-46`))).arrayBuffer());
    expect(run.length).toBe(3 * 256 * 256);
    expect(Buffer.from(run.buffer, 2 * 256 * 256 * 1, 2 * 256 * 256).equals(Buffer.from(stored.buffer))).toBe(true);
  });

  it('purges one study or, with the explicit confirmation, everything', async () => {
    const { services } = await app();
    await services.dispatch('import:paths', { paths: [join(phantoms, 'ct-axial'), join(phantoms, 'mr-sagittal')] }, sender);
    const list = async () => ((await services.dispatch('studies:list', {}, sender)) as { ok: true; value: { studyId: string }[] }).value;
    const [study] = await list();
    expect(await services.dispatch('studies:purge', { studyId: study!.studyId }, sender)).toEqual({ ok: true, value: { purged: true } });
    expect(await list()).toEqual([]);
    expect(await services.dispatch('studies:purge', { studyId: study!.studyId }, sender)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await services.dispatch('import:paths', { paths: [join(phantoms, 'ct-axial')] }, sender);
    expect(await services.dispatch('studies:purgeAll', {}, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(await services.dispatch('studies:purgeAll', { confirm: 'yes' }, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect((await list()).length).toBe(1);
    expect(await services.dispatch('studies:purgeAll', { confirm: 'DELETE ALL' }, sender)).toEqual({ ok: true, value: { studies: 1 } });
    expect(await list()).toEqual([]);
  });

  it('refuses relative or hostile dropped paths, and the page cannot name them at all', async () => {
    const { services } = await app();
    expect(await services.dispatch('import:paths', { paths: ['../etc'] }, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(await services.dispatch('import:paths', { paths: [] }, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(isPageChannel('import:paths')).toBe(false);
    expect(isPageChannel('studies:list')).toBe(true);
  });
});
