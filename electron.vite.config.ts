import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    // @mcap/core is bundled: the MCAP worker is unpacked from the asar archive (asarUnpack), where
    // it could not reach the packed node_modules.
    plugins: [externalizeDepsPlugin({ exclude: ['@mcap/core'] })],
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The same host without Electron (npm run headless).
          headless: resolve(__dirname, 'src/main/headless.ts'),
          // Runs inside each script plugin's worker thread.
          'plugin-worker': resolve(__dirname, 'src/main/plugins/script/worker-main.ts'),
          // Builds MCAP chunks on a worker thread of an export.
          'mcap-worker': resolve(__dirname, 'src/main/host/mcap-chunk-worker.ts'),
          // The public modules: plexus-bench/plugin and plexus-bench/client (package.json exports).
          plugin: resolve(__dirname, 'src/main/plugins/api.ts'),
          client: resolve(__dirname, 'src/main/plexus/index.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react({})],
    build: {
      // Smaller to load; the window's code is all ours, source maps are not shipped.
      minify: true,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') },
      },
    },
  },
});
