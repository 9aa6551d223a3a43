// Retain Safe Private keeps exactly the attributes of PS3.15 Table E.3.10-1 (matched by Private Creator and
// element byte, in whatever block the creator reserved), removes every other private element, and honours a
// row's condition. The file is written by pydicom (an independent writer); the result is read back by pydicom.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import { writeTree } from '../../../src-shared/dicom/write/writeTree';
import { createDeidContext, deidentifyTree } from '../../../src-shared/deid/deidentify';
import { SAFE_PRIVATE_ATTRIBUTES, type SafePrivateAttribute } from '../../../src-shared/deid/safePrivate';
import { PYTHON, python, tmpDir } from './deidTestKit';

const SERIES_UID = '1.2.826.0.1.3680043.10.1234.9.77';
const SPEC = [
  { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
  { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.10.1234.9.78' },
  { tag: 0x00080070, vr: 'LO', value: 'GE MEDICAL SYSTEMS' },
  { tag: 0x00100010, vr: 'PN', value: 'ZZPHI^Private' },
  { tag: 0x0020000e, vr: 'UI', value: SERIES_UID },
  // GE acquisition block in slot 0x10: 23/24/27/9E listed, 25 not.
  { tag: 0x00190010, vr: 'LO', value: 'GEMS_ACQU_01' },
  // Siemens MR header in slot 0x11 of the same group: 0C/0E/27 listed (27 as FD, not GE's DS), 10 not.
  { tag: 0x00190011, vr: 'LO', value: 'SIEMENS MR HEADER' },
  { tag: 0x00191023, vr: 'DS', value: '39.375' },
  { tag: 0x00191024, vr: 'DS', value: '3.2' },
  { tag: 0x00191025, vr: 'LO', value: 'ZZPHI unlisted GE' },
  { tag: 0x00191027, vr: 'DS', value: '0.8' },
  { tag: 0x0019109e, vr: 'LO', value: 'fgre' },
  { tag: 0x0019110c, vr: 'IS', value: '1000' },
  { tag: 0x0019110e, vr: 'FD', value: [0, 0, 1] },
  { tag: 0x00191110, vr: 'LO', value: 'ZZPHI unlisted Siemens' },
  { tag: 0x00191127, vr: 'FD', value: [1, 0, 0, 1, 0, 1] },
  // GE parameters in slot 0x12: 27 listed as SH; 39 is listed as IS, written here as LO: another attribute.
  { tag: 0x00430012, vr: 'LO', value: 'GEMS_PARM_01' },
  { tag: 0x00431227, vr: 'SH', value: '1.375:1' },
  { tag: 0x00431239, vr: 'LO', value: 'ZZPHI wrong VR' },
  // NeuroQuant: a kept UID is remapped like the standard ones.
  { tag: 0x00990010, vr: 'LO', value: 'NQHeader' },
  { tag: 0x00991002, vr: 'UI', value: SERIES_UID },
  { tag: 0x00991004, vr: 'SS', value: 0 },
  // A creator the table does not know: the whole block goes.
  { tag: 0x00b10010, vr: 'LO', value: 'ACME UNLISTED' },
  { tag: 0x00b11023, vr: 'DS', value: '1' },
];

const READ_BACK = `
import sys, json, pydicom
d = pydicom.dcmread(sys.argv[1])
out = {}
for e in d.iterall():
    if e.tag.group % 2 == 1:
        v = str(e.value) if e.VR in ('DS', 'IS') else e.value
        out['%08X' % int(e.tag)] = v.decode('latin1') if isinstance(v, bytes) else (list(v) if hasattr(v, '__iter__') and not isinstance(v, str) else v)
out['series'] = d.SeriesInstanceUID
print(json.dumps(out, default=str))
`;

describe('Retain Safe Private (PS3.15 Table E.3.10-1)', () => {
  let input: Uint8Array;
  const dir = tmpDir('safe-private');
  beforeAll(() => {
    fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(SPEC));
    execFileSync(PYTHON, [path.join(__dirname, 'makeFixture.py'), path.join(dir, 'spec.json'), path.join(dir, 'in.dcm')]);
    input = new Uint8Array(fs.readFileSync(path.join(dir, 'in.dcm')));
  });

  function run(options: Record<string, boolean>, list?: readonly SafePrivateAttribute[]): Record<string, unknown> {
    const tree = readTree(input);
    deidentifyTree(tree, createDeidContext(new TextEncoder().encode('safe-private-secret'), options, list));
    const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}.dcm`);
    fs.writeFileSync(out, writeTree(tree));
    return JSON.parse(python(READ_BACK, [out])) as Record<string, unknown>;
  }

  it('holds the table as data: creators, groups, element bytes and VRs', () => {
    // 479 rows in the current edition's table, each (creator, group, element byte) once.
    expect(SAFE_PRIVATE_ATTRIBUTES).toHaveLength(479);
    expect(new Set(SAFE_PRIVATE_ATTRIBUTES.map((s) => `${s.creator}|${s.group}|${s.element}`)).size).toBe(479);
    expect(SAFE_PRIVATE_ATTRIBUTES).toContainEqual(expect.objectContaining({ creator: 'Philips Imaging DD 001', group: 0x2001, element: 0x03, vr: 'FL', meaning: 'MR Image Diffusion B-Factor' }));
    expect(SAFE_PRIVATE_ATTRIBUTES).toContainEqual(expect.objectContaining({ creator: 'Philips Imaging DD 129', group: 0x2001, element: 0x09, vr: 'UL' }));
    expect(SAFE_PRIVATE_ATTRIBUTES).toContainEqual(expect.objectContaining({ creator: 'SIEMENS Ultrasound SC2000', group: 0x0119, element: 0x11, vr: '' }));
    expect(SAFE_PRIVATE_ATTRIBUTES).toContainEqual(expect.objectContaining({ creator: 'GEMS_ACQU_01', group: 0x0019, element: 0x23, vr: 'DS' }));
    expect(SAFE_PRIVATE_ATTRIBUTES).toContainEqual(expect.objectContaining({ creator: 'SIEMENS MR HEADER', group: 0x0019, element: 0x27, vr: 'FD', vm: '6' }));
    for (const s of SAFE_PRIVATE_ATTRIBUTES) {
      expect(s.group % 2, s.creator).toBe(1);
      expect(s.element).toBeGreaterThanOrEqual(0);
      expect(s.element).toBeLessThan(0x100);
    }
  });

  it('keeps the listed attributes with their creators, in any block, and removes every other private element', () => {
    const out = run({ retainSafePrivate: true });
    expect(out['00190010']).toBe('GEMS_ACQU_01');
    expect(out['00190011']).toBe('SIEMENS MR HEADER');
    expect(out['00191023']).toBe('39.375');
    expect(out['00191024']).toBe('3.2');
    expect(out['00191027']).toBe('0.8');
    expect(out['0019109E']).toBe('fgre');
    expect(out['0019110C']).toBe('1000');
    expect(out['0019110E']).toEqual([0, 0, 1]);
    expect(out['00191127']).toEqual([1, 0, 0, 1, 0, 1]);
    expect(out['00431227']).toBe('1.375:1');
    expect(out['00991004']).toBe(0);
    // Unlisted elements of listed creators, a listed element byte with another VR, and an unknown creator: gone.
    for (const t of ['00191025', '00191110', '00431239', '00B10010', '00B11023']) expect(out[t], t).toBeUndefined();
    expect(JSON.stringify(out)).not.toContain('ZZPHI');
    // The kept UID follows the series UID's remapping.
    expect(out['00991002']).toBe(out['series']);
    expect(out['series']).not.toBe(SERIES_UID);
  });

  it('keeps nothing private without the option', () => {
    const out = run({});
    expect(Object.keys(out).filter((k) => k !== 'series')).toEqual([]);
  });

  it("honours a row's condition on the same data set", () => {
    const row = SAFE_PRIVATE_ATTRIBUTES.find((s) => s.creator === 'GEMS_ACQU_01' && s.element === 0x23) as SafePrivateAttribute;
    const when = (oneOf: string[]) => [{ ...row, condition: { tag: 0x00080070, oneOf, text: 'Manufacturer is GE' } }];
    expect(run({ retainSafePrivate: true }, when(['GE MEDICAL SYSTEMS']))['00191023']).toBe('39.375');
    const unmet = run({ retainSafePrivate: true }, when(['SIEMENS']));
    expect(unmet['00191023']).toBeUndefined();
    expect(unmet['00190010']).toBeUndefined();
  });
});
