// De-identified DICOM to a folder: one file per instance, named by its new SOP Instance UID.
import fs from 'node:fs';
import path from 'node:path';
import { writeTree } from '../../../src-shared/dicom/write/writeTree';
import { audited, optionDetail } from './auditExport';
import { deidentifyEach, planDeid, text } from './deidFiles';
import type { DeidExportOptions, ExportDeps, ExportResult, ExportInput } from './exportTypes';

export async function exportDeidentifiedFolder(inputs: readonly ExportInput[], outDir: string, opts: DeidExportOptions, deps: ExportDeps): Promise<ExportResult> {
  return audited(
    deps,
    'export.deidentifiedFolder',
    optionDetail(opts),
    async () => {
      const plan = await planDeid(inputs, opts, deps);
      fs.mkdirSync(outDir, { recursive: true });
      const files: ExportResult['files'] = [];
      for await (const d of deidentifyEach(inputs, plan, opts, deps)) {
        const sop = text(d.tree, 0x00080018);
        const output = path.join(outDir, `${sop}.dcm`);
        fs.writeFileSync(output, writeTree(d.tree));
        files.push({ source: d.source, output, sopInstanceUid: sop, burnedInFlagged: d.burnedInFlagged, redacted: d.redacted, ...(d.redactionNote ? { redactionNote: d.redactionNote } : {}), counts: d.counts });
      }
      return { files, outputPath: outDir };
    },
    (r) => r.files.length,
  );
}
