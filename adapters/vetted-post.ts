// POSTing to a URL that passed the SSRF guard: the connection goes to the vetted addresses only (no
// second DNS lookup between the check and the connection), with a total timeout and a bounded answer.
// Shared by the outbound HTTP adapters (webhook, Teams Workflows).
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { VettedUrl } from '../src/alerts/url-guard.js';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** At most `maxAnswerBytes` of the answer, as text. */
  body: string;
}

/** Connects only to the vetted addresses. */
export function pinnedLookup(vetted: VettedUrl): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const first = vetted.addresses[0]!;
    if (options?.all) callback(null, vetted.addresses);
    else callback(null, first.address, first.family);
  }) as unknown as LookupFunction;
}

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  agent: http.Agent | https.Agent;
  maxAnswerBytes: number;
}

export function postToVettedUrl(vetted: VettedUrl, body: string, options: PostOptions): Promise<Answer> {
  const isHttps = vetted.url.protocol === 'https:';
  const host = vetted.url.hostname.replace(/^\[|\]$/g, '');
  return new Promise<Answer>((resolve, reject) => {
    const req = (isHttps ? https : http).request(
      vetted.url,
      {
        method: 'POST',
        headers: { ...options.headers, 'Content-Length': String(Buffer.byteLength(body)) },
        agent: options.agent,
        lookup: pinnedLookup(vetted),
        // The certificate is checked against the URL's host name, not the vetted address (no SNI for IP literals).
        ...(isHttps && isIP(host) === 0 ? { servername: host } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < options.maxAnswerBytes) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8').slice(0, options.maxAnswerBytes) });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
