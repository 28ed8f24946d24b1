import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { precompress } from '../scripts/vite-precompress.js';

/**
 * The built page carries its own Content-Security-Policy, so it is locked down also where no
 * server sends one (the Electron window loads it from file://). Only the build gets it: the dev
 * server injects an inline React Refresh preamble that this policy would rightly block.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'clinicpulse-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/**
 * Paths are relative to the repository root, where every npm script runs
 * (`npm run build:renderer` = `vite build --config renderer/vite.config.ts`). This file runs in
 * Node, so it is type-checked with the Node program (tsconfig.json), not the renderer's.
 */
export default defineConfig({
  root: 'renderer',
  // Relative asset URLs: the same build is served at `/` by the server and loaded from file:// by Electron.
  base: './',
  plugins: [react(), contentSecurityPolicyMeta(), precompress()],
  build: {
    // Relative to `root`.
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // `npm run dev:renderer` talks to a server started with `npm run server` on its default port.
    proxy: { '/api': { target: 'http://127.0.0.1:5000' } },
  },
});
