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
  },
  server: {
    // `npx vite` during development: the API comes from a running `ucupdates serve`.
    proxy: { '/api': 'http://127.0.0.1:8090' },
  },
});
