// The keyboard map: each documented key gives its command, and browser/OS chords are left alone.
import { describe, expect, it } from 'vitest';
import { SHORTCUT_HELP, commandForKey, type KeyInput } from '../../../src-shared/viewer/shortcuts';

const press = (key: string, mods: Partial<Omit<KeyInput, 'key'>> = {}) => commandForKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('commandForKey', () => {
  it('maps the plain keys', () => {
    const table: Array<[string, unknown]> = [
      ['ArrowDown', 'nextImage'], ['ArrowUp', 'prevImage'], ['PageDown', 'nextSeries'], ['PageUp', 'prevSeries'],
      ['Home', 'firstImage'], ['End', 'lastImage'], ['i', 'invert'], ['r', 'rotateRight'], ['l', 'rotateLeft'],
      ['h', 'flipH'], ['v', 'flipV'], [' ', 'reset'], ['=', 'fit'], ['a', 'actualSize'], ['c', 'cine'],
      ['Escape', 'cancel'], ['?', 'help'], ['Delete', 'delete'], ['Backspace', 'delete'],
    ];
    for (const [key, command] of table) expect(press(key), key).toEqual(command);
  });

  it('digits 1-9 choose presets; 0 and other keys do nothing', () => {
    for (let n = 1; n <= 9; n++) expect(press(String(n))).toEqual({ preset: n });
    expect(press('0')).toBeNull();
    expect(press('x')).toBeNull();
    expect(press('F5')).toBeNull();
  });

  it('letters work with Caps Lock or Shift, and "?" with the Shift it needs', () => {
    expect(press('I')).toBe('invert');
    expect(press('R', { shiftKey: true })).toBe('rotateRight');
    expect(press('?', { shiftKey: true })).toBe('help');
  });

  it('undo and redo on Ctrl (Windows, Linux) and Cmd (macOS)', () => {
    expect(press('z', { ctrlKey: true })).toBe('undo');
    expect(press('z', { metaKey: true })).toBe('undo');
    expect(press('y', { ctrlKey: true })).toBe('redo');
    expect(press('y', { metaKey: true })).toBe('redo');
    expect(press('Z', { ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(press('z', { metaKey: true, shiftKey: true })).toBe('redo');
  });

  it('leaves other Ctrl/Cmd/Alt chords to the browser and the OS', () => {
    for (const key of ['r', 'c', 'v', 'a', 'i', 'l', '1', 'ArrowDown', 'Delete']) {
      expect(press(key, { ctrlKey: true }), `Ctrl+${key}`).toBeNull();
      expect(press(key, { metaKey: true }), `Cmd+${key}`).toBeNull();
    }
    expect(press('z', { altKey: true })).toBeNull();
    expect(press('ArrowLeft', { altKey: true })).toBeNull();
  });

  it('the help lists every command', () => {
    const text = SHORTCUT_HELP.map((h) => `${h.keys} ${h.action}`).join('\n').toLowerCase();
    for (const word of ['next', 'previous', 'series', 'first', 'last', 'invert', 'rotate', 'flip', 'reset', 'fit', 'actual size', 'cine', 'cancel', 'undo', 'redo', 'help', 'delete', 'preset']) {
      expect(text).toContain(word);
    }
  });
});
