// Text for Slack: scraped text (notice titles, entity names, news headlines) must show as written and never act as
// markup. In mrkdwn, `&`, `<` and `>` are escaped (so `<!channel>`, `<@U…>`, `<#C…>` and `<http://…|label>` cannot be
// injected), and the bare `@channel`, `@here` and `@everyone` are broken with a word joiner. Links are only built here,
// from http(s) URLs that cannot break out of `<url|label>`.

// Control characters other than newline and tab; zero-width and bidirectional-override characters.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const WORD_JOINER = '\u2060';

/** Removes control and invisible formatting characters (keeps newlines and tabs). */
export function stripControl(text: string): string {
  return text.replace(CONTROL, '');
}

/** Escapes text for a mrkdwn field: `&` `<` `>` as entities, broadcast mentions defused. */
export function escapeMrkdwn(text: string): string {
  return stripControl(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, `@${WORD_JOINER}$1`);
}

/** Text on one line: newlines and tabs become spaces, runs of spaces collapse. */
export function oneLine(text: string): string {
  return stripControl(text).replace(/\s+/g, ' ').trim();
}

/** Cuts text to at most `max` UTF-16 units, ending in `…` when cut, never inside a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const code = text.charCodeAt(cut - 1);
  if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * Cuts escaped mrkdwn to at most `max` units without leaving half an entity (`&am`) or half a link (`<https://…`) at
 * the end.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = truncate(text, max).slice(0, -1);
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return `${cut}…`;
}

/** Plain text for plain_text fields (header, button): one line, no control characters, at most `max` units. */
export function plainText(text: string, max: number): string {
  const clean = oneLine(text);
  return truncate(clean === '' ? '—' : clean, max);
}

/** A URL safe inside `<url|label>` and in a button: http(s) only, normalised, `|` encoded; null otherwise. */
export function safeUrl(text: string, max = 3000): string | null {
  let url: URL;
  try {
    url = new URL(stripControl(text).trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  const href = url.href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/ /g, '%20');
  return href.length <= max ? href : null;
}

/** `<url|label>` for a safe URL; otherwise the label and the URL as escaped text (never a link). */
export function mrkdwnLink(url: string, label: string): string {
  const safe = safeUrl(url);
  const text = escapeMrkdwn(oneLine(label)).replace(/\|/g, '¦') || 'link';
  if (safe === null) return `${text} (${escapeMrkdwn(oneLine(url))})`;
  return `<${safe}|${truncateMrkdwn(text, 300)}>`;
}

/** Mentions and channel links the app writes itself, from ids it has checked. */
export function userMention(userId: string): string {
  return /^[UW][A-Z0-9]{2,30}$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

export function channelMention(channelId: string): string {
  return /^[CGD][A-Z0-9]{2,30}$/.test(channelId) ? `<#${channelId}>` : escapeMrkdwn(channelId);
}
