// Prints run()'s result as JSON: `deno run -A --no-lock --sloppy-imports` and `bun` run this file.
import { run } from './exponential-histogram-run.js';

console.log(JSON.stringify([run(20), run(160)]));
