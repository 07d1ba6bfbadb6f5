// Turns of the event loop: waiters are admitted in arrival order, one per pass of the loop, never on a pass in which a
// request arrived unless the first waiter has waited longer than the bound, with the rest of the loop's work (other
// immediates, I/O) running between two of them.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTurns } from './turns.js';

/** Calls `each(pass)` once per pass of the event loop (from a self-rescheduling immediate), `passes` times. */
function everyPass(passes: number, each: (pass: number) => void): Promise<void> {
  return new Promise((done) => {
    let pass = 0;
    const tick = (): void => {
      each(++pass);
      if (pass < passes) setImmediate(tick);
      else done();
    };
    setImmediate(tick);
  });
}

const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('createTurns', () => {
  it('admits one waiter per pass of the event loop, in arrival order', async () => {
    const turns = createTurns();
    const order: string[] = [];
    const waiters = [1, 2, 3].map((i) => turns.next().then(() => order.push(`w${i}`)));
    await everyPass(4, () => order.push('pass'));
    await Promise.all(waiters);
    expect(order).toEqual(['w1', 'pass', 'w2', 'pass', 'w3', 'pass', 'pass']);
  });

  it('gives no turn on a pass in which a request arrived', async () => {
    const turns = createTurns();
    const order: string[] = [];
    const waiters = [1, 2].map((i) => turns.next().then(() => order.push(`w${i}`)));
    // Requests arrive on the first three passes (the marker runs after the admission of its pass).
    turns.arrived();
    await everyPass(6, (pass) => {
      order.push(`pass${pass}`);
      if (pass < 3) turns.arrived();
    });
    await Promise.all(waiters);
    expect(order).toEqual(['pass1', 'pass2', 'pass3', 'w1', 'pass4', 'w2', 'pass5', 'pass6']);
  });

  it('admits a waiter that has waited longer than the bound even while requests keep arriving', async () => {
    let clock = 0;
    const turns = createTurns({ maxDeferMs: 100, now: () => clock });
    const order: string[] = [];
    const waiter = turns.next().then(() => order.push('w1'));
    turns.arrived();
    await everyPass(5, (pass) => {
      order.push(`pass${pass}`);
      turns.arrived();
      if (pass === 2) clock = 100;
    });
    await waiter;
    expect(order).toEqual(['pass1', 'pass2', 'w1', 'pass3', 'pass4', 'pass5']);
  });

  it('lets requests that arrive meanwhile be answered between two waiters’ synchronous work', async () => {
    const turns = createTurns();
    const server = createServer((_req, res) => {
      turns.arrived();
      res.end('ok');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const answeredAfter: number[] = [];
      let done = 0;
      const work = Array.from({ length: 6 }, () =>
        turns.next().then(() => {
          busy(40);
          done += 1;
        }),
      );
      // A request sent while the first waiter works is answered after at most one more waiter, not after all six.
      const request = fetch(url).then(async (res) => {
        await res.text();
        answeredAfter.push(done);
      });
      await Promise.all([...work, request]);
      expect(answeredAfter).toHaveLength(1);
      expect(answeredAfter[0]).toBeLessThan(6);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  it('resolves a waiter that arrives after the queue has drained', async () => {
    const turns = createTurns();
    await turns.next();
    await new Promise((r) => setTimeout(r, 1));
    await expect(turns.next()).resolves.toBeUndefined();
  });
});
