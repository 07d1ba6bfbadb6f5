// Turns of the event loop for the work that follows an acknowledgement. The database is synchronous (better-sqlite3), so
// a command's work holds the one event loop until it is done, and Slack wants every request acknowledged within 3 s.
//
// Work released as soon as its ack is sent runs back to back (every setImmediate queued before a check phase runs in
// that phase), and meanwhile nothing is read. Worse, a burst arrives as new connections, and the event loop accepts one
// new connection per pass: 200 commands at once take 200 passes just to be read. So a turn is given to one waiter per
// pass, in arrival order, and only on a pass in which no request arrived: while requests keep arriving, they are read,
// verified and acknowledged first. The waiting is bounded (`maxDeferMs`): past it, a waiter gets the next pass anyway,
// so that a steady stream of requests cannot starve the work.

export interface Turns {
  /** Resolves when it is the caller's turn. */
  next(): Promise<void>;
  /** A request arrived: the next pass goes to reading and acknowledging, not to a waiter. */
  arrived(): void;
}

export function createTurns(options: { maxDeferMs?: number; now?: () => number } = {}): Turns {
  const maxDeferMs = options.maxDeferMs ?? 500;
  const now = options.now ?? (() => performance.now());
  const waiting: Array<{ resolve: () => void; since: number }> = [];
  let scheduled = false;
  let arrivals = false;
  const admit = (): void => {
    const first = waiting[0];
    if (first !== undefined && (!arrivals || now() - first.since >= maxDeferMs)) {
      waiting.shift();
      // The waiter's continuation runs in the microtasks right after this callback, before the next pass.
      first.resolve();
    }
    arrivals = false;
    // Queued during the check phase, so it runs in the next pass, after that pass's poll phase (I/O).
    scheduled = waiting.length > 0;
    if (scheduled) setImmediate(admit);
  };
  return {
    next: () =>
      new Promise<void>((resolve) => {
        waiting.push({ resolve, since: now() });
        if (!scheduled) {
          scheduled = true;
          setImmediate(admit);
        }
      }),
    arrived: () => {
      arrivals = true;
    },
  };
}
