// Waiting for Ctrl-C or a service manager's SIGTERM, for the long-running commands (serve, deliver).

/** Resolves on the first SIGINT or SIGTERM, and stops listening for them. */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
