// The bridge: window.enclave = { invoke, on } for the contract's names only.
// Bundled to one file (a sandboxed preload can only require 'electron'). Electron's event object
// never reaches the page: listeners get the payload alone.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_PREFIX, IPC_INVOKE, isChannel, isEventName } from '../src-shared/ipc/contract';

const bridge = {
  invoke(channel: unknown, request: unknown): Promise<unknown> {
    if (!isChannel(channel)) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown request.' } });
    return ipcRenderer.invoke(IPC_INVOKE, channel, request);
  },
  on(event: unknown, listener: unknown): () => void {
    if (!isEventName(event) || typeof listener !== 'function') return () => undefined;
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => (listener as (p: unknown) => void)(payload);
    ipcRenderer.on(IPC_EVENT_PREFIX + event, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT_PREFIX + event, wrapped);
  },
};

contextBridge.exposeInMainWorld('enclave', bridge);
