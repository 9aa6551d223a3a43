// The bridge: window.enclave = { invoke, on } for the contract's names only.
// Bundled to one file (a sandboxed preload can only require 'electron'). Electron's event object
// never reaches the page: listeners get the payload alone.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_PREFIX, IPC_INVOKE, isEventName, isPageChannel } from '../src-shared/ipc/contract';

const bridge = {
  invoke(channel: unknown, request: unknown): Promise<unknown> {
    if (!isPageChannel(channel)) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown request.' } });
    return ipcRenderer.invoke(IPC_INVOKE, channel, request);
  },
  on(event: unknown, listener: unknown): () => void {
    if (!isEventName(event) || typeof listener !== 'function') return () => undefined;
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => (listener as (p: unknown) => void)(payload);
    ipcRenderer.on(IPC_EVENT_PREFIX + event, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT_PREFIX + event, wrapped);
  },
  importDropped(files: unknown): Promise<unknown> {
    // Only real File objects from a drop have paths; anything else the page passes is ignored.
    const list = Array.isArray(files) ? files : [];
    const paths = list.filter((f): f is File => f instanceof File).map((f) => webUtils.getPathForFile(f)).filter((p) => p.length > 0);
    if (paths.length === 0) return Promise.resolve({ ok: false, error: { code: 'INVALID_REQUEST', message: 'Nothing that was dropped can be imported.' } });
    return ipcRenderer.invoke(IPC_INVOKE, 'import:paths', { paths });
  },
};

contextBridge.exposeInMainWorld('enclave', bridge);
