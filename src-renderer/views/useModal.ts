// What every modal dialog does with the keyboard: focus moves into it (to the element marked
// data-autofocus, else the first field or button), Tab stays inside, Escape closes it (the topmost one, even
// when focus fell to the page because the focused button was disabled), and focus goes back to where it was
// when the dialog closes.
import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';

/** Open dialogs, innermost last: Escape is for the innermost one only. */
const open: symbol[] = [];

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex="0"]';

export function useModal<T extends HTMLElement>(onClose: () => void): { ref: RefObject<T | null>; onKeyDown: (e: KeyboardEvent) => void } {
  const ref = useRef<T>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const me = Symbol('dialog');
    open.push(me);
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = ref.current;
    (root?.querySelector<HTMLElement>('[data-autofocus]') ?? root?.querySelector<HTMLElement>(FOCUSABLE))?.focus();
    const onEscape = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || open.at(-1) !== me) return;
      e.stopPropagation();
      close.current();
    };
    // Capture: before the reading room's own Escape (cancel a measurement) sees it.
    window.addEventListener('keydown', onEscape, true);
    return () => {
      window.removeEventListener('keydown', onEscape, true);
      open.splice(open.indexOf(me), 1);
      opener?.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Tab' || !ref.current) return;
    // Keep Tab inside the dialog: from the last stop back to the first, and the other way round.
    const stops = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = stops[0];
    const last = stops.at(-1);
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return { ref, onKeyDown };
}
