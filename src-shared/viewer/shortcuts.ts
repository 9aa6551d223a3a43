// The keyboard map, after RadiAnt, Horos and OHIF habits. Keys are KeyboardEvent.key values; letters
// match either case (Caps Lock). A Ctrl/Cmd or Alt chord is left to the browser and the OS unless it is
// undo/redo, so Ctrl+R, Ctrl+C, Cmd+Q and the like keep their usual meaning.

export type ShortcutCommand =
  | 'nextImage' | 'prevImage' | 'nextSeries' | 'prevSeries' | 'firstImage' | 'lastImage'
  | 'invert' | 'rotateRight' | 'rotateLeft' | 'flipH' | 'flipV' | 'reset' | 'fit' | 'actualSize'
  | 'cine' | 'cancel' | 'undo' | 'redo' | 'help' | 'delete'
  | { preset: number /* 1..9 */ };

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

const PLAIN: Record<string, ShortcutCommand> = {
  ArrowDown: 'nextImage',
  ArrowUp: 'prevImage',
  PageDown: 'nextSeries',
  PageUp: 'prevSeries',
  Home: 'firstImage',
  End: 'lastImage',
  i: 'invert',
  r: 'rotateRight',
  l: 'rotateLeft',
  h: 'flipH',
  v: 'flipV',
  ' ': 'reset',
  '=': 'fit',
  // One image pixel per screen pixel: "1:1" is not a key, and the digits are presets.
  a: 'actualSize',
  c: 'cine',
  Escape: 'cancel',
  '?': 'help',
  Delete: 'delete',
  Backspace: 'delete',
};

export function commandForKey(e: KeyInput): ShortcutCommand | null {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.altKey) return null;
  if (e.ctrlKey || e.metaKey) {
    if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && !e.shiftKey) return 'redo';
    return null;
  }
  if (/^[1-9]$/.test(key)) return { preset: Number(key) };
  return PLAIN[key] ?? null;
}

export const SHORTCUT_HELP: { keys: string; action: string }[] = [
  { keys: '↓ / ↑', action: 'Next / previous image' },
  { keys: 'Page Down / Page Up', action: 'Next / previous series' },
  { keys: 'Home / End', action: 'First / last image' },
  { keys: '1 – 9', action: 'Window preset (CT: brain, subdural, stroke, lung, mediastinum, abdomen, liver, bone; then the file’s)' },
  { keys: 'I', action: 'Invert greys' },
  { keys: 'R / L', action: 'Rotate 90° right / left' },
  { keys: 'H / V', action: 'Flip horizontally / vertically' },
  { keys: 'Space', action: 'Reset the view (window, zoom, rotation)' },
  { keys: '=', action: 'Fit the image to the viewport' },
  { keys: 'A', action: 'Actual size (one image pixel per screen pixel)' },
  { keys: 'C', action: 'Play / stop cine' },
  { keys: 'Esc', action: 'Cancel the measurement being drawn' },
  { keys: 'Delete / Backspace', action: 'Delete the selected annotation' },
  { keys: 'Ctrl+Z (⌘Z)', action: 'Undo' },
  { keys: 'Ctrl+Y, Ctrl+Shift+Z (⌘⇧Z)', action: 'Redo' },
  { keys: '?', action: 'Show this help' },
];
