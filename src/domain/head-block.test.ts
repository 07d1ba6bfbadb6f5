import { describe, expect, it } from 'vitest';
import { isoDate, readHeadBlock } from './head-block.js';

describe('readHeadBlock', () => {
  it('finds the markers wherever they are', () => {
    const text = '首页 > 政策发布\n【发布单位】服务贸易和商贸服务业司 【发布文号】商务部 科技部公告2020年第38号\n正文……\n【发文日期】2020年08月28日';
    expect(readHeadBlock(text)).toEqual({ issuer: '服务贸易和商贸服务业司', number: '商务部 科技部公告2020年第38号', date: '2020-08-28' });
  });
  it('returns nulls when the markers are absent', () => {
    expect(readHeadBlock('一段正文')).toEqual({ issuer: null, number: null, date: null });
  });
});

describe('isoDate', () => {
  it.each([
    ['2025年7月15日', '2025-07-15'],
    ['２０２３年１２月２１日', '2023-12-21'],
    ['2020-08-28', '2020-08-28'],
    ['2023.2.30', null],
    ['no date', null],
  ])('reads %s', (text, iso) => expect(isoDate(text)).toBe(iso));
});
