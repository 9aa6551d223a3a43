// The tag browser: every attribute of the instance on screen, searchable, sequences opening in place,
// each value copyable. With hideIdentifying, identifying values never reach the DOM (tagRows.ts).
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { InstanceTags } from '../../src-shared/ipc/contract';
import { ApiError, call } from '../api';
import { tagRows, type TagRow } from './tagRows';

interface Props {
  instanceId: string;
  /** Frame of the instance on screen, from 0. */
  frameIndex: number;
  hideIdentifying: boolean;
  onClose(): void;
}

/** Rows past this are not rendered (a search narrows them): thousands of DOM rows help nobody. */
const MAX_ROWS = 3000;

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; tags: InstanceTags };

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission or API (e.g. an unfocused window): say nothing rather than fail the panel.
    return false;
  }
}

export function TagBrowser({ instanceId, frameIndex, hideIdentifying, onClose }: Props) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [query, setQuery] = useState('');
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const [copied, setCopied] = useState<string | null>(null);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    setToggled(new Set());
    call('instance:tags', { instanceId, frameIndex })
      .then((tags) => { if (live) setLoad({ state: 'ready', tags }); })
      .catch((e: unknown) => { if (live) setLoad({ state: 'error', message: e instanceof ApiError ? e.message : 'The attributes could not be read.' }); });
    return () => { live = false; };
  }, [instanceId, frameIndex]);

  useEffect(() => { search.current?.focus(); }, []);

  const rows = useMemo(
    () => (load.state === 'ready' ? tagRows(load.tags, { hideIdentifying, query, toggled }) : []),
    [load, hideIdentifying, query, toggled],
  );

  const toggle = (key: string) => setToggled((prev) => {
    const next = new Set(prev);
    if (!next.delete(key)) next.add(key);
    return next;
  });

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    // Escape first clears a search, then closes.
    if (query && e.target === search.current) setQuery('');
    else onClose();
  };

  const copy = async (row: TagRow) => {
    if (row.hidden) return;
    if (await copyText(row.value)) {
      setCopied(row.key);
      setTimeout(() => setCopied((k) => (k === row.key ? null : k)), 1500);
    }
  };

  return (
    <section className="tag-browser" data-testid="tag-browser" role="dialog" aria-label="DICOM attributes" onKeyDown={onKeyDown}>
      <header className="tag-browser-head">
        <h2>Attributes</h2>
        <input ref={search} type="search" placeholder="Search tag, name or value" aria-label="Search attributes"
          value={query} onChange={(e) => setQuery(e.target.value)} data-testid="tag-search" />
        <button type="button" onClick={onClose} aria-label="Close attributes" data-testid="tag-browser-close">Close</button>
      </header>
      {load.state === 'loading' && <p className="tag-browser-note">Reading attributes…</p>}
      {load.state === 'error' && <p className="tag-browser-note error" role="alert">{load.message}</p>}
      {load.state === 'ready' && (
        <>
          <p className="tag-browser-note">
            {load.tags.frameCount > 1 && <>Frame {frameIndex + 1} of {load.tags.frameCount} · </>}
            {load.tags.specificCharacterSet ? `Character set ${load.tags.specificCharacterSet}` : 'Default character set'}
            {hideIdentifying && <> · identifying values hidden</>}
            {load.tags.truncated && <span className="warnings"> · This file is too large to list in full; some attributes are left out.</span>}
          </p>
          <div className="tag-table" role="table" aria-label="Attributes">
            <div className="tag-row tag-header" role="row">
              <span role="columnheader">Tag</span>
              <span role="columnheader">Name</span>
              <span role="columnheader">VR</span>
              <span role="columnheader">Value</span>
              <span role="columnheader" className="tag-copy-col" />
            </div>
            {rows.slice(0, MAX_ROWS).map((row) => (
              <Row key={row.key} row={row} copied={copied === row.key} onToggle={toggle} onCopy={copy} />
            ))}
          </div>
          {rows.length === 0 && <p className="tag-browser-note">No attribute matches “{query}”.</p>}
          {rows.length > MAX_ROWS && <p className="tag-browser-note">{rows.length - MAX_ROWS} more rows: narrow the search to see them.</p>}
        </>
      )}
    </section>
  );
}

function Row({ row, copied, onToggle, onCopy }: { row: TagRow; copied: boolean; onToggle(key: string): void; onCopy(row: TagRow): void }) {
  const indent = Array.from({ length: Math.min(row.depth, 24) }, (_, i) => <span key={i} className="tag-indent" />);
  const twisty = row.expandable ? (
    <button type="button" className="tag-twisty" aria-expanded={row.open} aria-label={`${row.open ? 'Close' : 'Open'} ${row.name}`} onClick={() => onToggle(row.key)}>
      {row.open ? '▾' : '▸'}
    </button>
  ) : <span className="tag-twisty" />;
  if (row.kind === 'item') {
    return (
      <div className={`tag-row tag-item${row.currentFrame ? ' current-frame' : ''}`} role="row" data-testid="tag-item" data-key={row.key}>
        <span role="cell" className="tag-tag">{indent}{twisty}</span>
        <span role="cell" className="tag-name">{row.name}{row.currentFrame && ' (this frame)'}</span>
        <span role="cell" />
        <span role="cell" className="tag-value">{row.value}</span>
        <span role="cell" />
      </div>
    );
  }
  return (
    <div className={`tag-row${row.hidden ? ' hidden-value' : ''}`} role="row" data-testid="tag-row" data-tag={row.tag} data-key={row.key}>
      <span role="cell" className="tag-tag">{indent}{twisty}{row.tag}</span>
      <span role="cell" className="tag-name" title={row.creator ? `Private block of ${row.creator}` : undefined}>
        {row.name}{row.creator !== undefined && <span className="tag-creator"> [{row.creator}]</span>}
      </span>
      <span role="cell" className="tag-vr">{row.vr}</span>
      <span role="cell" className="tag-value">
        {row.value}{row.valueTruncated && <span className="tag-truncated"> (truncated)</span>}
      </span>
      <span role="cell" className="tag-copy-col">
        {!row.hidden && row.vr !== 'SQ' && row.value !== '' && (
          <button type="button" className="tag-copy" aria-label={`Copy value of ${row.name}`} onClick={() => onCopy(row)}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        )}
      </span>
    </div>
  );
}
