// For a long-running server process (job-escrow serve-pay, job-escrow
// operator): a stray error thrown or rejected outside any request (a
// library's timer, a promise nobody awaits) is logged and the process goes on
// serving; every request path already answers its own failures.

/** Installs the guard; returns its removal (for in-process runs: tests, a host that stops the server). */
export function keepServingOnStrayErrors(log: (line: string) => void): () => void {
  const onError = (kind: string) => (err: unknown) => log(`${kind}: ${(err as Error)?.stack ?? String(err)}`);
  const uncaught = onError('uncaught exception');
  const unhandled = onError('unhandled rejection');
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', unhandled);
  return () => {
    process.off('uncaughtException', uncaught);
    process.off('unhandledRejection', unhandled);
  };
}
