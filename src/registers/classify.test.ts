import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyNotice, type NoticeKind } from './classify.js';
import { DAY_DIR, dayNotice, registerNotice } from './measures/day-fixtures.test-support.js';

interface ExpectedNotice {
  file: string;
  classification: { kind: NoticeKind; registers: string[] };
}

const expected = JSON.parse(readFileSync(`${DAY_DIR}expected.json`, 'utf8')) as { notices: ExpectedNotice[] };
const LIFECYCLE = ['dual-use', 'export-control-list', 'watch-list', 'unreliable-entity-list', 'measures'];

describe('classifyNotice on the day of notices', () => {
  it.each(expected.notices.map((n) => [n.file, n] as const))('%s', (file, n) => {
    const notice = dayNotice(file);
    const c = classifyNotice({ title: notice.title, text: notice.text });
    expect({ kind: c.kind, registers: c.registers }).toEqual(n.classification);
    expect(c.reason).not.toBe('');
  });

  it('gives the same answer when told the notice key', () => {
    for (const n of expected.notices) {
      const notice = dayNotice(n.file);
      expect(classifyNotice({ title: notice.title, text: notice.text, key: notice.key }).kind).toBe(n.classification.kind);
    }
  });
});

describe('classifyNotice on the register fixtures', () => {
  it.each([
    ['dual-use-malformed.txt', 'dual-use', ['dual-use', 'measures']],
    ['entity-watch-list-mismatch.txt', 'entity-listing', ['watch-list', 'measures']],
    ['entity-truncated.txt', 'entity-listing', ['export-control-list', 'measures']],
    ['entity-removal.txt', 'entity-listing', ['export-control-list', 'measures']],
    ['uel-listing.txt', 'entity-listing', ['unreliable-entity-list', 'measures']],
    ['uel-suspension.txt', 'lifecycle', ['unreliable-entity-list', 'measures']],
    ['lifecycle-stop-listing.txt', 'lifecycle', LIFECYCLE],
    ['measures-2025-72-partial.txt', 'lifecycle', LIFECYCLE],
    ['measures-extend.txt', 'lifecycle', LIFECYCLE],
    ['measures-resume.txt', 'lifecycle', LIFECYCLE],
    ['measures-stop.txt', 'lifecycle', LIFECYCLE],
  ])('%s is %s', (file, kind, registers) => {
    const n = registerNotice(file);
    expect(classifyNotice(n)).toMatchObject({ kind, registers });
  });
});

describe('classifyNotice on tricky titles', () => {
  const c = (title: string, text = '') => classifyNotice({ title, text });

  it('tells adjustment from revision of the technology catalogue', () => {
    expect(c('商务部 科技部公告2020年第38号 关于调整发布《中国禁止出口限制出口技术目录》的公告').kind).toBe('tech-catalogue-adjustment');
    expect(c('商务部 科技部公告2023年第57号 关于公布《中国禁止出口限制出口技术目录》的公告').kind).toBe('tech-catalogue-revision');
    expect(c('关于发布《中国禁止出口限制出口技术目录》（修订版）全文的公告').kind).toBe('tech-catalogue-revision');
    expect(c('《中国禁止出口限制出口技术目录》（商务部 科学技术部令2008年第12号）').kind).toBe('tech-catalogue-revision');
    expect(c('商务部 科技部公告', '现对《中国禁止出口限制出口技术目录》作部分调整。').kind).toBe('tech-catalogue-adjustment');
    expect(c('关于调整发布《中国禁止出口限制出口技术目录》的公告').registers).toEqual(['tech-catalogue', 'measures']);
  });

  it('reads a dual-use control from 物项 or 管制编码', () => {
    expect(c('商务部 海关总署公告2025年第18号 关于对部分中重稀土相关物项实施出口管制的公告').kind).toBe('dual-use');
    expect(c('商务部公告2024年第46号 关于加强相关两用物项对美国出口管制的公告').kind).toBe('dual-use');
    expect(c('商务部公告2026年第1号', '1.某物项（管制编码：1C902）').kind).toBe('dual-use');
    expect(c('商务部公告2026年第1号', '1.某物项（管制编码：1C902）').registers).toEqual(['dual-use', 'measures']);
  });

  it('reads an entity listing and the lists it names, in the title or the body', () => {
    expect(c('商务部公告2026年第11号 关于将20家日本实体列入出口管制管控名单的公告').registers).toEqual(['export-control-list', 'measures']);
    expect(c('商务部公告2026年第12号 关于将20家日本实体列入关注名单的公告').registers).toEqual(['watch-list', 'measures']);
    expect(c('不可靠实体清单工作机制关于将10家美国实体列入不可靠实体清单的公告').registers).toEqual(['unreliable-entity-list', 'measures']);
    expect(c('关于将3家美国实体移出不可靠实体清单的公告').kind).toBe('entity-listing');
    expect(c('关于将部分实体移出关注名单并列入出口管制管控名单的公告').registers).toEqual(['watch-list', 'export-control-list', 'measures']);
    expect(c('商务部公告2026年第40号', '商务部决定将以下5家实体列入出口管制管控名单：').registers).toEqual(['export-control-list', 'measures']);
  });

  it('reads lifecycle actions only when an earlier notice is named', () => {
    expect(c('商务部公告2025年第70号 关于暂停实施2025年第55号、56号、57号、58号、61号、62号公告的公告').kind).toBe('lifecycle');
    expect(c('商务部公告2025年第72号 关于暂停实施商务部公告2024年第46号第二款的公告').kind).toBe('lifecycle');
    expect(c('关于继续暂停实施有关公告的公告', '继续暂停实施2025年第61号公告至2027年11月10日。').kind).toBe('lifecycle');
    expect(c('商务部公告2026年第2号', '商务部决定废止商务部公告2023年第23号。').kind).toBe('lifecycle');
    // Its own number is not an earlier notice; 取消 of a licence requirement is no lifecycle action.
    expect(c('商务部公告2026年第5号 关于取消部分物品出口许可证管理的公告').kind).toBe('other');
    expect(c('关于暂停实施有关措施的公告', '商务部决定暂停实施有关措施。').kind).toBe('other');
  });

  it('a lifecycle title wins over the words of the measures it names', () => {
    const title = '商务部公告2026年第97号 关于暂停实施对钪相关物项实施出口管制的商务部 海关总署公告2026年第96号的公告';
    expect(c(title, '（管制编码：1C907.a）').kind).toBe('lifecycle');
    expect(c('不可靠实体清单工作机制关于停止实施不可靠实体清单工作机制公告2025年第4号的公告').registers).toEqual(['unreliable-entity-list', 'measures']);
  });

  it('leaves statements and news as other', () => {
    expect(c('商务部新闻发言人就将20家日本实体列入出口管制管控名单答记者问')).toEqual({ kind: 'other', registers: [], reason: expect.any(String) });
    expect(c('商务部召开两用物项出口管制政策宣介会', '会议介绍了两用物项出口管制措施。').kind).toBe('other');
    expect(c('', '').kind).toBe('other');
  });
});
