// Checks a rendered payload against Slack's Block Kit limits and for markup that did not come from the renderer:
// used by the tests over arbitrary and real messages.
import type { Block, SlackPayload } from './blocks.js';
import { SLACK_LIMITS } from './blocks.js';

/** The only markup the renderer writes into mrkdwn: links to safe http(s) URLs, and mentions it built from checked ids. */
const OWN_LINK = /<https?:\/\/[^\s<>|]+(\|[^<>]*)?>/g;
const OWN_MENTION = /<[@#][A-Z][A-Z0-9]{2,30}>/g;

/** Problems of a mrkdwn text: raw `<`/`>` outside the renderer's links, bare `&`, special mentions, broadcast words. */
export function mrkdwnProblems(text: string, allowMentions = false): string[] {
  const problems: string[] = [];
  if (/<[!]/.test(text)) problems.push(`special mention in ${JSON.stringify(text.slice(0, 80))}`);
  let rest = text.replace(OWN_LINK, '');
  if (allowMentions) rest = rest.replace(OWN_MENTION, '');
  if (/[<>]/.test(rest)) problems.push(`unescaped < or > in ${JSON.stringify(rest.slice(0, 120))}`);
  if (/&(?!(amp|lt|gt);)/.test(rest)) problems.push(`bare & in ${JSON.stringify(rest.slice(0, 120))}`);
  if (/@(channel|here|everyone)\b/i.test(rest)) problems.push('broadcast mention');
  return problems;
}

function blockProblems(block: Block, allowMentions: boolean): string[] {
  const out: string[] = [];
  switch (block.type) {
    case 'header':
      if (block.text.text.length > SLACK_LIMITS.header) out.push(`header of ${block.text.text.length} characters`);
      if (block.text.text.trim() === '') out.push('empty header');
      break;
    case 'section': {
      const t = block.text;
      if (!t) break;
      if (t.text.length > SLACK_LIMITS.sectionText) out.push(`section of ${t.text.length} characters`);
      if (t.text.length === 0) out.push('empty section');
      if (t.type === 'mrkdwn') out.push(...mrkdwnProblems(t.text, allowMentions));
      break;
    }
    case 'context':
      if (block.elements.length > SLACK_LIMITS.contextElements) out.push(`context with ${block.elements.length} elements`);
      for (const e of block.elements) {
        if (e.type === 'mrkdwn') {
          if (e.text.length > SLACK_LIMITS.sectionText) out.push('context element too long');
          out.push(...mrkdwnProblems(e.text, allowMentions));
        }
      }
      break;
    case 'actions':
      if (block.elements.length > 25) out.push('too many actions');
      for (const e of block.elements) {
        if (e.type !== 'button') continue;
        if (e.text.text.length > SLACK_LIMITS.buttonText) out.push('button text too long');
        if (e.value !== undefined && e.value.length > SLACK_LIMITS.buttonValue) out.push('button value too long');
        if (e.url !== undefined && (e.url.length > SLACK_LIMITS.url || !/^https?:\/\//.test(e.url))) out.push('bad button url');
      }
      break;
    default:
      break;
  }
  return out;
}

/** Every way a payload breaks Slack's limits or carries foreign markup; empty when it is fine. */
export function payloadProblems(payload: SlackPayload, options: { maxBlocks?: number; allowMentions?: boolean } = {}): string[] {
  const out: string[] = [];
  const max = options.maxBlocks ?? SLACK_LIMITS.blocks;
  if (payload.blocks.length > max) out.push(`${payload.blocks.length} blocks (most ${max})`);
  if (payload.blocks.length === 0) out.push('no blocks');
  if (typeof payload.text !== 'string' || payload.text.trim() === '') out.push('no text fallback');
  else {
    if (payload.text.length > SLACK_LIMITS.fallbackText) out.push('text fallback too long');
    out.push(...mrkdwnProblems(payload.text));
  }
  if (payload.unfurl_links !== false || payload.unfurl_media !== false) out.push('unfurling not set to false');
  for (const b of payload.blocks) out.push(...blockProblems(b, options.allowMentions ?? false));
  return out;
}
