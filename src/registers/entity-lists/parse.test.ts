import { describe, expect, it } from 'vitest';
import { dayNotice, registerNotice } from '../measures/day-fixtures.test-support.js';
import { noticeLines } from '../measures/text.js';
import { countryIn, entityKey, parseEntities, parseEntityHeading, parseEntityNotice, splitName } from './parse.js';

describe('parseEntityHeading', () => {
  it.each([
    ['商务部公告2026年第11号 关于将20家日本实体列入出口管制管控名单的公告', { list: 'export-control-list', action: 'add', count: 20, countries: ['Japan'] }],
    ['关于将20家日本实体列入关注名单的公告', { list: 'watch-list', action: 'add', count: 20, countries: ['Japan'] }],
    [
      '不可靠实体清单工作机制关于将十家美国实体列入不可靠实体清单的公告',
      { list: 'unreliable-entity-list', action: 'add', count: 10, countries: ['United States'] },
    ],
    ['关于将两家美国实体移出不可靠实体清单的公告', { list: 'unreliable-entity-list', action: 'remove', count: 2, countries: ['United States'] }],
    ['关于将二十一家实体列入出口管制管控名单的公告', { list: 'export-control-list', action: 'add', count: 21, countries: [] }],
    [
      '关于将3家美国实体和2家加拿大实体列入出口管制管控名单的公告',
      { list: 'export-control-list', action: 'add', count: 5, countries: ['United States', 'Canada'] },
    ],
    ['关于将１５家台湾地区实体列入出口管制管控名单的公告', { list: 'export-control-list', action: 'add', count: 15, countries: ['Taiwan region'] }],
  ])('%s', (title, expected) => {
    expect(parseEntityHeading(title, '')).toEqual({ ...expected, from: 'title' });
  });

  it('falls back to the body, and to nothing', () => {
    expect(parseEntityHeading('商务部公告2026年第40号', '商务部决定将以下5家美国实体列入关注名单：')).toEqual({
      list: 'watch-list',
      action: 'add',
      count: 5,
      countries: ['United States'],
      from: 'body',
    });
    expect(parseEntityHeading('关于加强两用物项出口管制的公告', '')).toEqual({ list: null, action: null, count: null, countries: [], from: null });
  });
});

describe('names', () => {
  it.each([
    ['阿克米动力系统公司（Acme Dynamics Systems, Inc.）', { nameZh: '阿克米动力系统公司', nameEn: 'Acme Dynamics Systems, Inc.', problem: null }],
    ['北极星航电有限责任公司(Polaris Avionics LLC)；', { nameZh: '北极星航电有限责任公司', nameEn: 'Polaris Avionics LLC', problem: null }],
    ['某公司（原名某某）（Foo (Shanghai) Co., Ltd.）', { nameZh: '某公司（原名某某）', nameEn: 'Foo (Shanghai) Co., Ltd.', problem: null }],
    ['樱花公司（Ｓａｋｕｒａ　Ｃｏｒｐ）', { nameZh: '樱花公司', nameEn: 'Sakura Corp', problem: null }],
    ['东洋特殊钢铁株式会社', { nameZh: '东洋特殊钢铁株式会社', nameEn: null, problem: null }],
    ['Acme Corp', { nameZh: null, nameEn: 'Acme Corp', problem: null }],
    ['大湖光学公司（Great Lakes Opt', { nameZh: null, nameEn: null, problem: 'unclosed bracket (truncated?)' }],
  ])('%s', (raw, expected) => {
    expect(splitName(raw)).toEqual(expected);
  });

  it('keys on the English name, punctuation and case folded, else the Chinese name', () => {
    expect(entityKey('Acme Dynamics Systems, Inc.')).toBe('acme dynamics systems inc');
    expect(entityKey('ACME  DYNAMICS-SYSTEMS INC')).toBe('acme dynamics systems inc');
    expect(entityKey('Ａｃｍｅ Ｄｙｎａｍｉｃｓ')).toBe('acme dynamics');
    expect(entityKey('洛克希德·马丁公司')).toBe('洛克希德 马丁公司');
  });

  it('infers the country from Chinese or English address words', () => {
    expect(countryIn('美国弗吉尼亚州阿灵顿市')).toBe('United States');
    expect(countryIn('4400 East Valencia Road, Tucson, AZ, USA')).toBe('United States');
    expect(countryIn('1-2-3 Namba, Osaka 556-0011, Japan')).toBe('Japan');
    expect(countryIn('Japan Street 1, London, United Kingdom')).toBe('United Kingdom');
    expect(countryIn('Somewhere')).toBeNull();
    expect(countryIn(null)).toBeNull();
  });
});

describe('parseEntityNotice', () => {
  it('reads the day listing: names, addresses, postcode, aliases, country from the title', () => {
    const r = parseEntityNotice(dayNotice('04-2026-95-entity-listing.html'));
    expect(r.heading).toEqual({ list: 'export-control-list', action: 'add', count: 3, countries: ['United States'], from: 'title' });
    expect(r.flags).toEqual([]);
    expect(r.unparsed).toEqual([]);
    expect(r.entities.map((e) => [e.number, e.nameZh, e.nameEn, e.address, e.postcode, e.aliases, e.country])).toEqual([
      [
        '1',
        '阿克米动力系统公司',
        'Acme Dynamics Systems, Inc.',
        '美国弗吉尼亚州阿灵顿市威尔逊大道1200号',
        null,
        ['Acme Dynamics', 'ADS Defense'],
        'United States',
      ],
      ['2', '北极星航电有限责任公司', 'Polaris Avionics LLC', '4400 East Valencia Road, Tucson, AZ, USA', '85706', [], 'United States'],
      ['3', '蓝岭先进材料实验室', 'Blue Ridge Advanced Materials Laboratory', null, null, [], 'United States'],
    ]);
  });

  it('flags a count mismatch; reads a missing English name, mixed widths, two entities on a line and a wrapped name', () => {
    const r = parseEntityNotice(registerNotice('entity-watch-list-mismatch.txt'));
    expect(r.flags).toEqual(['title says 10 entities, parsed 9']);
    expect(r.entities.map((e) => e.number)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(r.entities.every((e) => e.list === 'watch-list' && e.country === 'Japan')).toBe(true);
    const byNumber = Object.fromEntries(r.entities.map((e) => [e.number, e]));
    expect(byNumber['2']).toMatchObject({ nameEn: 'Fujisan Optoelectronics Corporation', aliases: ['富士山光电', 'Fujisan Opto'] });
    expect(byNumber['4']).toMatchObject({ nameZh: '东洋特殊钢铁株式会社', nameEn: null });
    expect(byNumber['5']).toMatchObject({ nameEn: 'Naniwa Semiconductor K.K.', postcode: '556-0011', address: '1-2-3 Namba, Osaka 556-0011, Japan' });
    expect(byNumber['8']).toMatchObject({ nameZh: '若叶化学株式会社', nameEn: 'Wakaba Chemical Co., Ltd.' });
    expect(byNumber['9']).toMatchObject({ nameZh: '琵琶湖先进陶瓷株式会社', nameEn: 'Biwako Advanced Ceramics Co., Ltd.' });
  });

  it('reports a truncated entity and the count it breaks', () => {
    const r = parseEntityNotice(registerNotice('entity-truncated.txt'));
    expect(r.entities.map((e) => e.nameEn)).toEqual(['Redwood Radar Technologies Inc.', 'Bay Area Unmanned Systems LLC']);
    expect(r.unparsed).toEqual([{ clause: 'line 9', text: '3.大湖光学公司（Great Lakes Opt', reason: 'entity 3: unclosed bracket (truncated?)' }]);
    expect(r.flags).toEqual(['title says 3 entities, parsed 2']);
  });

  it('does not take numbered measures for entities (UEL notice)', () => {
    const r = parseEntityNotice(registerNotice('uel-listing.txt'));
    expect(r.heading).toMatchObject({ list: 'unreliable-entity-list', action: 'add', count: 2 });
    expect(r.entities.map((e) => e.nameEn)).toEqual(['Stars Stripes Defense Systems Corp.', 'Coastal Sentinel Technologies, Inc.']);
    expect(r.flags).toEqual([]);
  });

  it('takes the country from the address when the title names several, and flags repeats and gaps', () => {
    const r = parseEntityNotice({
      title: '关于将1家美国实体和1家日本实体列入出口管制管控名单的公告',
      text: '1.甲公司（Alpha Corp）\n地址：Tokyo, Japan\n3.乙公司（Beta Inc.）\n地址：美国纽约\n4.甲公司（ALPHA CORP.）',
      attachmentTexts: [],
    });
    expect(r.entities.map((e) => e.country)).toEqual(['Japan', 'United States', null]);
    expect(r.flags).toEqual(['title says 2 entities, parsed 3', 'entity numbering jumps from 1 to 3', 'entity 4 repeats entity 1 (ALPHA CORP.)']);
  });

  it('assigns entities to the list each 将以下… sentence names', () => {
    const r = parseEntities(
      noticeLines({
        text: '一、将以下实体列入出口管制管控名单：\n1.甲公司（Alpha Corp）\n二、将以下实体移出关注名单：\n1.乙公司（Beta Inc.）',
        attachmentTexts: [],
      }),
      { list: null, action: null },
    );
    expect(r.entities.map((e) => [e.nameEn, e.list, e.action])).toEqual([
      ['Alpha Corp', 'export-control-list', 'add'],
      ['Beta Inc.', 'watch-list', 'remove'],
    ]);
  });
});
