/**
 * The child of signalAfterReloadScenario: registers flushOnExit (the module given as the last
 * argument) and an app listener of its own that handles the first SIGINT; once that has run,
 * a second copy of the module registers again, as a hot reload would.
 */
const url = process.argv[process.argv.length - 1]!;
type FlushOnExit = (target: { shutdown(ms?: number): Promise<void> }) => () => void;
const deno = (globalThis as { Deno?: { addSignalListener(s: string, fn: () => void): void; removeSignalListener(s: string, fn: () => void): void } }).Deno;
const first = (await import(`${url}?copy=1`)) as { flushOnExit: FlushOnExit };
first.flushOnExit({
  shutdown: async () => {
    console.log('DRAIN 1');
  },
});
const reload = (): void => {
  console.log('APP HANDLED');
  setTimeout(async () => {
    const second = (await import(`${url}?copy=2`)) as { flushOnExit: FlushOnExit };
    second.flushOnExit({
      shutdown: async () => {
        console.log('DRAIN 2');
      },
    });
    // Deno starts listening for a signal on its next event-loop turns: say ready a little later.
    setTimeout(() => console.log('READY 2'), 200);
  }, 300);
};
if (deno) {
  const once = (): void => {
    deno.removeSignalListener('SIGINT', once);
    reload();
  };
  deno.addSignalListener('SIGINT', once);
} else process.once('SIGINT', reload);
setTimeout(() => console.log('READY 1'), 200);
// Alive for the scenario, never past it: a swallowed signal must not leave the child behind.
setTimeout(() => process.exit(99), 20_000);
