import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// The Workers Vitest integration, as a Worker's authors run their tests: the tests and the Worker
// in workerd, with the bindings miniflare gives them.
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: './worker.ts',
      miniflare: { compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'], kvNamespaces: ['KV'] },
    }),
  ],
  test: { name: 'workers-pool', root: import.meta.dirname, include: ['*.test.ts'] },
});
