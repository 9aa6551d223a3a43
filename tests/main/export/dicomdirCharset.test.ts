// DICOMDIR records with international text: names and descriptions are written in the source files' Specific
// Character Set (here ISO 2022 IR 87, Japanese) with that set named in each record and for the directory,
// byte for byte as PS3.5 H.3.1 encodes its example, and read back equal by DCMTK (dcmdump +U8) and pydicom.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDicomdir, type DicomdirEntry } from '../../../src-shared/dicom/write/dicomdir';
import { exportDicomMedia } from '../../../src-main/services/export/dicomMediaExport';
import { scanDicomdir } from '../../../src-main/services/import/dicomdir';
import { DATA, python, requireTool, tmpDir } from '../../shared/deid/deidTestKit';
import { testDeps } from './exportKit';

const NAME = 'Yamada^Tarou=山田^太郎=やまだ^たろう';
// PS3.5 H.3.1: "Yamada^Tarou=ESC$B;3ED ESC(B^ESC$BB@O: ESC(B=ESC$B$d$^$@ESC(B^ESC$B$?$m$&ESC(B".
const NAME_BYTES = '59616d6164615e5461726f753d1b24423b3345441b28425e1b244242404f3a1b28423d1b24422464245e24401b28425e1b2442243f246d24261b2842';
const STUDY = '胸部ＣＴ検査';
const SERIES = 'アキシャル　造影';

function entry(n: number, over: Partial<DicomdirEntry> = {}): DicomdirEntry {
  return {
    fileId: ['DICOM', 'PT000001', 'ST000001', 'SE000001', `IM00000${n}`], sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `2.25.${100 + n}`,
    transferSyntaxUid: '1.2.840.10008.1.2.1', patientId: 'P1', patientName: NAME, studyInstanceUid: '2.25.1', studyDate: '20240101', studyTime: '101010',
    studyId: '1', studyDescription: STUDY, accessionNumber: '', seriesInstanceUid: '2.25.2', seriesNumber: '1', modality: 'CT', instanceNumber: String(n),
    seriesDescription: SERIES, specificCharacterSet: '\\ISO 2022 IR 87', ...over,
  };
}

const READ = `
import sys, json, pydicom
def cs(v): return v if v is None or isinstance(v, str) else list(v)
d = pydicom.dcmread(sys.argv[1])
recs = [dict(type=r.DirectoryRecordType, cs=cs(r.get('SpecificCharacterSet')), name=str(r.get('PatientName', '')),
             study=r.get('StudyDescription'), series=r.get('SeriesDescription')) for r in d.DirectoryRecordSequence]
print(json.dumps(dict(top=cs(d.get('SpecificCharacterSet')), recs=recs), ensure_ascii=False))
`;

function dump(file: string): string {
  return execFileSync('dcmdump', ['-q', '+U8', file], { encoding: 'utf8' });
}

/**
 * DCMTK 3.6.7 as Debian builds it cannot convert ISO 2022 IR 87 with +U8 (it fails on the standard's own
 * chrH31.dcm too: "Cannot open character encoding"), so its raw dump is converted with glibc's iconv.
 */
function dumpIso2022jp(file: string): string {
  return execFileSync('sh', ['-c', 'dcmdump -q "$1" | iconv -f ISO-2022-JP -t UTF-8', 'sh', file], { encoding: 'utf8' });
}

describe('DICOMDIR with international text', () => {
  beforeAll(() => {
    for (const t of ['dcmdump', 'iconv', 'dciodvfy']) requireTool(t);
  });

  it('writes ISO 2022 IR 87 names and descriptions that DCMTK and pydicom read back equal', () => {
    const dir = tmpDir('dicomdir-jp');
    const file = path.join(dir, 'DICOMDIR');
    const bytes = buildDicomdir([entry(1), entry(2)], 'ENCLAVE', '2.25.9');
    fs.writeFileSync(file, bytes);
    expect(Buffer.from(bytes).includes(Buffer.from(NAME_BYTES, 'hex'))).toBe(true);
    const r = JSON.parse(python(READ, [file])) as { top: unknown; recs: { type: string; cs: unknown; name: string; study?: string; series?: string }[] };
    expect(r.top).toEqual(['', 'ISO 2022 IR 87']);
    expect(r.recs.map((x) => x.type)).toEqual(['PATIENT', 'STUDY', 'SERIES', 'IMAGE', 'IMAGE']);
    expect(r.recs[0]).toMatchObject({ cs: ['', 'ISO 2022 IR 87'], name: NAME });
    expect(r.recs[1]).toMatchObject({ cs: ['', 'ISO 2022 IR 87'], study: STUDY });
    expect(r.recs[2]).toMatchObject({ cs: ['', 'ISO 2022 IR 87'], series: SERIES });
    // An IMAGE record has only ASCII keys: no character set of its own.
    expect(r.recs[3]?.cs).toBeNull();
    const d = dumpIso2022jp(file);
    expect(d).toContain(`(0010,0010) PN [${NAME}]`);
    expect(d).toContain(`(0008,1030) LO [${STUDY}]`);
    expect(d).toContain(`(0008,103e) LO [${SERIES}]`);
    expect(d).toMatch(/\(0008,0005\) CS \[\\ISO 2022 IR 87\]/);
    // Offsets still link every record: pydicom's FileSet follows them from the root (the image files are absent here).
    const tree = python(`import sys, warnings\nwarnings.simplefilter('ignore')\nfrom pydicom import dcmread\nfrom pydicom.fileset import FileSet\nprint(FileSet(dcmread(sys.argv[1])))`, [file]);
    expect(tree).toContain(`PATIENT: PatientID='P1', PatientName='${NAME}'`);
    expect(tree).toMatch(/STUDY: .*StudyDescription='胸部ＣＴ検査'\n\s+SERIES: Modality=CT, SeriesNumber=1\n\s+IMAGE: 2 SOP Instances/);
    const v = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
    expect(`${v.stdout}${v.stderr}`.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
  });

  it('writes a record in UTF-8 (ISO_IR 192) when its text has no encoding in the source character set', () => {
    const file = path.join(tmpDir('dicomdir-utf8'), 'DICOMDIR');
    const name = 'Hong^Gildong=洪^吉洞=홍^길동';
    fs.writeFileSync(file, buildDicomdir([entry(1, { patientName: name, studyDescription: 'CHEST', seriesDescription: '' })], 'ENCLAVE', '2.25.9'));
    const r = JSON.parse(python(READ, [file])) as { top: unknown; recs: { cs: unknown; name: string; study?: string }[] };
    expect(r.recs[0]).toMatchObject({ cs: 'ISO_IR 192', name });
    expect(r.recs[1]).toMatchObject({ cs: null, study: 'CHEST' });
    expect(dump(file)).toContain(`(0010,0010) PN [${name}]`);
  });

  it('DICOM media export keeps a Japanese study description (Clean Descriptors) in the DICOMDIR, and no patient name', async () => {
    const src = tmpDir('dicomdir-jp-src');
    const phantom = path.join(DATA, 'phantoms/ct-axial');
    const first = fs.readdirSync(phantom).sort()[0] as string;
    python(
      `import sys, pydicom\nd = pydicom.dcmread(sys.argv[1])\nd.SpecificCharacterSet = ['', 'ISO 2022 IR 87']\nd.PatientName = sys.argv[3]\nd.StudyDescription = sys.argv[4]\nd.SeriesDescription = sys.argv[5]\nd.save_as(sys.argv[2])`,
      [path.join(phantom, first), path.join(src, 'jp.dcm'), NAME, STUDY, SERIES],
    );
    const out = tmpDir('dicomdir-jp-media');
    await exportDicomMedia([path.join(src, 'jp.dcm')], out, { options: { cleanDescriptors: true } }, testDeps());
    const r = JSON.parse(python(READ, [path.join(out, 'DICOMDIR')])) as { recs: { type: string; cs: unknown; name: string; study?: string; series?: string }[] };
    expect(r.recs[1]).toMatchObject({ type: 'STUDY', cs: ['', 'ISO 2022 IR 87'], study: STUDY });
    expect(r.recs[2]).toMatchObject({ type: 'SERIES', series: SERIES });
    expect(r.recs[0]?.name).toBe('');
    expect(fs.readFileSync(path.join(out, 'DICOMDIR')).includes(Buffer.from('1b24423b334544', 'hex'))).toBe(false);
    expect(dumpIso2022jp(path.join(out, 'DICOMDIR'))).toContain(`(0008,1030) LO [${STUDY}]`);
    // The app's own importer reads the media back whole.
    const scan = await scanDicomdir(path.join(out, 'DICOMDIR'));
    expect(scan).toMatchObject({ broken: null, missing: [], recordsByType: { PATIENT: 1, STUDY: 1, SERIES: 1, IMAGE: 1 } });
  });
});
