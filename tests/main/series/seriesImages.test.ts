// 2D series through the series service, on real corpus files: colour of every model arrives as rgb8 equal
// to dcmtk's dcm2pnm, MONOCHROME1 says inverted, radiographs open as 'images' without volume warnings and
// with the calibration PS3.3 10.7 gives them, ultrasound loops carry their frame time and regions, and
// each open of a series in the encrypted store is audited once.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { importPaths } from '../../../src-main/services/import/folderImport';
import { DecodePool } from '../../../src-main/services/series/decodePool';
import { modalityValues } from '../../../src-main/services/series/seriesDisplay';
import { SeriesService } from '../../../src-main/services/series/seriesService';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { toModalityValues } from '../../../src-shared/dicom/pixels/modalityLut';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import type { StudyStore } from '../../../src-main/services/store/studyStore';
import { makeTempStore, type TempStore } from '../store/fixtures/tempStore';
import { buildDecodeWorker, CORPUS, PHANTOMS, type BuiltWorker } from './fixtures/decodeWorkerBuild';

const OUT = mkdtempSync(path.join(tmpdir(), 'enclave-series-images-'));
let built: BuiltWorker;
let pool: DecodePool;
beforeAll(async () => {
  built = await buildDecodeWorker();
  pool = new DecodePool(built.script);
});
afterAll(async () => {
  await pool?.close();
  built?.cleanup();
});

async function openOne(store: StudyStore & { listStudies: MemoryStudyStore['listStudies'] }, service: SeriesService) {
  const [study] = await store.listStudies();
  const [series] = await store.listSeries(study!.studyId);
  return service.openSeries(series!.seriesId);
}

async function open(rel: string) {
  const memory = new MemoryStudyStore();
  const report = await importPaths(memory, [path.join(CORPUS, rel)]);
  expect(report.added, rel).toBe(1);
  const service = new SeriesService(() => memory, await createNodeCodecs(), { decoder: pool });
  return { service, view: await openOne(memory, service) };
}

/** dcm2pnm's 8-bit RGB of frame 1 (Debian's dcm2pnm has no codecs: `decompress` first). */
function dcm2pnmRgb(file: string, decompress?: string): { width: number; height: number; rgb: Uint8Array } {
  const name = path.basename(file);
  if (decompress) {
    const raw = path.join(OUT, `${name}.raw.dcm`);
    const d = spawnSync(decompress, [file, raw], { encoding: 'utf8' });
    if (d.error || d.status !== 0) throw new Error(`${decompress} failed on ${file}: ${d.error?.message ?? d.stderr}`);
    file = raw;
  }
  const out = path.join(OUT, `${name}.png`);
  const r = spawnSync('dcm2pnm', ['+on', file, out], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`this test needs dcm2pnm (Debian dcmtk): ${r.error?.message ?? r.stderr}`);
  const png = PNG.sync.read(readFileSync(out));
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0, o = 0; i < png.data.length; i += 4, o += 3) rgb.set(png.data.subarray(i, i + 3), o);
  return { width: png.width, height: png.height, rgb };
}

/** pydicom's palette colour of frame 1, top 8 bits of 16-bit entries. */
function pydicomPaletteRgb(file: string): { width: number; height: number; rgb: Uint8Array } {
  const script = [
    'import sys, numpy as np, pydicom',
    'from pydicom.pixel_data_handlers.util import apply_color_lut',
    'ds = pydicom.dcmread(sys.argv[1]); a = ds.pixel_array',
    'a = a[0] if int(ds.get("NumberOfFrames", 1) or 1) > 1 else a',
    'rgb = apply_color_lut(a, ds)',
    'rgb = (rgb >> 8) if rgb.dtype != np.uint8 else rgb',
    'sys.stdout.buffer.write(np.array([ds.Columns, ds.Rows], dtype="<u4").tobytes() + rgb.astype(np.uint8).tobytes())',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, file], { maxBuffer: 1 << 28 });
  if (r.error || r.status !== 0) throw new Error(`this test needs pydicom (Debian python3-pydicom): ${r.error?.message ?? r.stderr.toString()}`);
  const out = r.stdout;
  return { width: out.readUInt32LE(0), height: out.readUInt32LE(4), rgb: new Uint8Array(out.subarray(8)) };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

describe('2D and colour series', () => {
  // Lossless colour must match dcmtk exactly (16-bit samples and 16-bit palettes keep their top 8 bits, as
  // dcm2pnm does); YCbCr within a mean of 0.3 level (YCbCr -> RGB rounding), baseline JPEG within 0.25
  // (decoders may round the IDCT and upsampling differently; today they agree exactly).
  const COLOUR: Array<{ rel: string; photometric: string; decompress?: string; mean: number; reference?: 'pydicom' }> = [
    { rel: 'pydicom-data/US1_UNCR.dcm', photometric: 'RGB', mean: 0 },
    { rel: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm', photometric: 'YBR_FULL_422', decompress: 'dcmdjpeg', mean: 0.25 },
    { rel: 'pydicom-data/OBXXXX1A.dcm', photometric: 'PALETTE COLOR', mean: 0 },
    { rel: 'dcm4che/test-data/YBR_422.dcm', photometric: 'YBR_FULL_422', mean: 0.3 },
    // dcmtk cannot apply segmented palettes: pydicom's apply_color_lut is the reference there.
    { rel: 'pydicom-data/gdcm-US-ALOKA-16.dcm', photometric: 'PALETTE COLOR', mean: 0, reference: 'pydicom' },
    { rel: 'pydicom-data/SC_rgb_16bit.dcm', photometric: 'RGB', mean: 0 },
  ];
  for (const c of COLOUR) {
    it(`${c.rel} (${c.photometric}) arrives as rgb8 equal to dcm2pnm within a mean difference of ${c.mean}`, async () => {
      const { service, view } = await open(c.rel);
      expect(view.display).toMatchObject({
        pixelType: 'rgb8', components: 3, photometric: c.photometric, inverted: false, windows: [], modalityLut: { kind: 'linear', slope: 1, intercept: 0 },
        defaultWindow: { center: 127.5, width: 255 }, valueRange: [0, 255],
      });
      expect(view).toMatchObject({ kind: 'images', warnings: [], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
      const ours = new Uint8Array(await service.slice(view.seriesId, 0));
      const ref = c.reference === 'pydicom' ? pydicomPaletteRgb(path.join(CORPUS, c.rel)) : dcm2pnmRgb(path.join(CORPUS, c.rel), c.decompress);
      expect([view.dimensions[0], view.dimensions[1]]).toEqual([ref.width, ref.height]);
      expect(ours.length).toBe(ref.width * ref.height * 3);
      const mean = meanAbsDiff(ours, ref.rgb);
      expect(mean).toBeLessThanOrEqual(c.mean);
    });
  }

  it('a MONOCHROME1 radiograph says inverted, opens as an image without volume warnings, and is measured at the detector', async () => {
    const { service, view } = await open('debian-python3-pydicom/test_files/dicomdirtests/77654033/CR1/6154');
    expect(view).toMatchObject({ kind: 'images', warnings: [], dimensions: [16, 16, 1], spacing: [0.1, 0.1, 1], origin: [0, 0, 0], cine: null });
    expect(view.display).toMatchObject({ photometric: 'MONOCHROME1', inverted: true, pixelType: 'uint16', components: 1 });
    expect(view.calibration).toEqual({ unit: 'mm (detector)', spacing: [0.1, 0.1], regions: [] });
    expect(view.frames[0]!.patientOrientation).toEqual(['L', 'F']);
    expect(new Uint16Array(await service.slice(view.seriesId, 0)).length).toBe(256);
  });

  it('a Modality LUT Sequence travels as a table the served stored values index, and a VOI LUT Sequence as a VOI LUT', async () => {
    const rel = 'fo-dicom/CR-ModalitySequenceLUT.dcm';
    const { service, view } = await open(rel);
    expect(view.display.pixelType).toBe('uint16');
    const lut = view.display.modalityLut;
    if (lut.kind !== 'table') throw new Error(`expected a table, got ${lut.kind}`);
    expect([lut.firstMapped, lut.values.length, lut.values.slice(0, 6)]).toEqual([0, 1024, [0, 0, 1, 2, 2, 3]]);
    // Through the table, the served stored values give what the in-process pipeline's modality values are.
    const stored = new Uint16Array(await service.slice(view.seriesId, 0));
    const file = parseDicom(new Uint8Array(readFileSync(path.join(CORPUS, rel))));
    const want = toModalityValues(await decodeFrame(file, 0, await createNodeCodecs()), file);
    expect(Float32Array.from(modalityValues(stored, lut))).toEqual(want);

    const voi = (await open('pydicom-data/vlut_04.dcm')).view.display;
    expect(voi.voiLuts).toHaveLength(1);
    expect(voi.voiLuts[0]).toMatchObject({ firstMapped: 0, bits: 16 });
    expect(voi.voiLuts[0]!.values.slice(0, 3)).toEqual([0, 257, 514]);
  });

  it('a mammogram with an Estimated Radiographic Magnification Factor is measured in mm (ERMF)', async () => {
    const { view } = await open('fo-dicom/OutOfBoundsOverlay.dcm');
    expect(view).toMatchObject({ kind: 'images', warnings: [], modality: 'MG' });
    expect(view.calibration.unit).toBe('mm (ERMF)');
    expect(view.calibration.spacing[0]).toBeCloseTo(0.085 / 1.0433386837881, 12);
    expect(view.spacing[0]).toBeCloseTo(0.085 / 1.0433386837881, 12);
    expect(view.frames[0]!.patientOrientation).toEqual(['R', 'P']);
  });

  it('a multi-frame ultrasound loop opens as images with its Frame Time, frames in order', async () => {
    const { service, view } = await open('debian-octave-dicom/US-PAL-8-10x-echo.dcm');
    expect(view).toMatchObject({ kind: 'images', warnings: [], dimensions: [600, 430, 10], cine: { frameTimeMs: 76 } });
    expect(view.display.pixelType).toBe('rgb8');
    expect(view.frames.map((f) => f.frameIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const all = await service.slices(view.seriesId, 0, 9);
    expect(all.byteLength).toBe(10 * 600 * 430 * 3);
    const one = await service.slice(view.seriesId, 7);
    expect(Buffer.from(all, 7 * 600 * 430 * 3, 600 * 430 * 3).equals(Buffer.from(one))).toBe(true);
  });

  it('an ultrasound image carries its regions in their physical units', async () => {
    const { view } = await open('pydicom-data/OBXXXX1A.dcm');
    expect(view.calibration.unit).toBe('px');
    const [image, doppler] = view.calibration.regions;
    expect(view.calibration.regions).toHaveLength(2);
    expect(image).toMatchObject({ bounds: [120, 60, 800, 518], unitsX: 'cm', unitsY: 'cm' });
    expect(image!.deltaX).toBeCloseTo(0.02622878766196997, 15);
    expect(image!.deltaY).toBeCloseTo(0.02622878766196997, 15);
    expect(doppler).toMatchObject({ bounds: [176, 522, 743, 576], unitsX: 's', unitsY: 'none', deltaY: 0 });
    expect(doppler!.deltaX).toBeCloseTo(0.009642736608649534, 15);
  });

  it('a JPEG ultrasound cine gets Frame Time 30 ms from the header, not the cine rate; an XA run its 33 ms', async () => {
    const { view } = await open('orthanc-tests/Issue16.dcm');
    expect(view).toMatchObject({ kind: 'images', warnings: [], cine: { frameTimeMs: 30 } });
    expect(view.dimensions[2]).toBe(34);
    const xa = await open('fo-dicom/HasFragmentSequence.dcm');
    expect(xa.view).toMatchObject({ kind: 'images', warnings: [], dimensions: [512, 512, 96], cine: { frameTimeMs: 33 } });
    expect(xa.view.display.pixelType).toBe('uint8');
    expect(new Uint8Array(await xa.service.slices(xa.view.seriesId, 94, 95)).length).toBe(2 * 512 * 512);
  });
});

describe('audit of series opens in the encrypted store', () => {
  let temp: TempStore;
  afterAll(() => temp?.cleanup());

  it('records DICOM Instances Accessed once per open, naming the series and its study', async () => {
    temp = await makeTempStore();
    const store = await temp.open();
    try {
      await importPaths(store, [path.join(PHANTOMS, 'mr-sagittal')]);
      const service = new SeriesService(() => store, await createNodeCodecs(), { decoder: pool });
      const accessed = () => store.audit.list().filter((e) => e.eventId === '110103');
      const before = accessed().length;
      const view = await openOne(store, service);
      await service.openSeries(view.seriesId);
      const events = accessed().slice(before);
      expect(events).toHaveLength(2);
      // The audit service adds the real identifiers (series and study UIDs, patient) inside the encryption.
      expect(events[0]!.objects).toEqual([
        expect.objectContaining({ type: 'series', id: view.seriesId, uid: expect.stringMatching(/^1\.2\./) }),
        expect.objectContaining({ type: 'study', id: view.studyId, uid: expect.stringMatching(/^1\.2\./), patientId: expect.any(String) }),
      ]);
      expect(view.display.pixelType).toMatch(/int16$/);
      await service.close();
    } finally {
      await store.close();
    }
  });
});
