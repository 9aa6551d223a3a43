// Character sets: every corpus file with a non-default Specific Character Set must decode its
// patient name (and every other top-level text element) exactly as pydicom does.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { charsetOf } from '../../../src-shared/dicom/elements';
import { decodePersonName, decodeText } from '../../../src-shared/dicom/charset';
import { isAppError } from '../../../src-shared/errors';

const CORPUS = path.resolve(__dirname, '../../../../shared/data/corpus');
const PYTHON = '/usr/bin/python3';

/** Files whose Specific Character Set (INDEX.tsv, column Charset) is present and not the default. */
function charsetFiles(): string[] {
  const rows = readFileSync(path.join(CORPUS, 'INDEX.tsv'), 'utf8').trim().split('\n');
  const head = (rows.shift() ?? '').split('\t');
  const iPath = head.indexOf('path');
  const iCs = head.indexOf('Charset');
  const out = new Set<string>();
  for (const r of rows) {
    const c = r.split('\t');
    const cs = (c[iCs] ?? '').trim();
    if (cs && cs !== 'ISO_IR 6' && cs !== '(no value available)') out.add(c[iPath] as string);
  }
  // The sets MANIFEST.md names for character sets, whatever INDEX says about them.
  for (const dir of ['debian-python3-pydicom/charset_files', 'orthanc-tests/Encodings']) {
    for (const r of rows) {
      const p = r.split('\t')[iPath] as string;
      if (p.startsWith(dir + '/')) out.add(p);
    }
  }
  for (const p of ['fo-dicom/charset/chrGB2312.dcm', 'fo-dicom/GH1301.dcm', 'orthanc-tests/Issue56-NoPixelData.dcm', 'orthanc-tests/MarekLatin2.dcm']) out.add(p);
  return [...out].sort();
}

// One python run for all files: for each, the top-level text elements as pydicom decodes them.
const PY = String.raw`
import json, sys, warnings
warnings.simplefilter('ignore')
import pydicom
from pydicom.multival import MultiValue
out = {}
for p in json.load(sys.stdin):
    try:
        ds = pydicom.dcmread(p, force=True, stop_before_pixels=True)
        vals = {}
        for el in ds:
            if el.VR not in ('PN', 'SH', 'LO', 'ST', 'LT', 'UT', 'UC') or el.tag.is_private:
                continue
            v = el.value
            if v is None or v == '':
                continue
            items = list(v) if isinstance(v, MultiValue) else [v]
            vals['%08X' % el.tag] = [el.VR, '\\'.join(str(x) for x in items)]
        out[p] = {'ok': True, 'values': vals}
    except Exception as e:
        out[p] = {'ok': False, 'error': type(e).__name__}
json.dump(out, sys.stdout)
`;

interface PyResult {
  ok: boolean;
  values?: Record<string, [string, string]>;
  error?: string;
}

function pydicomReference(files: string[]): Record<string, PyResult> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} (with python3-pydicom) is required for the character set test`);
  const r = spawnSync(PYTHON, ['-c', PY], { input: JSON.stringify(files), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error('pydicom reference failed: ' + r.stderr);
  return JSON.parse(r.stdout) as Record<string, PyResult>;
}

describe('Specific Character Set decoding matches pydicom', () => {
  const rel = charsetFiles();
  const abs = rel.map((p) => path.join(CORPUS, p));
  const ref = pydicomReference(abs);

  it('covers the character-set files of the corpus', () => {
    expect(rel.length).toBeGreaterThan(400);
    for (const must of ['fo-dicom/GH1301.dcm', 'orthanc-tests/MarekLatin2.dcm', 'debian-python3-pydicom/charset_files/chrH31.dcm']) {
      expect(rel).toContain(must);
    }
  });

  it('decodes every patient name and top-level text element like pydicom', () => {
    const table: string[] = [];
    let names = 0;
    let texts = 0;
    const mismatches: string[] = [];
    for (const [i, file] of abs.entries()) {
      const r = ref[file];
      const name = rel[i] as string;
      if (!r?.ok) {
        table.push(`${name}\tpydicom cannot read (${r?.error})`);
        continue;
      }
      let parsed;
      try {
        parsed = parseDicom(new Uint8Array(readFileSync(file)), { untilPixelData: true });
      } catch (e) {
        if (!isAppError(e)) throw e;
        mismatches.push(`${name}: we fail to parse (${e.code}) but pydicom reads it`);
        continue;
      }
      const ds = parsed.dataSet;
      const cs = charsetOf(ds);
      for (const [tag, [vr, expected]] of Object.entries(r.values ?? {})) {
        const el = ds.elements['x' + tag.toLowerCase()];
        const bytes = el ? (ds.byteArray as Uint8Array).subarray(el.dataOffset, el.dataOffset + el.length) : undefined;
        const got = bytes ? (vr === 'PN' ? decodePersonName(bytes, cs) : decodeText(bytes, cs, vr)) : '<absent>';
        if (tag === '00100010') names++;
        else texts++;
        // pydicom 2.3 hands ISO 2022 IR 58 runs to Python's gb2312 codec escape and all, so its text
        // keeps ESC $ ) A as characters; PS3.5 6.1.2.5.3 makes the escape a designation, not text.
        const want = cs.includes('ISO 2022 IR 58') ? expected.replaceAll('\x1b$)A', '') : expected;
        if (got !== want) {
          // Never print the values themselves in CI logs: they may be names. Print code points of the first difference.
          let k = 0;
          while (k < got.length && got[k] === want[k]) k++;
          const cp = (s: string) => (s.codePointAt(k) ?? -1).toString(16);
          mismatches.push(`${name} (${tag} ${vr}, charset ${cs.join('\\')}): differs at char ${k}: ours U+${cp(got)} pydicom U+${cp(want)}`);
        }
      }
    }
    console.log(`charset: ${abs.length} files, ${names} patient names, ${texts} other text elements compared; ${mismatches.length} mismatches`);
    if (table.length) console.log(table.join('\n'));
    expect(mismatches).toEqual([]);
  });
});
