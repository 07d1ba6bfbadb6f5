import { describe, expect, it } from 'vitest';
import { loadGlossary } from '../domain/glossary.js';
import type { Severity } from '../domain/types.js';
import { createKeywordMatcher, defaultKeywordMatcher, matchSubscriptions, routeEvent, severityAtLeast } from './routing.js';
import type { AlertEvent, Subscription } from './types.js';

const matcher = createKeywordMatcher(loadGlossary());
const now = new Date('2026-05-04T10:00:00Z');

function event(over: Partial<AlertEvent> = {}): AlertEvent {
  return {
    id: 'changes:1',
    kind: 'change-set',
    severity: 'high',
    topics: ['rare-earths'],
    text: '稀土永磁材料制备技术 (gloss: rare earth permanent magnet)',
    register: 'tech-catalogue',
    noticeKey: 'MOFCOM-2025-61',
    operator: false,
    message: { title: 't', severity: 'high', subtitle: null, links: [], sections: [], omitted: 0, context: [] },
    occurredAt: now.toISOString(),
    ...over,
  };
}

let nextId = 1;
function sub(over: Partial<Subscription> = {}): Subscription {
  return {
    id: nextId++,
    destination: 'console:ops',
    topics: [],
    keywords: [],
    minSeverity: 'info',
    mode: 'immediate',
    digestDay: 1,
    digestHour: 9,
    digestMinute: 0,
    timezone: 'UTC',
    mutedUntil: null,
    emptyDigest: true,
    createdAt: now.toISOString(),
    ...over,
  };
}

const opts = { now, keywordMatcher: matcher };
const matches = (e: AlertEvent, s: Subscription) => matchSubscriptions(e, [s], opts).length === 1;

describe('matchSubscriptions', () => {
  it('matches on topics', () => {
    expect(matches(event(), sub({ topics: ['rare-earths'] }))).toBe(true);
    expect(matches(event(), sub({ topics: ['magnets', 'rare-earths'] }))).toBe(true);
    expect(matches(event(), sub({ topics: ['semiconductors'] }))).toBe(false);
    expect(matches(event({ topics: [] }), sub({ topics: ['rare-earths'] }))).toBe(false);
  });

  it('matches everything when a subscription has neither topics nor keywords', () => {
    expect(matches(event({ topics: [], text: '' }), sub())).toBe(true);
  });

  it('matches keywords in English and Chinese through the glossary', () => {
    const zhText = event({ topics: [], text: '关于对镓、锗相关物项实施出口管制的公告' });
    const enText = event({ topics: [], text: 'China tightens export controls on gallium and germanium' });
    for (const kw of ['gallium', 'Gallium', '镓']) {
      expect(matches(zhText, sub({ keywords: [kw] })), `${kw} / zh`).toBe(true);
      expect(matches(enText, sub({ keywords: [kw] })), `${kw} / en`).toBe(true);
    }
    const re = event({ topics: [], text: '稀土永磁材料' });
    expect(matches(re, sub({ keywords: ['rare earths'] }))).toBe(true);
    expect(matches(re, sub({ keywords: ['Rare-Earth'] }))).toBe(true);
    expect(matches(event({ topics: [], text: 'New rules for rare-earth magnets' }), sub({ keywords: ['稀土'] }))).toBe(true);
    expect(matches(event({ topics: [], text: 'Drone exports: UAVs over 7 kg' }), sub({ keywords: ['无人机'] }))).toBe(true);
    // a keyword outside the glossary still matches literally; a keyword does not match inside another word
    expect(matches(event({ topics: [], text: 'Acme Photonics added to the list' }), sub({ keywords: ['acme photonics'] }))).toBe(true);
    expect(matches(event({ topics: [], text: 'a free trade zone' }), sub({ keywords: ['REE'] }))).toBe(false);
    expect(matches(event({ topics: [], text: 'lithium batteries' }), sub({ keywords: ['gallium'] }))).toBe(false);
    expect(matches(event({ topics: [], text: '锂电池' }), sub({ keywords: ['稀土'] }))).toBe(false);
  });

  it('matches a topic or a keyword', () => {
    const s = sub({ topics: ['semiconductors'], keywords: ['稀土'] });
    expect(matches(event(), s)).toBe(true);
    expect(matches(event({ text: 'nothing relevant' }), s)).toBe(false);
    expect(matches(event({ text: 'nothing relevant', topics: ['semiconductors'] }), s)).toBe(true);
  });

  it('respects the lowest severity wanted', () => {
    const levels: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
    const table = levels.map((min) => levels.map((sev) => (matches(event({ severity: sev }), sub({ minSeverity: min })) ? 1 : 0)).join(''));
    expect(table).toEqual(['10000', '11000', '11100', '11110', '11111']);
    expect(severityAtLeast('critical', 'info')).toBe(true);
    expect(severityAtLeast('info', 'critical')).toBe(false);
  });

  it('skips muted subscriptions until the mute ends', () => {
    expect(matches(event(), sub({ mutedUntil: '2026-05-04T10:00:01Z' }))).toBe(false);
    expect(matches(event(), sub({ mutedUntil: '2026-05-04T10:00:00Z' }))).toBe(true);
    expect(matches(event(), sub({ mutedUntil: '2026-05-01T00:00:00Z' }))).toBe(true);
  });

  it('delivers immediately only for immediate modes', () => {
    expect(matches(event(), sub({ mode: 'immediate' }))).toBe(true);
    expect(matches(event(), sub({ mode: 'immediate+weekly' }))).toBe(true);
    expect(matches(event(), sub({ mode: 'daily' }))).toBe(false);
    expect(matches(event(), sub({ mode: 'weekly' }))).toBe(false);
  });

  it('never sends operator events to subscriptions', () => {
    const op = event({ kind: 'source-health', operator: true, severity: 'critical' });
    expect(matchSubscriptions(op, [sub(), sub({ topics: ['rare-earths'] })], opts)).toEqual([]);
    expect(routeEvent(op, [sub()], { ...opts, operatorDestinations: ['console:operators', 'webhook:https://ops.example.org/h', 'console:operators'] })).toEqual(
      [
        { destination: 'console:operators', subscriptionId: null },
        { destination: 'webhook:https://ops.example.org/h', subscriptionId: null },
      ],
    );
    expect(routeEvent(op, [sub()], opts)).toEqual([]);
  });
});

describe('routeEvent', () => {
  it('gives one destination per matching destination, named by its lowest subscription id', () => {
    const a1 = sub({ destination: 'console:a', topics: ['rare-earths'] });
    const a2 = sub({ destination: 'console:a', keywords: ['稀土'] });
    const b = sub({ destination: 'console:b' });
    const c = sub({ destination: 'console:c', mode: 'weekly' });
    expect(routeEvent(event(), [a2, b, a1, c], opts)).toEqual([
      { destination: 'console:a', subscriptionId: a1.id },
      { destination: 'console:b', subscriptionId: b.id },
    ]);
  });

  it('has a default keyword matcher on the shipped glossary', () => {
    expect(defaultKeywordMatcher('rare earth', '稀土')).toBe(true);
    expect(defaultKeywordMatcher('rare earth', '石墨')).toBe(false);
  });
});
