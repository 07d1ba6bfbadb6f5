// The BotPlatform (platform.ts) on botbuilder 4.23 — the only file that imports botbuilder or express.
//
// Inbound: Express parses the JSON body of POST /api/messages (botbuilder needs Express-style requests), then
// CloudAdapter.processActivity authenticates it with ConfigurationBotFrameworkAuthentication (the channel's JWT,
// checked against the Bot Framework's signing keys, the app id and the service URL claim) and runs the turn. Any
// authentication failure — no token, a malformed one, a bad signature, another app's — answers 401 (botbuilder's own
// `process()` answers 500 for a bad signature). An empty app id turns authentication off altogether: config.ts allows
// that only for local development.
//
// Outbound: the Bot Connector client is given an HTTP client that never retries and times out: botbuilder's default
// pipeline retries 429 (sleeping for Retry-After) and 5xx by itself, while the outbox owns retries across restarts.
// Every non-2xx answer and network failure becomes a ConnectorError with the status and Retry-After.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TurnContext,
  type Activity,
  type ConversationAccount,
  type ConversationReference,
  type InvokeResponse,
} from 'botbuilder';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  ConnectorError,
  type BotPlatform,
  type InboundActivity,
  type LogSink,
  type OutboundActivity,
  type TeamsReference,
  type TurnHandler,
} from './platform.js';

export const MESSAGES_PATH = '/api/messages';
const MAX_BODY = '512kb';
const MAX_ERROR_BODY = 2000;
export const DEFAULT_CONNECTOR_TIMEOUT_MS = 15_000;

type AuthOptions = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[0]>;
type CredentialsFactory = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1]>;
type ConnectorOptions = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[4]>;

export interface BotFrameworkOptions {
  /** MICROSOFT_APP_ID; empty disables all authentication (development only). */
  appId: string;
  appPassword?: string | null;
  tenantId?: string | null;
  /** MICROSOFT_APP_TYPE: SingleTenant or UserAssignedMSI. */
  appType?: 'SingleTenant' | 'UserAssignedMSI';
  /** Timeout of each Bot Connector call (default 15 s). */
  timeoutMs?: number;
  log?: LogSink;
  /**
   * Tests only: where the channel's signing keys are fetched (OpenID metadata on 127.0.0.1) and the bearer token sent
   * to the connector, so that nothing reaches Microsoft. Never set from the environment.
   */
  testing?: { openIdMetadataUrl?: string; outboundToken?: string };
}

// ---- the Bot Connector's HTTP client -----------------------------------------------------------------------------

/** The subset of @azure/core-http-compat's HttpHeadersLike the pipeline uses. */
interface HeadersLike {
  get(name: string): string | undefined;
  set(name: string, value: string | number): void;
  contains(name: string): boolean;
  remove(name: string): boolean;
  rawHeaders(): Record<string, string>;
  headersArray(): Array<{ name: string; value: string }>;
  headerNames(): string[];
  headerValues(): string[];
  clone(): HeadersLike;
  toJson(options?: { preserveCase?: boolean }): Record<string, string>;
}

interface WebResourceLike {
  url: string;
  method: string;
  headers: HeadersLike;
  body?: unknown;
}

function headersLike(init: Record<string, string>): HeadersLike {
  const map = new Map<string, { name: string; value: string }>();
  for (const [name, value] of Object.entries(init)) map.set(name.toLowerCase(), { name, value });
  const h: HeadersLike = {
    get: (name) => map.get(name.toLowerCase())?.value,
    set: (name, value) => void map.set(name.toLowerCase(), { name, value: String(value) }),
    contains: (name) => map.has(name.toLowerCase()),
    remove: (name) => map.delete(name.toLowerCase()),
    rawHeaders: () => Object.fromEntries([...map.values()].map((x) => [x.name.toLowerCase(), x.value])),
    headersArray: () => [...map.values()],
    headerNames: () => [...map.values()].map((x) => x.name),
    headerValues: () => [...map.values()].map((x) => x.value),
    clone: () => headersLike(Object.fromEntries([...map.values()].map((x) => [x.name, x.value]))),
    toJson: (options) => Object.fromEntries([...map.values()].map((x) => [options?.preserveCase ? x.name : x.name.toLowerCase(), x.value])),
  };
  return h;
}

/** `error.code` and `error.message` of a Bot Connector error answer, when it is JSON. */
function connectorErrorOf(body: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed.error?.code === 'string' ? parsed.error.code : undefined;
    const message = typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
    return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
  } catch {
    return {};
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function clean(text: string, max = 200): string {
  const line = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** An HTTP client for the Bot Connector: one attempt, a timeout, ConnectorError for anything but 2xx. */
function connectorHttpClient(timeoutMs: number) {
  return {
    async sendRequest(request: WebResourceLike) {
      const where = (() => {
        try {
          const u = new URL(request.url);
          return `${u.host}${u.pathname.replace(/\/activities\/[^/]+$/, '/activities/…')}`;
        } catch {
          return 'the Bot Connector';
        }
      })();
      let res: globalThis.Response;
      try {
        res = await fetch(request.url, {
          method: request.method,
          headers: request.headers.toJson({ preserveCase: true }),
          body:
            typeof request.body === 'string' || request.body instanceof Uint8Array
              ? request.body
              : request.body == null
                ? undefined
                : JSON.stringify(request.body),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.message);
        throw new ConnectorError(`Bot Connector ${request.method} ${where}: ${why}`, 0, undefined, e.cause?.code);
      }
      const text = (await res.text()).slice(0, 64 * 1024);
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => (headers[name] = value));
      if (res.status < 200 || res.status >= 300) {
        const detail = connectorErrorOf(text);
        const what = [detail.code, detail.message ? clean(detail.message) : !detail.code && text ? clean(text.slice(0, MAX_ERROR_BODY)) : undefined]
          .filter(Boolean)
          .join(': ');
        throw new ConnectorError(`Bot Connector answered ${res.status}${what ? ` (${what})` : ''}`, res.status, headers['retry-after'], detail.code);
      }
      return { request, status: res.status, headers: headersLike(headers), bodyAsText: text };
    },
  };
}

// ---- authentication ---------------------------------------------------------------------------------------------

/** The public cloud's endpoints (botframework-connector's AuthenticationConstants), for the test override. */
const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: 'urn:botframework:azure',
};

function isAuthenticationFailure(err: unknown): boolean {
  const e = err as { name?: string; statusCode?: number };
  return e?.statusCode === 401 || e?.name === 'JsonWebTokenError' || e?.name === 'TokenExpiredError' || e?.name === 'NotBeforeError';
}

/** A credentials factory that signs outbound calls with a fixed token (tests only). */
function fixedTokenCredentials(appId: string, token: string): CredentialsFactory {
  return {
    isValidAppId: async (id: string) => id === appId,
    isAuthenticationDisabled: async () => false,
    createCredentials: async () => ({
      signRequest: async (webResource: WebResourceLike) => {
        webResource.headers.set('authorization', `Bearer ${token}`);
        return webResource;
      },
    }),
  } as unknown as CredentialsFactory;
}

// ---- the platform -----------------------------------------------------------------------------------------------

/** CloudAdapter with its authenticate-and-run step reachable (its `process()` maps a bad signature to 500, not 401). */
class Adapter extends CloudAdapter {
  run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

export function createBotFrameworkPlatform(options: BotFrameworkOptions): BotPlatform {
  const log: LogSink = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECTOR_TIMEOUT_MS;
  const authConfig: AuthOptions = { MicrosoftAppId: options.appId };
  if (options.appId) {
    authConfig.MicrosoftAppType = options.appType === 'UserAssignedMSI' ? 'UserAssignedMsi' : 'SingleTenant';
    if (options.tenantId) authConfig.MicrosoftAppTenantId = options.tenantId;
    if (options.appPassword) authConfig.MicrosoftAppPassword = options.appPassword;
  }
  if (options.testing?.openIdMetadataUrl) {
    Object.assign(authConfig, PUBLIC_CLOUD, {
      ToBotFromChannelOpenIdMetadataUrl: options.testing.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: options.testing.openIdMetadataUrl,
    });
  }
  const credentials = options.testing?.outboundToken && options.appId ? fixedTokenCredentials(options.appId, options.testing.outboundToken) : undefined;
  const connectorOptions = { httpClient: connectorHttpClient(timeoutMs) } as unknown as ConnectorOptions;
  const auth = new ConfigurationBotFrameworkAuthentication(authConfig, credentials, undefined, undefined, connectorOptions);
  const adapter = new Adapter(auth);

  function referenceOf(activity: Partial<Activity>): TeamsReference {
    const r = TurnContext.getConversationReference(activity);
    const conversation: Partial<ConversationAccount> = r.conversation ?? {};
    return {
      channelId: r.channelId ?? 'msteams',
      serviceUrl: r.serviceUrl ?? '',
      conversation: {
        id: conversation.id ?? '',
        ...(conversation.conversationType ? { conversationType: conversation.conversationType } : {}),
        ...(conversation.tenantId ? { tenantId: conversation.tenantId } : {}),
        ...(conversation.isGroup !== undefined ? { isGroup: conversation.isGroup } : {}),
        ...(conversation.name ? { name: conversation.name } : {}),
      },
      bot: { id: r.bot?.id ?? '', ...(r.bot?.name ? { name: r.bot.name } : {}) },
      ...(r.locale ? { locale: r.locale } : {}),
    };
  }

  async function run(req: Request, res: Response, onTurn: TurnHandler): Promise<void> {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string') {
      res.status(400).type('text/plain').send('expected a Bot Framework activity\n');
      return;
    }
    const activity = body as Activity;
    const authHeader = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    try {
      const invoke = await adapter.run(authHeader, activity, async (context: TurnContext) => {
        await onTurn({
          activity: context.activity as unknown as InboundActivity,
          reference: () => referenceOf(context.activity),
          textWithoutMention: () => TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '',
          reply: async (out: OutboundActivity) => (await context.sendActivity(out as Partial<Activity>))?.id,
        });
      });
      res.status(invoke?.status ?? 200);
      if (invoke?.body !== undefined) res.json(invoke.body);
      else res.end();
    } catch (err) {
      if (isAuthenticationFailure(err)) {
        log('warn', `rejected POST ${MESSAGES_PATH} from ${req.socket.remoteAddress ?? '?'}: ${clean((err as Error).message, 160)}`);
        if (!res.headersSent) res.status(401).type('text/plain').send('unauthorized\n');
        return;
      }
      log('error', `POST ${MESSAGES_PATH} failed: ${clean((err as Error).message, 300)}`);
      if (!res.headersSent) res.status(500).type('text/plain').send('internal error\n');
    }
  }

  // The turn handler of each request (the same function in practice; kept per request all the same).
  const handlers = new WeakMap<object, TurnHandler>();
  const server = express();
  server.disable('x-powered-by');
  server.post(MESSAGES_PATH, express.json({ limit: MAX_BODY, type: ['application/json', 'application/*+json'] }), (req: Request, res: Response) => {
    void run(req, res, handlers.get(req) ?? (async () => undefined));
  });
  server.all(MESSAGES_PATH, (_req: Request, res: Response) => {
    res.status(405).set('allow', 'POST').end();
  });
  server.use((err: Error & { status?: number; type?: string }, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status === 413 ? 413 : 400;
    log('warn', `rejected POST ${MESSAGES_PATH} from ${req.socket.remoteAddress ?? '?'}: ${status === 413 ? `body over ${MAX_BODY}` : 'body is not JSON'}`);
    res
      .status(status)
      .type('text/plain')
      .send(status === 413 ? 'too large\n' : 'bad request\n');
  });

  return {
    authenticated: options.appId !== '',
    handle(req: IncomingMessage, res: ServerResponse, onTurn: TurnHandler) {
      handlers.set(req, onTurn);
      server(req, res);
    },
    async send(reference: TeamsReference, activity: OutboundActivity) {
      let id: string | undefined;
      await adapter.continueConversationAsync(options.appId, reference as ConversationReference, async (context: TurnContext) => {
        // A new post in the conversation: the reference carries no activity id, so there is no replyToId.
        const outgoing = TurnContext.applyConversationReference({ ...(activity as Partial<Activity>) }, reference as Partial<ConversationReference>);
        const [answer] = await context.adapter.sendActivities(context, [outgoing]);
        id = answer?.id;
      });
      return id;
    },
  };
}
