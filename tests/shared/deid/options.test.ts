// Each option of PS3.15 E.3, switched on alone, keeps exactly what its column of Table E.1-1 says,
// and every other attribute gets the Basic Profile action. The fixture (made with pydicom at test time)
// fills every attribute of the table that has a single VR, plus a private block and an overlay.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import { writeTree } from '../../../src-shared/dicom/write/writeTree';
import { type DicomElement, findElement, tagHex } from '../../../src-shared/dicom/write/elementTree';
import { asciiValue } from '../../../src-shared/dicom/write/stringValues';
import { createDeidContext, deidentifyTree, type SafePrivateAttribute } from '../../../src-shared/deid/deidentify';
import { resolveRow } from '../../../src-shared/deid/profile';
import { PROFILE_ROWS } from '../../../src-shared/deid/profileTable';
import { OPTION_KEYS, type OptionKey, type ProfileRow } from '../../../src-shared/deid/profileTypes';
import { dcmdump, PYTHON, requireTool, tmpDir } from './deidTestKit';

interface Spec {
  tag: number;
  vr: string;
  value: unknown;
}

const ORIGINAL_UID_ROOT = '1.2.826.0.1.3680043.10.1234.9';
const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

function sentinel(vr: string, hex: string, n: number): unknown {
  switch (vr) {
    case 'AE': return 'ZZPHIAE';
    case 'AS': return '045Y';
    case 'AT': return 0x00100010;
    case 'CS': return 'ZZPHI';
    case 'DA': return '20230917';
    case 'DT': return '20230917101500';
    case 'TM': return '101500';
    case 'DS': return '1.5';
    case 'IS': return '7';
    case 'PN': return `ZZPHI^${hex}`;
    case 'UI': return `${ORIGINAL_UID_ROOT}.${n}`;
    case 'UR': return `http://zzphi.example/${hex}`;
    case 'US': case 'SS': case 'UL': case 'SL': case 'UV': case 'SV': return 7;
    case 'FL': case 'FD': return 1.5;
    case 'OB': case 'OW': case 'UN': return b64('ZZPHIZ');
    case 'SQ': return [[
      { tag: 0x00080100, vr: 'SH', value: 'ZZPHI-C' },
      { tag: 0x00080102, vr: 'SH', value: 'DCM' },
      { tag: 0x00080104, vr: 'LO', value: `ZZPHI ${hex}` },
    ]];
    default: return `ZZPHI ${hex}`;
  }
}

const USABLE = /^(AE|AS|AT|CS|DA|DT|TM|DS|IS|PN|UI|UR|US|SS|UL|SL|FL|FD|OB|OW|UN|SQ|LO|LT|SH|ST|UC|UT)$/;
const rows: ProfileRow[] = PROFILE_ROWS.filter((r) => USABLE.test(r.vr) && !r.tag.includes('X') && !/^000[02]/.test(r.tag));
const SAFE: SafePrivateAttribute[] = [{ creator: 'ENCLAVE SAFE TEST', group: 0x0009, element: 0x01 }];

function fixtureSpec(): Spec[] {
  const spec: Spec[] = rows.map((r, i) => ({ tag: parseInt(r.tag, 16), vr: r.vr, value: sentinel(r.vr, r.tag, i) }));
  spec.push(
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
    { tag: 0x00080060, vr: 'CS', value: 'OT' },
    { tag: 0x00090010, vr: 'LO', value: 'ENCLAVE SAFE TEST' },
    { tag: 0x00091001, vr: 'LO', value: 'ZZPHI^safe private' },
    { tag: 0x00091002, vr: 'LO', value: 'ZZPHI unsafe private' },
    { tag: 0x60000010, vr: 'US', value: 2 },
    { tag: 0x60000011, vr: 'US', value: 8 },
    { tag: 0x60000040, vr: 'CS', value: 'G' },
    { tag: 0x60000050, vr: 'SS', value: [1, 1] },
    { tag: 0x60000100, vr: 'US', value: 1 },
    { tag: 0x60000102, vr: 'US', value: 0 },
    { tag: 0x60003000, vr: 'OW', value: b64('\xff\x00') },
    { tag: 0x60004000, vr: 'LT', value: 'overlay by ZZPHI' },
  );
  return spec.sort((a, b) => a.tag - b.tag);
}

function run(input: Uint8Array, option?: OptionKey) {
  const tree = readTree(input);
  deidentifyTree(tree, createDeidContext(new TextEncoder().encode('options-secret'), option ? { [option]: true } : {}, SAFE));
  return readTree(writeTree(tree)).dataSet;
}

describe('each option alone keeps exactly what its column says', () => {
  let input: Uint8Array;
  let original: Map<number, DicomElement>;

  beforeAll(() => {
    requireTool('dcmdump');
    const dir = tmpDir('options');
    fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(fixtureSpec()));
    execFileSync(PYTHON, [path.join(__dirname, 'makeFixture.py'), path.join(dir, 'spec.json'), path.join(dir, 'fixture.dcm')]);
    expect(dcmdump(path.join(dir, 'fixture.dcm'))).toMatch(/ZZPHI/);
    input = new Uint8Array(fs.readFileSync(path.join(dir, 'fixture.dcm')));
    original = new Map(readTree(input).dataSet.elements.map((e) => [e.tag, e]));
  });

  it('the fixture holds every single-VR attribute of the table', () => {
    expect(rows.length).toBeGreaterThan(590);
    for (const r of rows) expect(original.has(parseInt(r.tag, 16)), r.name).toBe(true);
  });

  function expectRow(ds: ReturnType<typeof run>, row: ProfileRow, option: OptionKey | undefined): void {
    const tag = parseInt(row.tag, 16);
    const before = original.get(tag) as DicomElement;
    const after = findElement(ds, tag);
    const what = `${row.name} (${tagHex(tag)}) under ${option ?? 'Basic Profile'}`;
    const r = resolveRow(row, option ? { [option]: true } : {});
    const cell = option ? row.options[option] : undefined;
    if (cell === 'K') {
      expect(r.kind, what).toBe('keep');
      expect(after, what).toBeDefined();
      if (!after?.items) expect(Buffer.from(after?.value ?? []).equals(Buffer.from(before.value ?? [])), what).toBe(true);
      else expect(after.items.length, what).toBe(before.items?.length);
      return;
    }
    if (cell === 'X') {
      expect(after, what).toBeUndefined();
      return;
    }
    if (cell === 'C') {
      expect(after, what).toBeDefined();
      if (option === 'retainLongitudinalModifiedDates' && (row.vr === 'DA' || row.vr === 'DT')) {
        const v = asciiValue(after as DicomElement);
        expect(v, what).toMatch(/^\d{8}/);
        expect(v, what).not.toBe(asciiValue(before));
      } else if (!after?.items && row.vr !== 'CS' && /^(LO|LT|SH|ST|UT|UC|PN)$/.test(row.vr)) {
        const v = asciiValue(after as DicomElement);
        expect(v, what).not.toMatch(/ZZPHI/);
        expect(v, what).toContain(row.tag.slice(-4));
      }
      return;
    }
    // No cell in this column: the Basic Profile action.
    switch (r.kind) {
      case 'remove':
        expect(after, what).toBeUndefined();
        break;
      case 'empty':
        expect(after?.items?.length ?? after?.value?.length, what).toBe(0);
        break;
      case 'uid':
        expect(asciiValue(after as DicomElement), what).toMatch(/^2\.25\.\d+$/);
        break;
      case 'dummy':
        expect(after, what).toBeDefined();
        if (!after?.items) expect(Buffer.from(after?.value ?? []).equals(Buffer.from(before.value ?? [])), what).toBe(false);
        break;
      case 'keepSequenceReplaceUids':
        expect(after?.items?.length, what).toBe(1);
        break;
      default:
        throw new Error(`unexpected ${r.kind} for ${what}`);
    }
  }

  it('Basic Profile alone: every row gets its basic action', () => {
    const ds = run(input);
    for (const r of rows) expectRow(ds, r, undefined);
    expect(findElement(ds, 0x00091001)).toBeUndefined();
    expect(findElement(ds, 0x00090010)).toBeUndefined();
    expect(ds.elements.some((e) => e.tag >>> 16 === 0x6000)).toBe(false);
  });

  it.each(OPTION_KEYS)('%s alone', (option) => {
    const ds = run(input, option);
    const touched = rows.filter((r) => r.options[option] !== undefined);
    if (option !== 'cleanGraphics' && option !== 'retainSafePrivate') expect(touched.length).toBeGreaterThan(0);
    for (const r of rows) expectRow(ds, r, option);
    const safe = findElement(ds, 0x00091001);
    if (option === 'retainSafePrivate') {
      expect(asciiValue(findElement(ds, 0x00090010) as DicomElement)).toBe('ENCLAVE SAFE TEST');
      expect(safe && asciiValue(safe)).toMatch(/^\*+ ?\^?safe private$|safe private/);
      expect(safe && asciiValue(safe)).not.toMatch(/ZZPHI/);
      expect(findElement(ds, 0x00091002)).toBeUndefined();
    } else expect(safe).toBeUndefined();
    const overlay = ds.elements.filter((e) => e.tag >>> 16 === 0x6000);
    if (option === 'cleanGraphics') {
      expect(overlay.length).toBe(8);
      expect(asciiValue(findElement(ds, 0x60004000) as DicomElement)).toBe('overlay by *****');
    } else expect(overlay).toEqual([]);
  });

  it('Retain Safe Private also keeps what the file itself declares safe (Private Data Element Characteristics)', () => {
    const dir = tmpDir('declared');
    const spec = [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
      { tag: 0x00080018, vr: 'UI', value: `${ORIGINAL_UID_ROOT}.1` },
      { tag: 0x00080300, vr: 'SQ', value: [
        [{ tag: 0x00080301, vr: 'US', value: 0x0011 }, { tag: 0x00080302, vr: 'LO', value: 'VENDOR SAFE BLOCK' }, { tag: 0x00080303, vr: 'CS', value: 'SAFE' }],
        [{ tag: 0x00080301, vr: 'US', value: 0x0013 }, { tag: 0x00080302, vr: 'LO', value: 'VENDOR MIXED BLOCK' }, { tag: 0x00080303, vr: 'CS', value: 'MIXED' }, { tag: 0x00080304, vr: 'US', value: [0x02] }],
      ] },
      { tag: 0x00100010, vr: 'PN', value: 'ZZPHI^Declared' },
      { tag: 0x00110010, vr: 'LO', value: 'VENDOR SAFE BLOCK' },
      { tag: 0x00111001, vr: 'DS', value: '2.5' },
      { tag: 0x00130010, vr: 'LO', value: 'VENDOR MIXED BLOCK' },
      { tag: 0x00131001, vr: 'LO', value: 'ZZPHI identifying' },
      { tag: 0x00131002, vr: 'DS', value: '7.5' },
    ];
    fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));
    execFileSync(PYTHON, [path.join(__dirname, 'makeFixture.py'), path.join(dir, 'spec.json'), path.join(dir, 'declared.dcm')]);
    const file = new Uint8Array(fs.readFileSync(path.join(dir, 'declared.dcm')));
    const kept = run(file, 'retainSafePrivate');
    expect(findElement(kept, 0x00111001)).toBeDefined();
    expect(findElement(kept, 0x00131002)).toBeDefined();
    expect(findElement(kept, 0x00131001)).toBeUndefined();
    expect(findElement(kept, 0x00130010)).toBeDefined();
    const basic = run(file);
    expect(basic.elements.filter((e) => (e.tag >>> 16) % 2 === 1)).toEqual([]);
  });

  it('Modified Dates moves every date of the patient by the same number of days', () => {
    const ds = run(input, 'retainLongitudinalModifiedDates');
    const days = new Set<number>();
    for (const r of rows.filter((x) => x.vr === 'DA' && x.options.retainLongitudinalModifiedDates === 'C')) {
      const v = asciiValue(findElement(ds, parseInt(r.tag, 16)) as DicomElement);
      days.add((Date.UTC(+v.slice(0, 4), +v.slice(4, 6) - 1, +v.slice(6, 8)) - Date.UTC(2023, 8, 17)) / 86_400_000);
    }
    expect(days.size).toBe(1);
    const [d] = [...days];
    expect(d).toBeLessThanOrEqual(-365);
    expect(asciiValue(findElement(ds, 0x00280303) as DicomElement)).toBe('MODIFIED');
  });
});
