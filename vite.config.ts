// Builds the admin console (src/renderer) into dist/renderer, which the server serves as static files.
// Relative base: the same build works at any mount point and from the desktop window.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/renderer',
  base: './',
  // React's automatic JSX runtime (the root tsconfig.json, which Vite would read, is the server's).
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // React, Fluent UI and the table model in one file of about 730 kB (200 kB gzipped), served from the local
    // admin listener: splitting it would not make the console start sooner.
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      // Fluent marks its modules "use client" for React Server Components, which mean nothing in a browser bundle.
      onLog(level, log, handler) {
        if (log.code !== 'MODULE_LEVEL_DIRECTIVE') handler(level, log);
      },
    },
  },
  server: {
    // `npx vite` during development: the API comes from a running `ucupdates serve`.
    proxy: { '/api': 'http://127.0.0.1:8090' },
  },
});
