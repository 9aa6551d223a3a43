// `enclave anonymize`: options by their CLI names, per-file report, non-DICOM files skipped, same secret
// file -> same UIDs on a second run.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { anonymizeCommand, CLI_OPTIONS, REDACT_REGIONS_HELP, runAnonymize } from '../../../src-main/cli/anonymize';
import { OPTION_KEYS } from '../../../src-shared/deid';
import { DATA, PHI_FILE, dcmdump, tmpDir } from '../../shared/deid/deidTestKit';

function inputFolder(): string {
  const dir = tmpDir('cli-in');
  const series = path.join(DATA, 'phantoms/ct-axial');
  for (const f of fs.readdirSync(series).sort().slice(0, 3)) fs.copyFileSync(path.join(series, f), path.join(dir, f));
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.copyFileSync(PHI_FILE, path.join(dir, 'sub', 'phi.dcm'));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not dicom');
  return dir;
}

describe('enclave anonymize', () => {
  it('names every option', () => {
    expect(Object.values(CLI_OPTIONS).sort()).toEqual([...OPTION_KEYS].sort());
    expect(CLI_OPTIONS['retain-uids']).toBe('retainUids');
    expect(CLI_OPTIONS['retain-long-modified-dates']).toBe('retainLongitudinalModifiedDates');
  });

  it('de-identifies a folder, reports per file, skips non-DICOM, and maps UIDs the same on a re-run', async () => {
    const input = inputFolder();
    const secretFile = path.join(tmpDir('cli-secret'), 'deid-secret');
    const out1 = tmpDir('cli-out1');
    const s1 = await runAnonymize({ input, output: out1, options: ['retain-long-modified-dates', 'clean-descriptors'], secretFile });
    expect(s1.result.files).toHaveLength(4);
    expect(s1.skipped.map((f) => path.basename(f))).toEqual(['notes.txt']);
    expect(s1.lines[0]).toMatch(/ -> 2\.25\.\d+\.dcm: removed \d+, emptied \d+, .*dates shifted [1-9]/);
    expect(s1.lines.at(-1)).toMatch(/4 file\(s\) de-identified .*options: retainLongitudinalModifiedDates, cleanDescriptors\), 1 skipped/);
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    const phiOut = s1.result.files.find((f) => f.source.endsWith('phi.dcm'))?.output as string;
    const dump = dcmdump(phiOut);
    expect(dump).not.toMatch(/ZZPHI|20230917/);
    expect(dump).toMatch(/\(0028,0303\) CS \[MODIFIED\]/);
    expect(dump).toMatch(/113107/);
    const out2 = tmpDir('cli-out2');
    const s2 = await runAnonymize({ input, output: out2, options: ['retain-long-modified-dates', 'clean-descriptors'], secretFile });
    expect(s2.result.files.map((f) => f.sopInstanceUid)).toEqual(s1.result.files.map((f) => f.sopInstanceUid));
  });

  it('keeps UIDs with retain-uids, refuses unknown options', async () => {
    const input = inputFolder();
    const out = tmpDir('cli-uids');
    const secretFile = path.join(tmpDir('cli-secret2'), 's');
    const s = await runAnonymize({ input, output: out, options: ['retain-uids'], secretFile });
    expect(s.result.files.every((f) => f.sopInstanceUid.startsWith('1.2.826.0.1.3680043.10.1234'))).toBe(true);
    await expect(runAnonymize({ input, output: out, options: ['retain-everything'], secretFile })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('is a commander command that prints one line per file', async () => {
    const input = inputFolder();
    const out = tmpDir('cli-cmd');
    const logged: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => logged.push(a.join(' '));
    try {
      await anonymizeCommand().parseAsync([input, out, '--dicomdir', '--secret-file', path.join(tmpDir('cli-secret3'), 's')], { from: 'user' });
    } finally {
      console.log = orig;
    }
    expect(logged).toHaveLength(6);
    expect(fs.existsSync(path.join(out, 'DICOMDIR'))).toBe(true);
  });

  it('--redact-regions: a JSON of rectangles by image size or SOP instance blanks the flagged images, and bad JSON is refused', async () => {
    const dir = tmpDir('cli-redact');
    const us = path.join(DATA, 'corpus/orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm');
    fs.copyFileSync(us, path.join(dir, 'us.dcm'));
    const regions = path.join(tmpDir('cli-regions'), 'regions.json');
    fs.writeFileSync(regions, JSON.stringify({ version: 1, bySize: [{ columns: 640, rows: 480, rects: [{ x: 0, y: 0, width: 640, height: 40 }] }] }));
    const secretFile = path.join(tmpDir('cli-secret4'), 's');
    const out = tmpDir('cli-redacted');
    // Without regions the ultrasound is refused (burned-in text), with them it is redacted and said so.
    await expect(runAnonymize({ input: dir, output: tmpDir('cli-refused'), secretFile })).rejects.toMatchObject({ code: 'DEID_BURNED_IN' });
    const s = await runAnonymize({ input: dir, output: out, secretFile, redactRegions: regions });
    expect(s.lines[0]).toMatch(/\[burned-in: redacted, Burned-in text redacted: 1 rectangle\(s\) blanked in 1 frame\(s\); pixel data decoded from JPEG Baseline \(lossy\) and re-encoded uncompressed \(the original was lossy compressed\)\]/);
    const dump = dcmdump(s.result.files[0]?.output as string);
    expect(dump).toMatch(/\(0028,0301\) CS \[NO\]/);
    expect(dump).toMatch(/\(0028,2110\) CS \[01\]/);
    expect(dump).toMatch(/TransferSyntaxUID.*LittleEndianExplicit|=LittleEndianExplicit/);
    fs.writeFileSync(regions, JSON.stringify({ bySize: [{ columns: 640, rows: 480, rects: [{ x: 0, y: 0, width: -1, height: 40 }] }] }));
    await expect(runAnonymize({ input: dir, output: tmpDir('cli-bad'), secretFile, redactRegions: regions })).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/bySize\.0\.rects\.0\.width/) });
    fs.writeFileSync(regions, '{ not json');
    await expect(runAnonymize({ input: dir, output: tmpDir('cli-bad2'), secretFile, redactRegions: regions })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(anonymizeCommand().helpInformation() + REDACT_REGIONS_HELP).toMatch(/--redact-regions <file>[\s\S]*bySopInstance/);
  });
});
