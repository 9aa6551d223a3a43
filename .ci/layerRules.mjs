// Which layer may import what (DESIGN.md section 1). Shared with tests/shared/layerRules.test.ts,
// which feeds each rule a violation to prove it fires.
import { builtinModules } from 'node:module';

const nodePatterns = [{ group: ['node:*'], message: 'This layer must not use Node built-ins.' }];
const noNodePaths = builtinModules
  .filter((m) => !m.startsWith('_'))
  .map((name) => ({ name, message: 'This layer must not use Node built-ins.' }));

export const layerRules = [
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          ...noNodePaths,
          { name: 'electron', message: 'src-shared is pure: no electron.' },
          { name: 'react', message: 'src-shared is pure: no react.' },
          { name: 'react-dom', message: 'src-shared is pure: no react.' },
        ],
        patterns: [...nodePatterns, { group: ['@kitware/vtk.js', '@kitware/vtk.js/*'], message: 'src-shared is pure: no vtk.js.' }, { group: ['electron/*', 'react/*', 'react-dom/*'], message: 'src-shared is pure.' }],
      }],
    },
  },
  {
    files: ['src-main/services/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'Services never import electron: put it in src-main/platform/.' }],
        patterns: [{ group: ['electron/*'], message: 'Services never import electron.' }],
      }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    ignores: ['src-renderer/preload.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...noNodePaths, { name: 'electron', message: 'The renderer talks to main only through window.enclave.' }],
        patterns: [...nodePatterns],
      }],
    },
  },
];
