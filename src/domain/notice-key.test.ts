import { describe, expect, it } from 'vitest';
import { chineseNumber, noticeKeyFromNumber, normaliseNoticeKey } from './notice-key.js';

describe('noticeKeyFromNumber', () => {
  it.each([
    ['商务部 科技部公告2020年第38号', 'MOFCOM-2020-38'],
    ['商务部 海关总署公告2025年第57号', 'MOFCOM-2025-57'],
    ['商务部公告2026年第11号', 'MOFCOM-2026-11'],
    ['【发布文号】商务部公告二〇二五年&nbsp; 第5号', 'MOFCOM-2025-5'],
    ['不可靠实体清单工作机制公告2025年第1号', 'MOFCOM-UEL-2025-1'],
    ['不可靠实体清单工作机制〔2025〕9号', 'MOFCOM-UEL-2025-9'],
    ['商务部令二〇二五年第6号', 'MOFCOM-ORDER-2025-6'],
    ['商务部　科技部令２００８年第１２号', 'MOFCOM-ORDER-2008-12'],
  ])('reads %s as %s', (text, expected) => {
    expect(noticeKeyFromNumber(text)).toBe(expected);
  });

  it('returns null for text without a number', () => {
    expect(noticeKeyFromNumber('关于调整发布《中国禁止出口限制出口技术目录》的公告')).toBeNull();
    expect(noticeKeyFromNumber('商务部公告0年第0号')).toBeNull();
  });
});

describe('chineseNumber', () => {
  it.each([
    ['二〇二三', 2023],
    ['十', 10],
    ['十二', 12],
    ['二十一', 21],
    ['九', 9],
    ['38', 38],
  ])('reads %s as %d', (text, n) => expect(chineseNumber(text)).toBe(n));
  it('rejects nonsense', () => expect(chineseNumber('十十')).toBeNull());
});

describe('normaliseNoticeKey', () => {
  it('accepts typed keys in any case and rejects others', () => {
    expect(normaliseNoticeKey(' mofcom-uel-2025-9 ')).toBe('MOFCOM-UEL-2025-9');
    expect(normaliseNoticeKey('MOFCOM-2025')).toBeNull();
    expect(normaliseNoticeKey("x'; drop table")).toBeNull();
  });
});
