// Posting an answer to a command's or a button's response_url (https://api.slack.com/interactivity/handling#message_responses):
// a JSON POST, as Bolt's respond() does, but over node:http/https rather than the global fetch, which costs several
// times more CPU per post (web streams). Unlike respond(): a timeout, connections kept open and shared (at most
// MAX_SOCKETS at once) so that a burst of answers does not open one connection per answer, and the answer's body read
// so that its connection can be reused. Non-2xx answers (an expired response_url answers 404) are errors, as with
// respond(); error messages never carry the URL.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const MAX_SOCKETS = 32;
const IDLE_MS = 30_000;

export class ResponseUrlError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export type ResponseUrlPoster = (responseUrl: string, message: object) => Promise<void>;

export function createResponseUrlPoster(options: { timeoutMs: number }): ResponseUrlPoster {
  // Idle connections are closed after IDLE_MS, or earlier when the server announces a shorter keep-alive timeout.
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
  };

  function postOnce(url: URL, body: Buffer): Promise<{ ok: true } | { ok: false; error: Error; reusedSocket: boolean }> {
    return new Promise((resolve) => {
      const https = url.protocol === 'https:';
      let req: ClientRequest | undefined = undefined;
      const fail = (error: Error) => resolve({ ok: false, error, reusedSocket: req?.reusedSocket === true });
      req = (https ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          agent: https ? agents.https : agents.http,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
          timeout: options.timeoutMs,
        },
        (res: IncomingMessage) => {
          res.resume();
          res.on('error', fail);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status <= 299) resolve({ ok: true });
            else fail(new ResponseUrlError(`the response_url answered ${status} ${res.statusMessage ?? ''}`.trim(), status));
          });
        },
      );
      req.on('timeout', () => req!.destroy(new ResponseUrlError(`no answer from the response_url within ${options.timeoutMs} ms`, null)));
      req.on('error', fail);
      req.end(body);
    });
  }

  return async (responseUrl, message) => {
    let url: URL;
    try {
      url = new URL(responseUrl);
    } catch {
      throw new ResponseUrlError('the response_url is not a URL', null);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ResponseUrlError(`the response_url is not http(s) (${url.protocol})`, null);
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    let result = await postOnce(url, body);
    // A kept-open connection the other end closed (idle) as this answer went out on it: sent again, on a new one.
    if (!result.ok && result.reusedSocket && (result.error as NodeJS.ErrnoException).code === 'ECONNRESET') result = await postOnce(url, body);
    if (!result.ok) throw result.error;
  };
}
