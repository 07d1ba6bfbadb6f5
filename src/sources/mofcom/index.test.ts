import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeMofcom, type FakeMofcom } from '../../../test/fakes/mofcom.js';
import { plainClient } from '../../../test/fakes/plain-client.js';
import { parseSources } from '../config.js';
import { DISCOVERY, discover, hasDiscovery } from './index.js';

let fake: FakeMofcom;
beforeEach(async () => {
  fake = await startFakeMofcom({
    listings: [{ title: '商务部公告2025年第61号', path: '/zwgk/zcfb/art/2025/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html', date: '2025-10-09', column: 14 }],
  });
});
afterEach(async () => {
  await fake.close();
});

describe('discovery registry', () => {
  it('has one module per list kind, keyed by its kind', () => {
    expect(Object.keys(DISCOVERY).sort()).toEqual(['export-control-columns', 'html-index', 'jpaas-list']);
    for (const [kind, module] of Object.entries(DISCOVERY)) expect(module.kind).toBe(kind);
    expect(hasDiscovery('html-index')).toBe(true);
    expect(hasDiscovery('feed')).toBe(false);
  });

  it('discover dispatches on the kind; every kind finds the same notice on the fake', async () => {
    const sources = parseSources(
      {
        sources: [
          { id: 'ec', kind: 'export-control-columns', baseUrl: fake.baseUrl, columns: [14], every: '15m' },
          { id: 'aq', kind: 'jpaas-list', baseUrl: fake.baseUrl, params: { webId: 'w', pageId: 'p', tplSetId: 't' }, every: '30m' },
          { id: 'ann', kind: 'html-index', url: `${fake.baseUrl}/zcfb/blgg/gg/{year}/index.html`, every: '1h' },
        ],
      },
      'test',
    );
    const url = `${fake.baseUrl}/zwgk/zcfb/art/2025/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html`;
    for (const source of sources) {
      const listings = await discover(source, { http: plainClient(), now: new Date('2025-10-10T00:00:00Z') });
      expect(listings).toEqual([{ url, title: '商务部公告2025年第61号', publishedAt: '2025-10-09', sourceId: source.id }]);
    }
  });

  it('rejects kinds without a module', async () => {
    const [feed] = parseSources({ sources: [{ id: 'news', kind: 'feed', url: 'https://example.com/feed', every: '1h' }] }, 'test');
    await expect(discover(feed!, { http: plainClient(), now: new Date() })).rejects.toThrow('source news: no discovery module for kind "feed"');
  });
});
