// Series previews made at import: after importing the ct-axial phantom the series has a 96 x 96 PNG of its
// middle slice (z = -1 mm) at the file's window 40/400, where the phantom's anatomy is where the ground truth
// puts it (body mid-grey, lungs and air black, spine white at the bottom); it is served on app://enclave/thumbs/,
// kept only inside the encrypted database, and quick view gets one in memory.
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../../src-main/services/import/folderImport';
import { createAppProtocol } from '../../../src-main/services/protocol/appProtocol';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import { downscaleRgba, robustWindow, thumbnailSize } from '../../../src-main/services/store/seriesThumbnail';
import type { StudyStore, Thumbnail } from '../../../src-main/services/store/studyStore';
import { PHANTOMS } from './fixtures/phantomMeta';
import { filesContaining, makeTempStore, type TempStore } from './fixtures/tempStore';

const CT_AXIAL = path.join(PHANTOMS, 'ct-axial');
const PHI_TOKENS = ['Phantom', 'PH-0001', 'ACC0001', '19700101', 'Test Hospital', '1.2.826.0.1.3680043.10.1234'];

let temp: TempStore;
let store: EncryptedStudyStore;

beforeAll(async () => {
  temp = await makeTempStore();
  store = await temp.open();
  const report = await importPaths(store, [CT_AXIAL]);
  expect(report.added).toBe(80);
});

afterAll(async () => {
  await store?.close();
  temp?.cleanup();
});

async function onlySeries(s: StudyStore): Promise<string> {
  const studies = await s.listStudies();
  expect(studies).toHaveLength(1);
  const series = await s.listSeries(studies[0]!.studyId);
  expect(series).toHaveLength(1);
  return series[0]!.seriesId;
}

/** Grey level of the thumbnail at a patient (x, y) in mm, for the ct-axial geometry (origin -95.625, 0.75 mm, 256 px). */
function greyAt(png: PNG, xMm: number, yMm: number): number {
  const scale = png.width / 256;
  const col = Math.floor(((xMm + 95.625) / 0.75) * scale);
  const row = Math.floor(((yMm + 95.625) / 0.75) * scale);
  return png.data[(row * png.width + col) * 4]!;
}

function checkCtAxialPreview(t: Thumbnail): PNG {
  expect(t.mime).toBe('image/png');
  expect([t.width, t.height]).toEqual([96, 96]);
  const png = PNG.sync.read(Buffer.from(t.data));
  expect([png.width, png.height]).toEqual([96, 96]);
  // Window 40/400: body (40 HU) mid-grey, lungs (-800) and air black, spine (700) white.
  expect(Math.abs(greyAt(png, 0, 0) - 128)).toBeLessThanOrEqual(3);
  expect(greyAt(png, -40, -10)).toBeLessThanOrEqual(3);
  expect(greyAt(png, 40, -10)).toBeLessThanOrEqual(3);
  expect(greyAt(png, 0, 45)).toBeGreaterThanOrEqual(250);
  expect(greyAt(png, -93, -93)).toBeLessThanOrEqual(3);
  // Not blank: the centre region holds body and lungs.
  const centre: number[] = [];
  for (let y = 32; y < 64; y++) for (let x = 32; x < 64; x++) centre.push(png.data[(y * 96 + x) * 4]!);
  expect(Math.max(...centre) - Math.min(...centre)).toBeGreaterThan(100);
  return png;
}

describe('series thumbnails', () => {
  it('are made at import: 96 x 96 PNG of the middle slice, at the file window, anatomy in place', async () => {
    const t = store.getThumbnail(await onlySeries(store));
    expect(t).not.toBeNull();
    checkCtAxialPreview(t!);
  });

  it('live only inside the encrypted database: no identifying token in any file on disk', async () => {
    store.compact();
    for (const token of PHI_TOKENS) expect(filesContaining(temp.dataDir, token), token).toEqual([]);
    // The preview itself is not on disk in the clear either.
    const t = store.getThumbnail(await onlySeries(store))!;
    const chunk = Buffer.from(t.data).subarray(t.data.length - 200, t.data.length - 100).toString('latin1');
    expect(filesContaining(temp.dataDir, chunk)).toEqual([]);
  });

  it('are served at app://enclave/thumbs/<seriesId> as PNG, never cached; unknown ids are 404', async () => {
    const seriesId = await onlySeries(store);
    const protocol = createAppProtocol({
      rendererDir: temp.dataDir,
      pixels: { slices: async () => new ArrayBuffer(0) },
      thumbnails: { thumbnail: async (id) => store.getThumbnail(id) },
    });
    const res = await protocol(new Request(`app://enclave/thumbs/${seriesId}`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    checkCtAxialPreview({ width: 96, height: 96, mime: 'image/png', data: new Uint8Array(await res.arrayBuffer()) });
    expect((await protocol(new Request('app://enclave/thumbs/se-unknown'))).status).toBe(404);
    expect((await protocol(new Request('app://enclave/thumbs/a%2F..%2Fkeys.json'))).status).toBe(404);
  });

  it('quick view gets one too, in memory', async () => {
    const quick = new MemoryStudyStore('qv-');
    await importPaths(quick, [CT_AXIAL]);
    checkCtAxialPreview(quick.getThumbnail(await onlySeries(quick))!);
    await quick.close();
  });

  it('keep patient proportions, never enlarge, and average what they shrink', () => {
    expect(thumbnailSize(512, 512, [0.5, 0.5], 96)).toEqual({ width: 96, height: 96 });
    expect(thumbnailSize(512, 256, null, 96)).toEqual({ width: 96, height: 48 });
    // Rows 2 mm apart, columns 1 mm: the image is as tall as it is wide.
    expect(thumbnailSize(200, 100, [2, 1], 96)).toEqual({ width: 96, height: 96 });
    expect(thumbnailSize(40, 30, null, 96)).toEqual({ width: 40, height: 30 });
    // A 1-pixel checkerboard shrunk by 2 is flat grey, not aliased stripes.
    const rgba = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) rgba.fill(((i % 4) + Math.floor(i / 4)) % 2 ? 255 : 0, i * 4, i * 4 + 3);
    const small = downscaleRgba({ width: 4, height: 4, rgba, window: null }, 2, 2);
    expect([...small.rgba].filter((_, i) => i % 4 === 0)).toEqual([128, 128, 128, 128]);
  });

  it('window images without one on their 0.5..99.5 percentiles (a few extreme pixels do not flatten them)', () => {
    const values = new Float32Array(10_000).map((_, i) => i % 100);
    values[0] = 30_000;
    values[1] = -30_000;
    const w = robustWindow(values);
    expect(w.center).toBeCloseTo(49.5, 0);
    expect(w.width).toBeGreaterThan(95);
    expect(w.width).toBeLessThan(101);
  });
});
