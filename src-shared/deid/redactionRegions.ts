// The redaction regions a user saves (per image size and device, reusable across a series and later
// studies from the same machine) or draws on one image (per SOP Instance UID), as a small JSON document.
// The CLI reads it from --redact-regions FILE; the export dialog builds the same shape.
import { z } from 'zod';
import { AppError } from '../errors';
import type { Rect } from './redactPixels';

const MAX_DIM = 65535;
const RectSchema = z
  .object({
    x: z.number().int().min(0).max(MAX_DIM),
    y: z.number().int().min(0).max(MAX_DIM),
    width: z.number().int().min(1).max(MAX_DIM),
    height: z.number().int().min(1).max(MAX_DIM),
  })
  .strict();
const Rects = z.array(RectSchema).min(1).max(64);
const UID = z.string().regex(/^[0-9]+(\.[0-9]+)*$/).max(64);

export const RedactionRegionsSchema = z
  .object({
    version: z.literal(1).optional(),
    /** Images of this size (and, when given, this manufacturer / model) get these rectangles. */
    bySize: z
      .array(
        z
          .object({
            columns: z.number().int().min(1).max(MAX_DIM),
            rows: z.number().int().min(1).max(MAX_DIM),
            manufacturer: z.string().max(64).optional(),
            model: z.string().max(64).optional(),
            rects: Rects,
          })
          .strict(),
      )
      .max(1000)
      .optional(),
    /** One image's own rectangles; they replace any size match for that image. */
    bySopInstance: z.record(UID, Rects).optional(),
  })
  .strict();

export type RedactionRegions = z.infer<typeof RedactionRegionsSchema>;

/** What regionsFor needs to know of an image (the original's values: regions are drawn before de-identification). */
export interface ImageKey {
  sopInstanceUid: string;
  rows: number;
  columns: number;
  manufacturer?: string;
  model?: string;
}

/** Validates untrusted JSON (a file, an IPC request); the message names the first problem. */
export function parseRedactionRegions(json: unknown): RedactionRegions {
  const r = RedactionRegionsSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AppError('INVALID_REQUEST', `redaction regions: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  return r.data;
}

const same = (want: string | undefined, have: string | undefined) => want === undefined || want.trim().toUpperCase() === (have ?? '').trim().toUpperCase();

/** The rectangles for one image: its own if listed by SOP Instance UID, else every matching size entry's; undefined when none. */
export function regionsFor(regions: RedactionRegions, image: ImageKey): Rect[] | undefined {
  const own = regions.bySopInstance?.[image.sopInstanceUid];
  if (own) return own;
  const bySize = (regions.bySize ?? []).filter((e) => e.rows === image.rows && e.columns === image.columns && same(e.manufacturer, image.manufacturer) && same(e.model, image.model));
  return bySize.length > 0 ? bySize.flatMap((e) => e.rects) : undefined;
}
