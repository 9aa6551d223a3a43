// Layer rules are the point of this file: they make DESIGN.md section 1 fail the build.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layerRules } from './.ci/layerRules.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'out/**', 'src-shared/dicom/dictionaryData.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-undef': 'off',
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
    },
  },
  ...layerRules,
);
