import { dialog, type BrowserWindow } from 'electron';
import type { Dialogs } from '../services/platformPorts';

export function electronDialogs(getWindow: () => BrowserWindow | null): Dialogs {
  return {
    async chooseFolder() {
      const win = getWindow();
      const options = { title: 'Import a folder or CD', properties: ['openDirectory' as const] };
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}
