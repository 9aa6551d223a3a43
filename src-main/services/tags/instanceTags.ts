// The tag browser's data: every attribute of one stored instance as a bounded tree.
// Reading it is part of viewing a study the user already opened (series:list records the audit
// event "DICOM Instances Accessed" for the study), so nothing more is recorded here.
import { dumpTree, type DumpNode } from '../../../src-shared/dicom/dump';
import { getInt, getString } from '../../../src-shared/dicom/elements';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { AppError } from '../../../src-shared/errors';
import type { InstanceTags, TagNode } from '../../../src-shared/ipc/contract';
import type { StudyStore } from '../store/studyStore';

export interface TagLimits {
  /** Longest value, in characters. */
  maxValueChars: number;
  /** Elements and sequence items in the whole tree. */
  maxNodes: number;
  /** Value characters in the whole tree. */
  maxTotalValueChars: number;
}

/** ~20,000 rows is far beyond what anyone reads; the value budget keeps the response a few MB at most. */
export const TAG_LIMITS: TagLimits = { maxValueChars: 1024, maxNodes: 20_000, maxTotalValueChars: 2_000_000 };

const PER_FRAME_GROUPS = 'x52009230';

function toTagNode(n: DumpNode): TagNode {
  const out: TagNode = { tag: n.tag.slice(1, -1), name: n.name, vr: n.vr, length: n.length, value: n.value };
  if (n.clipped) out.valueTruncated = true;
  if (n.creator !== undefined) out.creator = n.creator;
  if (n.items) out.items = n.items.map((item) => item.map(toTagNode));
  return out;
}

/** The tag tree of a DICOM file's bytes; `frameIndex` (from 0) must name one of its frames. */
export function instanceTagsOf(bytes: Uint8Array, frameIndex?: number, limits: TagLimits = TAG_LIMITS): InstanceTags {
  const file = parseDicom(bytes);
  const ds = file.dataSet;
  const frameCount = Math.max(1, getInt(ds, 'x00280008') ?? 1);
  if (frameIndex !== undefined && frameIndex >= frameCount) throw new AppError('NOT_FOUND', 'No such frame in this image.');
  const tree = dumpTree(file, limits);
  const elements = tree.nodes.map(toTagNode);
  const perFrame = elements.find((n) => n.tag === '5200,9230');
  const hasItem = frameIndex !== undefined && ds.elements[PER_FRAME_GROUPS]?.items !== undefined && (perFrame?.items?.length ?? 0) > frameIndex;
  return {
    sopInstanceUid: getString(ds, 'x00080018') || getString(ds, 'x00020003'),
    transferSyntaxUid: file.transferSyntaxUid,
    specificCharacterSet: getString(ds, 'x00080005'),
    elements,
    truncated: tree.truncated,
    frameCount,
    frameGroups: hasItem ? { tag: '5200,9230', itemIndex: frameIndex } : null,
  };
}

/** The tag tree of a stored instance, read (and integrity-checked) from the store that holds it. */
export async function readInstanceTags(store: StudyStore, instanceId: string, frameIndex?: number): Promise<InstanceTags> {
  return instanceTagsOf(await store.readInstanceBytes(instanceId), frameIndex);
}
