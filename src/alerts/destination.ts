// Destinations as people write them (`console:<name>`, `webhook:<url>`, `slack:<team>/<channel>`,
// `teams:<conversation>`, `teams-workflow:<url>`): parsed, validated and written back in one canonical form,
// so the same place is always the same string in subscriptions, the outbox and the audit trail.
import type { Destination, Platform } from './types.js';

export const PLATFORMS: readonly Platform[] = ['console', 'webhook', 'slack', 'teams', 'teams-workflow'];

export const MAX_DESTINATION_LENGTH = 2048;

/** An unusable destination; the message says how to write a good one. */
export class DestinationError extends Error {
  override name = 'DestinationError';
}

const EXAMPLES = 'console:ops, webhook:https://example.org/hook, slack:T0123ABCD/C0456EFGH, teams:19:abc@thread.tacv2, teams-workflow:https://…';
// Control, zero-width, bidirectional-override and other invisible characters.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SLACK_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
const TEAMS_CONVERSATION = /^[\x21-\x7e]{1,512}$/;

function parseUrl(platform: Platform, address: string, httpsOnly: boolean): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new DestinationError(`${platform} destinations are written ${platform}:<${httpsOnly ? 'https' : 'http(s)'} URL>, got "${platform}:${address}"`);
  }
  const allowed = httpsOnly ? ['https:'] : ['http:', 'https:'];
  if (!allowed.includes(url.protocol))
    throw new DestinationError(`${platform} URLs must use ${httpsOnly ? 'https' : 'http or https'}, got ${url.protocol.replace(':', '')}`);
  if (url.username !== '' || url.password !== '') throw new DestinationError(`${platform} URLs must not contain a user name or password`);
  if (url.hostname === '') throw new DestinationError(`${platform} URL has no host`);
  url.hash = '';
  return url.href;
}

/**
 * Parses `platform:address`. The platform is case-insensitive; URLs are normalised (`new URL().href`, fragment dropped).
 * Throws DestinationError with an example of the expected form.
 */
export function parseDestination(text: string): Destination {
  const raw = text.trim();
  if (raw === '') throw new DestinationError(`the destination is empty; write it as one of: ${EXAMPLES}`);
  if (raw.length > MAX_DESTINATION_LENGTH) throw new DestinationError(`the destination is longer than ${MAX_DESTINATION_LENGTH} characters`);
  if (INVISIBLE.test(raw)) throw new DestinationError('the destination contains control or invisible characters');
  const colon = raw.indexOf(':');
  if (colon <= 0) throw new DestinationError(`"${raw}" is not a destination; write it as one of: ${EXAMPLES}`);
  const prefix = raw.slice(0, colon).toLowerCase();
  const address = raw.slice(colon + 1).trim();
  if (!(PLATFORMS as readonly string[]).includes(prefix)) {
    throw new DestinationError(`unknown platform "${raw.slice(0, colon)}"; destinations start with ${PLATFORMS.map((p) => `${p}:`).join(', ')}`);
  }
  const platform = prefix as Platform;
  if (address === '') throw new DestinationError(`the ${platform} destination has no address; for example ${exampleOf(platform)}`);
  switch (platform) {
    case 'console':
      if (!NAME.test(address)) throw new DestinationError(`console destinations are written console:<name> (letters, digits, . _ -; at most 64), got "${raw}"`);
      return { platform, address };
    case 'webhook':
      return { platform, address: parseUrl(platform, address, false) };
    case 'teams-workflow':
      return { platform, address: parseUrl(platform, address, true) };
    case 'slack': {
      const parts = address.split('/');
      if (parts.length !== 2 || !parts.every((p) => SLACK_ID.test(p))) {
        throw new DestinationError(`slack destinations are written slack:<team id>/<channel id>, e.g. slack:T0123ABCD/C0456EFGH, got "${raw}"`);
      }
      return { platform, address };
    }
    case 'teams':
      if (!TEAMS_CONVERSATION.test(address)) {
        throw new DestinationError(`teams destinations are written teams:<conversation id> (no spaces, at most 512 characters), got "${raw}"`);
      }
      return { platform, address };
  }
}

function exampleOf(platform: Platform): string {
  switch (platform) {
    case 'console':
      return 'console:ops';
    case 'webhook':
      return 'webhook:https://example.org/hook';
    case 'slack':
      return 'slack:T0123ABCD/C0456EFGH';
    case 'teams':
      return 'teams:19:abc@thread.tacv2';
    case 'teams-workflow':
      return 'teams-workflow:https://prod.example.logic.azure.com/workflows/…';
  }
}

/** The canonical written form, `platform:address`. */
export function formatDestination(destination: Destination): string {
  return `${destination.platform}:${destination.address}`;
}

/** Parses and writes back: the canonical form of a destination as typed. */
export function canonicalDestination(text: string): string {
  return formatDestination(parseDestination(text));
}

/**
 * A destination safe to show in lists, logs and exports: URL query values (Workflows `sig=`, tokens) are masked.
 * Unparseable input is returned with everything after the first `?` masked.
 */
export function displayDestination(text: string): string {
  let d: Destination;
  try {
    d = parseDestination(text);
  } catch {
    const q = text.indexOf('?');
    return q < 0 ? text : `${text.slice(0, q)}?…`;
  }
  if (d.platform !== 'webhook' && d.platform !== 'teams-workflow') return formatDestination(d);
  const url = new URL(d.address);
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, '…');
  return `${d.platform}:${url.href.replaceAll('%E2%80%A6', '…')}`;
}
