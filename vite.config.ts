import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { CONTENT_SECURITY_POLICY } from './src-main/services/protocol/csp.ts';

// The same policy appProtocol sends as a header, also as a <meta> in the HTML (defence in depth, and visible to
// static checkers). frame-ancestors is ignored in <meta>, so it stays header-only.
const metaPolicy = CONTENT_SECURITY_POLICY.split('; ').filter((d) => !d.startsWith('frame-ancestors')).join('; ');

// The renderer is served from app://enclave/ by appProtocol; relative asset paths keep it origin-agnostic.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [
    react(),
    {
      name: 'enclave-csp-meta',
      transformIndexHtml: (html) => html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${metaPolicy}" />`),
    },
  ],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome140',
    chunkSizeWarningLimit: 4000,
    modulePreload: { polyfill: false },
  },
});
