// What a PACS query asks and what it answers, validated where it crosses into main (the UI, the CLI): short
// values without the characters that would change a QIDO-RS or C-FIND query's meaning. Pure: the query panel and
// the contract can use it.
import { z } from 'zod';

const text = (max: number) =>
  z
    .string()
    .max(max)
    // No control characters; no '\' (a DICOM multi-value separator) or ',' '&' '=' '#' (QIDO list and URL syntax).
    .regex(/^[^\p{Cc}\\,&=#]*$/u, 'no control characters, \\ , & = #');
const dicomDate = z.string().regex(/^\d{8}$/, 'a date as YYYYMMDD');
export const dicomUid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID').max(64);

export const pacsQuerySchema = z.strictObject({
  /** Wildcards * and ? as DICOM has them; '^' separates family and given names. */
  patientName: text(64).optional(),
  patientId: text(64).optional(),
  birthDate: dicomDate.optional(),
  studyDateFrom: dicomDate.optional(),
  studyDateTo: dicomDate.optional(),
  modality: z.string().regex(/^[A-Z0-9]{1,16}$/, 'a modality code such as CT').optional(),
  accession: text(16).optional(),
  description: text(64).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).max(100_000).default(0),
});

export type PacsQuery = z.input<typeof pacsQuerySchema>;

export interface PacsStudy {
  studyInstanceUid: string;
  patientName: string;
  patientId: string;
  birthDate: string;
  studyDate: string;
  studyTime: string;
  accession: string;
  description: string;
  modalities: string[];
  seriesCount: number | null;
  instanceCount: number | null;
}

export interface PacsSeries {
  seriesInstanceUid: string;
  modality: string;
  seriesNumber: number | null;
  description: string;
  instanceCount: number | null;
}

export interface PacsInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  instanceNumber: number | null;
}
