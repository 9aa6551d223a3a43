// What services need from the platform, as small interfaces: Electron implements them in
// src-main/platform/, the browser harness and the CLI with plain Node.
import type { EventName, Events } from '../../src-shared/ipc/contract';

export interface Dialogs {
  /** The folder the user picked in main's own dialog, or null when they cancelled. 'export' asks where to write (and may create it). */
  chooseFolder(purpose?: 'import' | 'export'): Promise<string | null>;
}

export interface EventSink {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}
