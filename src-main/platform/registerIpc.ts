// One ipcMain handler for the whole contract; the dispatcher validates channel, schema and sender.
import { ipcMain, type WebContents } from 'electron';
import { IPC_EVENT_PREFIX, IPC_INVOKE, type EventName, type Events } from '../../src-shared/ipc/contract';
import type { Dispatch } from '../services/ipc/dispatch';
import type { EventSink } from '../services/platformPorts';

export function registerIpc(dispatch: Dispatch): void {
  ipcMain.handle(IPC_INVOKE, (event, channel: unknown, request: unknown) => {
    const frame = event.senderFrame;
    return dispatch(channel, request, {
      url: frame?.url ?? '',
      isTopFrame: frame !== null && frame === event.sender.mainFrame,
    });
  });
}

export function webContentsEventSink(getTarget: () => WebContents | null): EventSink {
  return {
    emit<E extends EventName>(name: E, payload: Events[E]) {
      const wc = getTarget();
      if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT_PREFIX + name, payload);
    },
  };
}
