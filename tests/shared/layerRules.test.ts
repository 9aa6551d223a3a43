// Feeds each layer rule a violation and a clean file, through ESLint with the project's own config.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { resolve } from 'node:path';

const eslint = new ESLint({ cwd: resolve(__dirname, '../..') });

async function restrictedImports(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath: resolve(__dirname, '../..', filePath) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').length;
}

describe('layer lint rules', () => {
  it('src-shared may not import node, electron, react or vtk.js', async () => {
    for (const code of [
      "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;",
      "import { join } from 'path';\nexport const a = join;",
      "import { app } from 'electron';\nexport const a = app;",
      "import React from 'react';\nexport const a = React;",
      "import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';\nexport const a = vtkImageData;",
    ]) expect(await restrictedImports('src-shared/dicom/violation.ts', code), code).toBe(1);
    expect(await restrictedImports('src-shared/dicom/clean.ts', "import { z } from 'zod';\nexport const a = z;")).toBe(0);
  });

  it('src-main/services may not import electron; src-main/platform may', async () => {
    const code = "import { app } from 'electron';\nexport const a = app;";
    expect(await restrictedImports('src-main/services/store/violation.ts', code)).toBe(1);
    expect(await restrictedImports('src-main/platform/ok.ts', code)).toBe(0);
  });

  it('the renderer may not import node or electron, except the preload', async () => {
    expect(await restrictedImports('src-renderer/views/violation.ts', "import fs from 'node:fs';\nexport const a = fs;")).toBe(1);
    expect(await restrictedImports('src-renderer/views/violation.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;")).toBe(1);
    expect(await restrictedImports('src-renderer/preload.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;")).toBe(0);
  });
});
