import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is served from app://enclave/ by appProtocol; relative asset paths keep it origin-agnostic.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome140',
    chunkSizeWarningLimit: 4000,
    modulePreload: { polyfill: false },
  },
});
