// De-identified DICOM media: files under DICOM/PTnnnnnn/STnnnnnn/SEnnnnnn/IMnnnnnn and a DICOMDIR at the
// root, written by the app itself (no dcmtk at run time).
import fs from 'node:fs';
import path from 'node:path';
import { buildDicomdir, type DicomdirEntry } from '../../../src-shared/dicom/write/dicomdir';
import { parseSpecificCharacterSet, decodeText } from '../../../src-shared/dicom/charset';
import type { DicomTree } from '../../../src-shared/dicom/write/elementTree';
import { findElement, putElement } from '../../../src-shared/dicom/write/elementTree';
import { stringElement } from '../../../src-shared/dicom/write/stringValues';
import { outputTransferSyntax, writeTree } from '../../../src-shared/dicom/write/writeTree';
import { createUidRemapper } from '../../../src-shared/deid';
import { hmacSha256 } from '../../../src-shared/deid/sha256';
import { audited, optionDetail } from './auditExport';
import { deidentifyEach, planDeid, text } from './deidFiles';
import type { DeidExportOptions, ExportDeps, ExportResult, ExportInput } from './exportTypes';

const pad = (prefix: string, n: number) => `${prefix}${String(n).padStart(6, '0')}`;

/** A stable pseudonymous Patient ID (Table E.1-1 allows D for Patient ID): media records need one. */
function patientPseudonym(secret: Uint8Array, originalKey: string): string {
  const mac = hmacSha256(secret, new TextEncoder().encode(`patient:${originalKey}`));
  return `ANON${Array.from(mac.subarray(0, 5), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase()}`;
}

/** A text value decoded with the file's own Specific Character Set (the DICOMDIR re-encodes it). */
function decoded(tree: DicomTree, tag: number, vr: string): string {
  const v = findElement(tree.dataSet, tag)?.value;
  return v ? decodeText(v, parseSpecificCharacterSet(text(tree, 0x00080005)), vr).trim() : '';
}

export interface MediaFile {
  /** Path components under the media root. */
  fileId: string[];
  bytes: Uint8Array;
}

/**
 * De-identifies the inputs and lays them out as a DICOM file-set: each file is handed to `sink` as soon as
 * it is made (so a large study is never all in memory), the DICOMDIR last.
 */
export async function buildDicomMedia(inputs: readonly ExportInput[], opts: DeidExportOptions, deps: ExportDeps, sink: (file: MediaFile) => Promise<void> | void): Promise<ExportResult['files']> {
  const plan = await planDeid(inputs, opts, deps);
  const ids = { patient: new Map<string, number>(), study: new Map<string, number>(), series: new Map<string, number>() };
  const counter = new Map<string, number>();
  const next = (key: string) => {
    const n = (counter.get(key) ?? 0) + 1;
    counter.set(key, n);
    return n;
  };
  const entries: DicomdirEntry[] = [];
  const files: ExportResult['files'] = [];
  for await (const d of deidentifyEach(inputs, plan, opts, deps)) {
    if (!opts.options?.retainUids && text(d.tree, 0x00100020) === '') {
      putElement(d.tree.dataSet, stringElement(0x00100020, 'LO', patientPseudonym(deps.secret, plan.patientKey.get(d.source) ?? '')));
    }
    const pid = text(d.tree, 0x00100020);
    const study = text(d.tree, 0x0020000d);
    const series = text(d.tree, 0x0020000e);
    if (!ids.patient.has(pid)) ids.patient.set(pid, next('patient'));
    if (!ids.study.has(study)) ids.study.set(study, next(`study:${pid}`));
    if (!ids.series.has(series)) ids.series.set(series, next(`series:${study}`));
    const fileId = ['DICOM', pad('PT', ids.patient.get(pid) ?? 0), pad('ST', ids.study.get(study) ?? 0), pad('SE', ids.series.get(series) ?? 0), pad('IM', next(`image:${series}`))];
    await sink({ fileId, bytes: writeTree(d.tree) });
    const sop = text(d.tree, 0x00080018);
    entries.push({
      fileId,
      sopClassUid: text(d.tree, 0x00080016),
      sopInstanceUid: sop,
      transferSyntaxUid: outputTransferSyntax(d.tree),
      patientId: decoded(d.tree, 0x00100020, 'LO'),
      patientName: decoded(d.tree, 0x00100010, 'PN'),
      studyInstanceUid: study,
      studyDate: text(d.tree, 0x00080020),
      studyTime: text(d.tree, 0x00080030),
      studyId: decoded(d.tree, 0x00200010, 'SH'),
      studyDescription: decoded(d.tree, 0x00081030, 'LO'),
      accessionNumber: decoded(d.tree, 0x00080050, 'SH'),
      seriesDescription: decoded(d.tree, 0x0008103e, 'LO'),
      specificCharacterSet: text(d.tree, 0x00080005),
      seriesInstanceUid: series,
      seriesNumber: text(d.tree, 0x00200011),
      modality: text(d.tree, 0x00080060),
      instanceNumber: text(d.tree, 0x00200013),
    });
    files.push({ source: d.source, output: fileId.join('/'), sopInstanceUid: sop, burnedInFlagged: d.burnedInFlagged, redacted: d.redacted, ...(d.redactionNote ? { redactionNote: d.redactionNote } : {}), counts: d.counts });
  }
  const fileSetUid = createUidRemapper(deps.secret).map(`fileset:${entries.map((e) => e.sopInstanceUid).join(',')}`);
  await sink({ fileId: ['DICOMDIR'], bytes: buildDicomdir(entries, 'ENCLAVE', fileSetUid) });
  return files;
}

export async function exportDicomMedia(inputs: readonly ExportInput[], outDir: string, opts: DeidExportOptions, deps: ExportDeps): Promise<ExportResult> {
  return audited(
    deps,
    'export.dicomMedia',
    optionDetail(opts),
    async () => {
      const files = await buildDicomMedia(inputs, opts, deps, (m) => {
        const output = path.join(outDir, ...m.fileId);
        fs.mkdirSync(path.dirname(output), { recursive: true });
        fs.writeFileSync(output, m.bytes);
      });
      return { files: files.map((f) => ({ ...f, output: path.join(outDir, ...f.output.split('/')) })), outputPath: outDir };
    },
    (r) => r.files.length,
  );
}
