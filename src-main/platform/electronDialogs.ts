import { dialog, type BrowserWindow } from 'electron';
import type { Dialogs } from '../services/platformPorts';

export function electronDialogs(getWindow: () => BrowserWindow | null): Dialogs {
  return {
    async chooseFolder(purpose = 'import') {
      const win = getWindow();
      const options = purpose === 'export'
        ? { title: 'Choose where to export', buttonLabel: 'Export here', properties: ['openDirectory' as const, 'createDirectory' as const, 'promptToCreate' as const] }
        : { title: 'Import a folder or CD', properties: ['openDirectory' as const] };
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}
