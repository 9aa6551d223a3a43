import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILE_EDITION, PROFILE_ROWS } from '../../../src-shared/deid/profileTable';
import { profileRowFor, resolveRow } from '../../../src-shared/deid/profile';

const sourceDir = path.join(__dirname, 'profileSource');

describe('PS3.15 Table E.1-1 as data', () => {
  it('holds every row of the 2024b edition', () => {
    expect(PROFILE_EDITION).toBe('2024b');
    expect(PROFILE_ROWS).toHaveLength(621);
    expect(new Set(PROFILE_ROWS.map((r) => r.tag)).size).toBe(621);
  });

  it('matches the transcribed source row for row', () => {
    const source = fs.readFileSync(path.join(sourceDir, 'basic2024b.txt'), 'utf8').trim().split('\n');
    expect(source).toHaveLength(PROFILE_ROWS.length);
    source.forEach((line, i) => {
      const [action, tag] = line.split(' ');
      const row = PROFILE_ROWS[i];
      expect(row?.basic).toBe(action);
      expect(row?.tag).toBe(tag?.replace(',', '').toUpperCase());
    });
  });

  it('is what the generator makes from the sources (regenerated and compared)', () => {
    const out = execFileSync(process.execPath, [path.join(sourceDir, 'generateProfileTable.mjs')], { encoding: 'utf8' });
    expect(out).toBe(fs.readFileSync(path.resolve(__dirname, '../../../src-shared/deid/profileTable.ts'), 'utf8'));
  });

  // A sample of rows checked against the standard's printed table (2024b, Table E.1-1).
  it.each([
    ['00100010', "Patient's Name", 'Z', {}],
    ['00100020', 'Patient ID', 'Z/D', {}],
    ['00100030', "Patient's Birth Date", 'Z', {}],
    ['00080018', 'SOP Instance UID', 'U', { retainUids: 'K' }],
    ['00080080', 'Institution Name', 'X/Z/D', { retainInstitutionIdentity: 'K' }],
    ['00081010', 'Station Name', 'X/Z/D', { retainDeviceIdentity: 'K' }],
    ['00080020', 'Study Date', 'Z', { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' }],
    ['00081030', 'Study Description', 'X', { cleanDescriptors: 'C' }],
    ['00101010', "Patient's Age", 'X', { retainPatientCharacteristics: 'K' }],
    ['0040A730', 'Content Sequence', 'D', { cleanStructuredContent: 'C' }],
    ['00700001', 'Graphic Annotation Sequence', 'D', { cleanGraphics: 'C' }],
    ['00081140', 'Referenced Image Sequence', 'X/Z/U*', { retainUids: 'K' }],
    // The earlier edition's extract had X under Retain UIDs; the standard's text has K (fixed by the check).
    ['00081120', 'Referenced Patient Sequence', 'X', { retainUids: 'K' }],
    // Derived cells the check completed: device identity is kept on calibration dates, AE titles are cleaned.
    ['0014407E', 'Calibration Date', 'X', { retainDeviceIdentity: 'K', retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' }],
    ['00080055', 'Station AE Title', 'X', { retainDeviceIdentity: 'C' }],
    ['00080106', 'Context Group Version', 'D', { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' }],
    ['GGGGEEEE', 'Private attributes', 'X', { retainSafePrivate: 'C' }],
  ])('row %s %s', (tag, name, basic, options) => {
    const row = PROFILE_ROWS.find((r) => r.tag === tag);
    expect(row).toMatchObject({ name, basic, options });
  });

  it('has every option cell checked against the standard text, the result recorded per row', () => {
    const count = (f: (r: (typeof PROFILE_ROWS)[number]) => boolean) => PROFILE_ROWS.filter(f).length;
    // Every row of 2024b is in the text checked; none is left unchecked.
    expect(count((r) => r.optionsCheck === 'absent')).toBe(0);
    // The 105 rows whose cells were derived by rule: 94 agreed, 11 lacked a Retain Device Identity K.
    expect(count((r) => r.optionsSource === 'derived' && r.optionsCheck === 'agrees' && Object.keys(r.options).length > 0)).toBe(94);
    expect(count((r) => r.optionsSource === 'derived' && r.optionsCheck === 'fixed')).toBe(56);
    expect(count((r) => r.optionsSource === 'innolitics' && r.optionsCheck === 'fixed')).toBe(4);
    expect(count((r) => r.optionsCheck === 'agrees')).toBe(561);
  });

  it('finds overlay and curve rows by their repeating groups', () => {
    expect(profileRowFor(0x60023000)?.name).toBe('Overlay Data');
    expect(profileRowFor(0x501e0010)?.name).toBe('Curve Data');
    expect(profileRowFor(0x60013000)).toBeUndefined();
  });

  it('resolves choices so that a present attribute stays conformant, and options to their column', () => {
    const row = (t: number) => profileRowFor(t)!;
    expect(resolveRow(row(0x00080080), {}).kind).toBe('dummy');
    expect(resolveRow(row(0x00080022), {}).kind).toBe('empty');
    expect(resolveRow(row(0x00080023), {}).kind).toBe('dummy');
    expect(resolveRow(row(0x00100020), {}).kind).toBe('empty');
    expect(resolveRow(row(0x00081030), {}).kind).toBe('remove');
    expect(resolveRow(row(0x00080080), { retainInstitutionIdentity: true }).kind).toBe('keep');
    expect(resolveRow(row(0x00080020), { retainLongitudinalModifiedDates: true }).kind).toBe('shiftDates');
    expect(resolveRow(row(0x00081120), { retainUids: true }).kind).toBe('keep');
    expect(resolveRow(row(0x00080055), { retainDeviceIdentity: true }).kind).toBe('clean');
  });
});
