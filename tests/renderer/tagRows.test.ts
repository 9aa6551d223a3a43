// The tag browser's rows: with identifying data hidden, no PHI from the phantom that carries it everywhere
// reaches what is rendered, nor can a search reveal it; search keeps ancestors; the frame's item opens.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { instanceTagsOf } from '../../src-main/services/tags/instanceTags';
import { HIDDEN, tagRows, type TagRow } from '../../src-renderer/views/tagRows';

const PHANTOMS = path.resolve(__dirname, '../../../shared/data/phantoms');
const CORPUS = path.resolve(__dirname, '../../../shared/data/corpus');
const phi = instanceTagsOf(new Uint8Array(readFileSync(path.join(PHANTOMS, 'deid/phi-everywhere.dcm'))));
/** GROUND_TRUTH.md: the token in every identifying text, the birth and study dates, the patient's UID root
 * (study/series/instance UIDs; the Implementation Class UID ...1234.0 names the writing software, not a patient). */
const PHI_TOKENS = ['ZZPHI', '19310417', '20230917', '1.2.826.0.1.3680043.10.1234.1'];
/** Every comma-bearing tag matches: all rows, every sequence and item open. */
const EVERYTHING = ',';

const shown = (rows: TagRow[]) => rows.map((r) => `${r.tag} ${r.name} ${r.creator ?? ''} ${r.value}`).join('\n');

describe('tag rows', () => {
  it('hide every identifying value of the PHI phantom, nested and private ones included', () => {
    const open = tagRows(phi, { hideIdentifying: false, query: EVERYTHING, toggled: new Set() });
    const hidden = tagRows(phi, { hideIdentifying: true, query: EVERYTHING, toggled: new Set() });
    // The same rows, so that nothing was hidden by leaving it out... except items of sequences hidden whole.
    for (const token of PHI_TOKENS) expect(shown(open), token).toContain(token);
    for (const token of PHI_TOKENS) expect(shown(hidden), token).not.toContain(token);
    const byTag = new Map(hidden.filter((r) => r.depth === 0).map((r) => [r.tag, r]));
    expect(byTag.get('0010,0010')).toMatchObject({ value: HIDDEN, hidden: true, name: 'Patient Name' });
    expect(byTag.get('0019,1010')).toMatchObject({ value: HIDDEN, creator: 'ACME PHI 1.0', name: 'Private tag' });
    expect(byTag.get('0019,0010')).toMatchObject({ value: 'ACME PHI 1.0', hidden: false });
    expect(byTag.get('0040,0275')).toMatchObject({ value: HIDDEN, expandable: false });
    expect(byTag.get('0028,0010')).toMatchObject({ value: '256', hidden: false });
    expect(byTag.get('0008,0060')).toMatchObject({ value: 'CT', hidden: false });
    expect(hidden.filter((r) => r.hidden).every((r) => r.value === HIDDEN && !r.valueTruncated)).toBe(true);
  });

  it('never match a hidden value in a search', () => {
    expect(tagRows(phi, { hideIdentifying: false, query: 'zzphi', toggled: new Set() }).length).toBeGreaterThan(20);
    expect(tagRows(phi, { hideIdentifying: true, query: 'zzphi', toggled: new Set() })).toEqual([]);
    expect(tagRows(phi, { hideIdentifying: true, query: '19310417', toggled: new Set() })).toEqual([]);
    // Searching by name still finds the attribute, with its value hidden.
    const byName = tagRows(phi, { hideIdentifying: true, query: 'patient name', toggled: new Set() });
    expect(byName.map((r) => r.tag)).toEqual(['0010,0010', '0010,1001']);
    expect(byName.every((r) => r.value === HIDDEN)).toBe(true);
  });

  it('search by tag, name or value keeps the ancestors of a nested match, open', () => {
    const rows = tagRows(phi, { hideIdentifying: false, query: '(0040,1001)', toggled: new Set() });
    expect(rows.map((r) => `${r.depth} ${r.kind} ${r.tag}`)).toEqual(['0 element 0040,0275', '1 item ', '2 element 0040,1001']);
    expect(rows[0]!.open).toBe(true);
    expect(tagRows(phi, { hideIdentifying: false, query: '00401001', toggled: new Set() }).at(-1)?.tag).toBe('0040,1001');
    expect(tagRows(phi, { hideIdentifying: false, query: 'requested procedure id', toggled: new Set() }).at(-1)?.tag).toBe('0040,1001');
    // A sequence found by its own name shows its content when opened.
    const seq = tagRows(phi, { hideIdentifying: false, query: 'request attributes', toggled: new Set(['0040,0275']) });
    expect(seq.length).toBeGreaterThan(3);
  });

  it('open sequences on demand, and the frame on screen in the per-frame groups', () => {
    const closed = tagRows(phi, { hideIdentifying: false, query: '', toggled: new Set() });
    expect(closed.every((r) => r.depth === 0)).toBe(true);
    const opened = tagRows(phi, { hideIdentifying: false, query: '', toggled: new Set(['0040,0275']) });
    expect(opened.length).toBeGreaterThan(closed.length);

    const enh = instanceTagsOf(new Uint8Array(readFileSync(path.join(CORPUS, 'dcm_qa_enh/In/Siemens/XA10/6_1.dcm'))), 3);
    const rows = tagRows(enh, { hideIdentifying: false, query: '', toggled: new Set() });
    const items = rows.filter((r) => r.kind === 'item' && r.key.startsWith('5200,9230/') && r.depth === 1);
    expect(items.map((r) => r.open)).toEqual([false, false, false, true, false, false]);
    expect(items[3]).toMatchObject({ currentFrame: true, name: 'Item 4' });
    // Only frame 3's groups are listed under the sequence: one Plane Position.
    expect(rows.filter((r) => r.tag === '0020,0032' && r.key.startsWith('5200,9230/')).map((r) => r.value)).toEqual(['-109.79\\-58.4774\\1.79644']);
  });
});
