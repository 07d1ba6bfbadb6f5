// Checks Adaptive Cards the way tests need: Microsoft's `adaptivecards` library (3.0.6, a dev dependency) parses the
// card for schema 1.5 — every parse event (unknown element or action, invalid property value) is a problem — and
// validates it (missing required properties are problems too). Its UMD bundle works in Node without a DOM; its ESM
// build does not resolve there. On top: version 1.5 at most, unique ids, "Show details" toggles aimed at real ids.
import { createRequire } from 'node:module';

interface ValidationEvent {
  phase: number;
  event: number;
  message: string;
}
interface AdaptiveCardsModule {
  AdaptiveCard: new () => { parse(json: unknown, context?: unknown): void; validateProperties(): { validationEvents: ValidationEvent[] } };
  SerializationContext: new () => { targetVersion: unknown; eventCount: number; getEventAt(i: number): ValidationEvent };
  Versions: { v1_5: unknown };
}

const require = createRequire(import.meta.url);
let library: AdaptiveCardsModule | null = null;

function ac(): AdaptiveCardsModule {
  library ??= require('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;
  return library;
}

const SUPPORTED = new Set(['1.0', '1.1', '1.2', '1.3', '1.4', '1.5']);

function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) for (const v of value) walk(v, visit);
  else if (typeof value === 'object' && value !== null) {
    visit(value as Record<string, unknown>);
    for (const v of Object.values(value)) walk(v, visit);
  }
}

/** Everything wrong with a card; an empty list for a good one. */
export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  const c = card as { type?: unknown; version?: unknown };
  if (c?.type !== 'AdaptiveCard') problems.push(`type is ${JSON.stringify(c?.type)}, not AdaptiveCard`);
  if (typeof c?.version !== 'string' || !SUPPORTED.has(c.version)) problems.push(`version ${JSON.stringify(c?.version)} is not 1.5 or lower`);
  const AC = ac();
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  context.targetVersion = AC.Versions.v1_5;
  parsed.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`validation: ${e.message}`);
  const ids = new Map<string, number>();
  const targets: string[] = [];
  walk(card, (node) => {
    if (typeof node.id === 'string') ids.set(node.id, (ids.get(node.id) ?? 0) + 1);
    if (node.type === 'Action.ToggleVisibility' && Array.isArray(node.targetElements)) {
      for (const t of node.targetElements) targets.push(typeof t === 'string' ? t : String((t as { elementId?: unknown })?.elementId));
    }
  });
  for (const [id, n] of ids) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
  for (const t of targets) if (!ids.has(t)) problems.push(`Action.ToggleVisibility targets "${t}", which is not on the card`);
  return problems;
}
