// Wires the watching side: the polite HTTP client (validators kept in the store), the sources file,
// and the poll context used by `poll`, `backfill` and `serve`.
import type { App } from './app.js';
import type { Config } from './config.js';
import { makeEmitter } from './alerts/events.js';
import { parseDestination } from './alerts/destination.js';
import { DEFAULT_WATCH_SETTINGS, type PollContext } from './pipeline/poll.js';
import { loadSourcesFile, type SourceConfig } from './sources/config.js';
import { createHttpClient } from './sources/http/client.js';
import type { HttpClient } from './sources/http/types.js';
import { getValidators, setValidators } from '../storage/sources.js';

export function makeHttpClient(app: App, config: Config): HttpClient {
  return createHttpClient({
    userAgent: config.http.userAgent,
    perHostDelayMs: config.http.perHostDelayMs,
    timeoutMs: config.http.timeoutMs,
    retries: config.http.retries,
    urlAllowlist: config.http.urlAllowlist ?? '',
    validators: { get: (url) => getValidators(app.db, url), set: (url, v) => setValidators(app.db, url, v) },
  });
}

export interface Watcher {
  context: PollContext;
  sources: SourceConfig[];
}

export function makeWatcher(app: App, config: Config, http: HttpClient = makeHttpClient(app, config)): Watcher {
  const sources = loadSourcesFile(config.sourcesFile);
  // Validate destinations from the environment at start-up, with a clear message.
  for (const d of [...config.operatorDestinations, ...(config.fallbackDestination ? [config.fallbackDestination] : [])]) parseDestination(d);
  return {
    sources,
    context: {
      app,
      http,
      emit: makeEmitter(app, { operatorDestinations: config.operatorDestinations, fallbackDestination: config.fallbackDestination }),
      settings: {
        ...DEFAULT_WATCH_SETTINGS,
        quarantineShare: config.quarantineShare,
        failureThreshold: config.failureThreshold,
        newsDedupeDays: config.newsDedupeDays,
      },
    },
  };
}
