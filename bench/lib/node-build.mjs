/**
 * How bench/run.mjs bundles each benchmark, and bench/node-server.ts its server app: one ESM file
 * for Node 20, packages left to node_modules (the peers load as they are published).
 */
export const NODE_BUILD = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
};
