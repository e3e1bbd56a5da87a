/**
 * For the sigterm fixtures on Node and Bun, started with `--app-listener`: the app's own graceful
 * shutdown, as apps write it — a `once` SIGTERM listener, async cleanup, then exit 0 (see
 * sigtermAppListenerScenario in sigterm.ts).
 */
export function appShutdownOnSigterm(): void {
  if (!process.argv.includes('--app-listener')) return;
  process.once('SIGTERM', () => {
    setTimeout(() => {
      console.log('APP CLEANUP DONE');
      process.exit(0);
    }, 500);
  });
}
