// The long-running service: HTTP (/healthz, /metrics, and the chat apps' endpoints such as /slack/events) plus the
// polling scheduler.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from './app.js';
import { status } from './commands/status.js';
import type { Metrics } from './metrics.js';
import type { SourceConfig } from './sources/config.js';

export interface HttpService {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * `/healthz`: 200 with the store readable and writable and each source's health; 503 when the store cannot be read, or
 * cannot take a write now (`store.writable: false` with the fault: `locked` by another process, `read-only`…).
 * `status`: `ok`, `degraded` (200: a configured source failing, named with its reason) or `failing` (503: the store).
 */
export function healthz(app: App, sources: readonly SourceConfig[]): { statusCode: number; body: unknown } {
  let s;
  try {
    app.db.prepare('SELECT 1').get();
    s = status(app, sources);
  } catch (err) {
    return { statusCode: 503, body: { ok: false, status: 'failing', store: { ok: false, writable: false, error: (err as Error).message }, sources: [] } };
  }
  const ok = s.store.writable;
  // A configured source failing leaves the service up (200: a restart would not help) but `degraded`, naming it.
  const degraded = s.sources.some((x) => x.kind !== 'removed' && !x.healthy);
  return {
    statusCode: ok ? 200 : 503,
    body: {
      ok,
      status: !ok ? 'failing' : degraded ? 'degraded' : 'ok',
      store: ok ? { ok: true, writable: true } : { ok: false, writable: false, fault: s.store.fault, error: s.store.error },
      sources: s.sources.map((x) => ({
        id: x.id,
        healthy: x.healthy,
        lastSuccessAt: x.lastSuccessAt,
        lastError: x.lastError,
        lastErrorReason: x.lastErrorReason,
        failingSince: x.failingSince,
        consecutiveFailures: x.consecutiveFailures,
      })),
      registers: s.registers,
      quarantinePending: s.quarantinePending,
    },
  };
}

/** A chat app's endpoints on the same port (e.g. Slack's /slack/events): true when it took the request. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function startHttp(
  app: App,
  sources: readonly SourceConfig[],
  metrics: Metrics,
  port: number,
  host = '0.0.0.0',
  options: { handlers?: readonly HttpHandler[] } = {},
): Promise<HttpService> {
  const server = createServer((req, res) => {
    for (const handle of options.handlers ?? []) if (handle(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const { statusCode, body } = healthz(app, sources);
      res.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
