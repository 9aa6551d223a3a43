// The tag browser's rows: the tree flattened for display, filtered by the search, and with identifying
// values replaced before anything reaches the DOM. Pure, so Node tests can check what would be shown.
import { hidesWholeSequence, isIdentifyingTag } from '../../src-shared/dicom/identifyingTags';
import type { InstanceTags, TagNode } from '../../src-shared/ipc/contract';

export const HIDDEN = '(hidden)';

export interface TagRow {
  /** Unique and stable: the path of tags and item numbers ("0040,0275/0/0040,1001"). */
  key: string;
  kind: 'element' | 'item';
  depth: number;
  /** "GGGG,EEEE" (elements); '' for item rows. */
  tag: string;
  /** Element name, or "Item 3" (items count from 1 as people do). */
  name: string;
  vr: string;
  /** The value, or HIDDEN. */
  value: string;
  hidden: boolean;
  valueTruncated: boolean;
  creator?: string;
  /** Sequences and items can open; open tells whether their children follow. */
  expandable: boolean;
  open: boolean;
  /** The item of the Per-frame Functional Groups Sequence that belongs to the frame on screen. */
  currentFrame: boolean;
}

export interface RowOptions {
  hideIdentifying: boolean;
  /** Matches tag ("0010,0010", "00100010", "(0010,0010)"), name or (shown) value, case-insensitive. */
  query: string;
  /** Keys the user opened or closed, overriding the default (sequences closed except the frame's groups; items open when few). */
  toggled: ReadonlySet<string>;
}

/** Items of a sequence with at most this many open with it; longer ones (per-frame groups) open one by one. */
const FEW_ITEMS = 8;

/** A query normalized once: lower case, and as bare hex for tag matching. */
function matcher(query: string): ((n: TagNode, shownValue: string) => boolean) | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const hex = q.replace(/[(),\s]/g, '');
  return (n, shownValue) =>
    (hex.length > 0 && /^[0-9a-f]+$/.test(hex) && n.tag.replace(',', '').toLowerCase().includes(hex)) ||
    n.tag.toLowerCase().includes(q) ||
    n.name.toLowerCase().includes(q) ||
    (n.creator ?? '').toLowerCase().includes(q) ||
    shownValue.toLowerCase().includes(q);
}

/** The rows to render, in order. */
export function tagRows(tags: InstanceTags, o: RowOptions): TagRow[] {
  const match = matcher(o.query);
  const frameKey = tags.frameGroups ? `${tags.frameGroups.tag}/${tags.frameGroups.itemIndex}` : null;
  const frameSeq = tags.frameGroups ? tags.frameGroups.tag + '/' : null;
  const defaultOpen = (key: string, kind: TagRow['kind'], siblings: number): boolean => {
    // The frame's own functional groups open all the way down: that is what one opens the browser for.
    if (kind === 'element') return frameKey !== null && (frameKey.startsWith(key + '/') || key.startsWith(frameKey + '/'));
    // Per-frame groups: only the frame on screen opens by itself; other sequences' items open when few.
    if (frameSeq !== null && key.startsWith(frameSeq) && !key.slice(frameSeq.length).includes('/')) return key === frameKey;
    return siblings <= FEW_ITEMS;
  };
  const isOpen = (key: string, kind: TagRow['kind'], siblings: number) => defaultOpen(key, kind, siblings) !== o.toggled.has(key);

  // Rows of `nodes` and whether anything among them matched (so that ancestors stay). `filtering` is off
  // below an element that matched itself: a sequence found by name shows all of its content.
  const walk = (nodes: TagNode[], depth: number, prefix: string, hiddenAbove: boolean, filtering: boolean): { rows: TagRow[]; matched: boolean } => {
    const rows: TagRow[] = [];
    let matched = false;
    for (const n of nodes) {
      const key = prefix + n.tag;
      const hidden = o.hideIdentifying && (hiddenAbove || isIdentifyingTag(n.tag));
      const value = hidden ? HIDDEN : n.value;
      // A hidden value is never searched: a filter that narrows on it would reveal it.
      const self = filtering && match !== null ? match(n, hidden ? '' : value) : !filtering;
      const hideItems = o.hideIdentifying && (hiddenAbove || hidesWholeSequence(n.tag));
      const items = n.items && !hideItems ? n.items : undefined;
      const row: TagRow = {
        key, kind: 'element', depth, tag: n.tag, name: n.name, vr: n.vr, value, hidden, valueTruncated: !hidden && n.valueTruncated === true,
        expandable: items !== undefined && items.length > 0, open: false, currentFrame: false,
      };
      if (n.creator !== undefined) row.creator = n.creator;
      const childFiltering = filtering && !self;
      const childRows: TagRow[] = [];
      let childMatched = false;
      if (items) {
        items.forEach((item, i) => {
          const itemKey = `${key}/${i}`;
          const inner = walk(item, depth + 2, itemKey + '/', hideItems, childFiltering);
          if (childFiltering && !inner.matched) return;
          childMatched ||= inner.matched;
          // While searching, every ancestor of a match is open: the match must be seen.
          const itemOpen = (childFiltering && inner.matched) || isOpen(itemKey, 'item', items.length);
          childRows.push({
            key: itemKey, kind: 'item', depth: depth + 1, tag: '', name: `Item ${i + 1}`, vr: '', value: `${item.length} element(s)`,
            hidden: false, valueTruncated: false, expandable: item.length > 0, open: itemOpen, currentFrame: itemKey === frameKey,
          });
          if (itemOpen) childRows.push(...inner.rows);
        });
        row.open = (childFiltering && childMatched) || isOpen(key, 'element', 0);
      }
      if (filtering && !self && !childMatched) continue;
      matched ||= self || childMatched;
      rows.push(row);
      if (row.open) rows.push(...childRows);
    }
    return { rows, matched };
  };
  return walk(tags.elements, 0, '', false, match !== null).rows;
}
