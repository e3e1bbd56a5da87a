/**
 * The child of hotReloadExitScenario: imports the flush-on-exit module given as the last argument
 * twice, as two module copies (a query string makes a new copy; Bun needs a path for that, since
 * it treats one file URL with two queries as one module).
 */
const url = process.argv[process.argv.length - 1]!;
// Deno cannot list its signal listeners: count the SIGTERM ones added from here on.
const deno = (globalThis as { Deno?: { addSignalListener(signal: string, fn: () => void): void } }).Deno;
let denoSigterm = 0;
if (deno) {
  const add = deno.addSignalListener;
  deno.addSignalListener = function (this: unknown, signal: string, fn: () => void) {
    if (signal === 'SIGTERM') denoSigterm++;
    add.call(this, signal, fn);
  };
}
type FlushOnExit = (target: { shutdown(ms?: number): Promise<void> }) => () => void;
const first = (await import(`${url}?copy=1`)) as { flushOnExit: FlushOnExit };
const second = (await import(`${url}?copy=2`)) as { flushOnExit: FlushOnExit };
first.flushOnExit({
  shutdown: async () => {
    console.log('FIRST DRAINED');
  },
});
second.flushOnExit({
  shutdown: () =>
    new Promise<void>((resolve) =>
      setTimeout(() => {
        console.log('SECOND DRAINED');
        resolve();
      }, 300),
    ),
});
console.log(`LISTENERS ${deno ? denoSigterm : process.listeners('SIGTERM').length}`);
// Deno starts listening for a signal on its next event-loop turns: say ready a little later.
setTimeout(() => console.log('READY'), 200);
// Alive for the scenario, never past it: a swallowed signal must not leave the child behind.
setTimeout(() => process.exit(99), 20_000);
