import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'runtimes/node/test/**/*.test.ts', 'runtimes/serverless/test/**/*.test.ts', 'runtimes/cloudflare-workers/test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
