import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cleanPrinted, decodeEntities, foldWidth, joinContinuation, normaliseCode, normaliseText, tidyText } from './normalise.js';

describe('decodeEntities', () => {
  it('turns the space entities of MOFCOM pages into spaces and decodes numeric references', () => {
    expect(decodeEntities('二〇二五年&nbsp;&ensp;第5号')).toBe('二〇二五年  第5号');
    expect(decodeEntities('a&#12288;b&#x3000;c&amp;d&lt;e&gt;')).toBe('a\u3000b\u3000c&d<e>');
    expect(decodeEntities('&NBSP;x')).toBe(' x');
  });

  it('leaves unknown or invalid references alone', () => {
    expect(decodeEntities('&unknown; &#xD800; &#0; & plain')).toBe('&unknown; &#xD800; &#0; & plain');
  });
});

describe('tidyText', () => {
  it('collapses spaces of every width, trims each line and keeps line breaks', () => {
    expect(tidyText('  编号：\u00a0\u00a0050302J \r\n\u3000技术名称：\t微生物肥料技术\u200b \r\r')).toBe('编号： 050302J\n技术名称： 微生物肥料技术\n\n');
  });

  it('keeps the number of lines, so line numbers survive', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 20 }), (lines) => {
        const clean = lines.map((l) => l.replace(/[\r\n]/g, ''));
        expect(tidyText(clean.join('\n')).split('\n')).toHaveLength(clean.length === 0 ? 1 : clean.length);
      }),
    );
  });
});

describe('foldWidth / normaliseText', () => {
  it('folds full-width digits, Latin letters, ． and ： but keeps Chinese punctuation', () => {
    expect(foldWidth('编号：０５０３０２Ｊ，序号１．ａ')).toBe('编号:050302J，序号1.a');
    expect(foldWidth('蚕类品种、繁育（含“一代”）；。')).toBe('蚕类品种、繁育（含“一代”）；。');
  });

  it('keeps the length of any string (positions found in the folded text are valid in the original)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => foldWidth(s).length === s.length));
  });

  it('normaliseText = entities and white space, then width folding', () => {
    expect(normaliseText('编号：&nbsp;０５０３&ensp;０２Ｊ')).toBe('编号: 0503 02J');
    expect(normaliseText('  控制要点：１．除杂交一代蚕品种以外的蚕遗传资源（“一代”）  ')).toBe('控制要点:1.除杂交一代蚕品种以外的蚕遗传资源（“一代”）');
  });
});

describe('normaliseCode', () => {
  it('accepts the ways a code is printed', () => {
    expect(normaliseCode('050302J')).toBe('050302J');
    expect(normaliseCode('0503 02J')).toBe('050302J');
    expect(normaliseCode('０５０３０２Ｊ')).toBe('050302J');
    expect(normaliseCode(' 083915x&nbsp;')).toBe('083915X');
    expect(normaliseCode('2039\u300012X')).toBe('203912X');
  });

  it('returns null for anything that is not six digits plus J or X', () => {
    for (const bad of ['', '05030J', '0503022J', '050302Y', '050302', 'J050302', '编号：050302J', '050302J。', '1E902.a']) {
      expect(normaliseCode(bad), bad).toBeNull();
    }
  });
});

describe('joinContinuation / cleanPrinted', () => {
  it('joins wrapped Chinese lines directly and wrapped English lines with a space', () => {
    expect(joinContinuation('稀土金属及合金材料的', '生产技术')).toBe('稀土金属及合金材料的生产技术');
    expect(joinContinuation('用于 high-temperature', 'alloy 的工艺')).toBe('用于 high-temperature alloy 的工艺');
    expect(joinContinuation('采用', 'GPS 导航')).toBe('采用GPS 导航');
    expect(joinContinuation('', 'x')).toBe('x');
  });

  it('drops spaces between Chinese characters only', () => {
    expect(cleanPrinted('稀土 萃取&nbsp;分离（ 工艺 ）')).toBe('稀土萃取分离（工艺）');
    expect(cleanPrinted('炉温 1000 ℃ 以上')).toBe('炉温 1000 ℃ 以上');
  });
});
