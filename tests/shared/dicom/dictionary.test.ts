// The committed dictionary table is exactly what the generator makes from DCMTK's dicom.dic, and
// lookups agree with DCMTK's own names for the elements dcmdump prints.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { implicitVr, keywordToName, lookupTag, tagForKeyword } from '../../../src-shared/dicom/dictionary';

const ROOT = path.resolve(__dirname, '../../..');
const CORPUS = path.resolve(ROOT, '../shared/data/corpus');
const DIC = '/usr/share/libdcmtk17/dicom.dic';

describe('data dictionary', () => {
  it('is generated from DCMTK dicom.dic (regenerate and compare)', async () => {
    if (!existsSync(DIC)) throw new Error(`${DIC} (Debian package libdcmtk17) is required`);
    const gen = (await import(path.join(ROOT, 'tests/tools/generateDictionary.mjs'))) as { generate(dic: string): string };
    const committed = readFileSync(path.join(ROOT, 'src-shared/dicom/dictionaryData.ts'), 'utf8');
    expect(gen.generate(readFileSync(DIC, 'latin1')) === committed).toBe(true);
    // Bundled into the renderer: keep it compact.
    expect(committed.length).toBeLessThan(256 * 1024);
  });

  it('looks up standard, retired, repeating-group, group-length and private-creator tags', () => {
    expect(lookupTag('x00100010')).toMatchObject({ tag: '00100010', vr: 'PN', vm: '1', keyword: 'PatientName', name: 'Patient Name', retired: false });
    expect(lookupTag('(0008,0016)')).toMatchObject({ keyword: 'SOPClassUID', name: 'SOP Class UID', vr: 'UI' });
    expect(lookupTag(0x7fe00010)).toMatchObject({ keyword: 'PixelData', vr: 'px' });
    expect(lookupTag('00080040')?.retired).toBe(true);
    expect(lookupTag('60023000')).toMatchObject({ keyword: 'OverlayData', repeating: '60xx3000' });
    expect(lookupTag('601E0010')).toMatchObject({ keyword: 'OverlayRows', vr: 'US' });
    expect(lookupTag('50100030')).toMatchObject({ keyword: 'AxisUnits', retired: true });
    expect(lookupTag('60013000')).toBeUndefined(); // odd group: private, not an overlay
    expect(lookupTag('00283006')).toMatchObject({ keyword: 'LUTData' });
    expect(lookupTag('00090010')).toMatchObject({ keyword: 'PrivateCreator', vr: 'LO' });
    expect(lookupTag('00191000')).toBeUndefined();
    expect(lookupTag('00180000')).toMatchObject({ keyword: 'GroupLength', vr: 'UL' });
    expect(lookupTag('nonsense')).toBeUndefined();
    expect(tagForKeyword('StudyInstanceUID')).toBe('0020000D');
    expect(implicitVr(0x0028, 0x0106)).toBe('US');
    expect(implicitVr(0x7fe0, 0x0010)).toBe('OW');
    expect(implicitVr(0xfffe, 0xe000)).toBeUndefined();
    expect(keywordToName('ReferencedSOPInstanceUIDInFile')).toBe('Referenced SOP Instance UID In File');
  });

  it('agrees with the keywords dcmdump prints for a corpus file', () => {
    const file = path.join(CORPUS, 'debian-python3-pydicom/test_files/CT_small.dcm');
    const r = spawnSync('dcmdump', ['+L', '-q', file], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error('dcmdump (dcmtk) is required: ' + (r.error?.message ?? r.stderr));
    let checked = 0;
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*\(([0-9a-f]{4}),([0-9a-f]{4})\) (\w\w) .*#\s*\d+,\s*\S+\s+(\w+)$/.exec(line);
      if (!m || m[4] === 'Unknown' || m[4]?.startsWith('RETIRED_') || parseInt(m[1] as string, 16) % 2 === 1) continue;
      expect(lookupTag(`${m[1]}${m[2]}`)?.keyword, line).toBe(m[4]);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });
});
