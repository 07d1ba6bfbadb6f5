import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { boundText, canonicalLink, htmlToText, normaliseTitle, parseFeedDate, resolveHttpLink, titleHash } from './normalise.js';

describe('canonicalLink', () => {
  it('strips utm_* and the other tracking parameters, keeping the rest sorted', () => {
    expect(canonicalLink('https://www.scmp.com/news/china/article/3300000/x?utm_source=rss_feed&utm_medium=rss&utm_campaign=feed')).toBe(
      'https://www.scmp.com/news/china/article/3300000/x',
    );
    expect(canonicalLink('https://example.com/a?b=2&fbclid=abc&a=1&gclid=x&mc_cid=1&mc_eid=2&ref=tw&spm=a.b.c&UTM_Term=z')).toBe(
      'https://example.com/a?a=1&b=2',
    );
    expect(canonicalLink('https://example.com/a?id=7&utm_source=x')).toBe('https://example.com/a?id=7');
  });

  it('lower-cases the host, drops the fragment and default ports, keeps the path as written', () => {
    expect(canonicalLink('HTTPS://WWW.Mining.COM:443/Web/Rare-Earths/#comments')).toBe('https://www.mining.com/Web/Rare-Earths/');
    expect(canonicalLink('http://example.com:80/x#top')).toBe('http://example.com/x');
    expect(canonicalLink('http://example.com:8080/x')).toBe('http://example.com:8080/x');
  });

  it('makes the same article from two feeds meet', () => {
    const a = canonicalLink('https://example.com/story?utm_source=feedA&id=3&page=1');
    const b = canonicalLink('https://EXAMPLE.com/story?page=1&id=3&utm_source=feedB&utm_medium=rss#x');
    expect(a).toBe(b);
  });

  it('keeps repeated parameters in their order and leaves non-URLs alone', () => {
    expect(canonicalLink('https://e.com/?tag=b&tag=a&utm_x=1')).toBe('https://e.com/?tag=b&tag=a');
    expect(canonicalLink('  not a url ')).toBe('not a url');
    expect(canonicalLink('mailto:a@b.c?utm_source=x')).toBe('mailto:a@b.c?utm_source=x');
  });
});

describe('titleHash', () => {
  it('hashes the NFKC, lower-cased title with punctuation and whitespace collapsed', () => {
    expect(normaliseTitle('  Rare Earths:  China’s  “new” move!  ')).toBe('rare earths china s new move');
    expect(titleHash('Rare Earths: China’s "new" move')).toBe(titleHash('rare earths — china’s new move!!'));
    expect(titleHash('ＲＡＲＥ　ＥＡＲＴＨＳ')).toBe(titleHash('rare earths'));
    expect(titleHash('稀土：出口管制。')).toBe(titleHash('稀土 出口管制'));
    expect(titleHash('Rare earths')).toBe(createHash('sha256').update('rare earths').digest('hex'));
    expect(titleHash('Rare earths up')).not.toBe(titleHash('Rare earths down'));
  });
});

describe('htmlToText', () => {
  it('removes tags, scripts and styles, decodes entities and collapses whitespace', () => {
    expect(htmlToText('<p>Rare&nbsp;earths &amp; magnets</p><p>second&#160;para &#x4E2D;&#22269; &eacute;</p>')).toBe(
      'Rare earths & magnets second para 中国 é',
    );
    expect(htmlToText('<div>a<script>alert(1)</script><style>p{}</style>b<br>c</div>')).toBe('a b c');
    expect(htmlToText('<img src="x.jpg"/><a href="/x">link</a>\n\n  text')).toBe('link text');
    expect(htmlToText('plain text\twith   spaces')).toBe('plain text with spaces');
    expect(htmlToText('AT&T and 3 < 4')).toBe('AT&T and 3 < 4');
    expect(htmlToText('')).toBe('');
  });

  it('decodes HTML that was escaped twice', () => {
    expect(htmlToText('&lt;!-- SC_OFF --&gt;&lt;div class=&quot;md&quot;&gt;&lt;p&gt;Hey &amp;amp; hi&lt;/p&gt;&lt;/div&gt;')).toBe('Hey & hi');
    expect(htmlToText('3 &lt; 4 and 5 &gt; 2')).toBe('3 < 4 and 5 > 2');
  });
});

describe('boundText', () => {
  it('leaves short text alone', () => {
    expect(boundText('short', 500)).toBe('short');
    expect(boundText('x'.repeat(500), 500)).toBe('x'.repeat(500));
  });

  it('cuts on a word boundary, the ellipsis included in the bound', () => {
    const text = 'China tightens controls on rare earth magnet exports again';
    const cut = boundText(text, 30);
    expect(cut).toBe('China tightens controls on…');
    expect(Array.from(cut).length).toBeLessThanOrEqual(30);
  });

  it('cuts Chinese on a character boundary and never splits a surrogate pair', () => {
    expect(boundText('商务部公告对镓锗相关物项实施出口管制', 8)).toBe('商务部公告对镓…');
    const emoji = '😀'.repeat(10);
    expect(boundText(emoji, 5)).toBe('😀😀😀😀…');
  });

  it('cuts inside a word only when the word is longer than half the bound', () => {
    expect(boundText('a ' + 'x'.repeat(40), 10)).toBe('a xxxxxxx…');
    expect(boundText('abc, defghijk', 8)).toBe('abc…');
  });
});

describe('resolveHttpLink', () => {
  it('resolves relative links against the base and refuses what is not http(s)', () => {
    expect(resolveHttpLink('/news/1.html', 'https://example.com/feed/')).toBe('https://example.com/news/1.html');
    expect(resolveHttpLink('2.html', 'https://example.com/feed/')).toBe('https://example.com/feed/2.html');
    expect(resolveHttpLink(' https://other.example/x ', 'https://example.com/')).toBe('https://other.example/x');
    expect(resolveHttpLink('/news/1.html')).toBeNull();
    expect(resolveHttpLink('javascript:alert(1)', 'https://example.com/')).toBeNull();
    expect(resolveHttpLink('', 'https://example.com/')).toBeNull();
  });
});

describe('parseFeedDate', () => {
  it('reads RFC 822, RFC 3339 and common variants as UTC', () => {
    expect(parseFeedDate('Wed, 03 Jan 2018 14:11:52 GMT')).toBe('2018-01-03T14:11:52.000Z');
    expect(parseFeedDate('Mon, 24 Sep 2018 10:00:00 +0200')).toBe('2018-09-24T08:00:00.000Z');
    expect(parseFeedDate('Mon, 24 Sep 2018 10:00 EDT')).toBe('2018-09-24T14:00:00.000Z');
    expect(parseFeedDate('Mon, 24 Sep 2018 10:00:00 CEST')).toBe('2018-09-24T08:00:00.000Z');
    expect(parseFeedDate('2018-09-24T10:00:00+08:00')).toBe('2018-09-24T02:00:00.000Z');
    expect(parseFeedDate('  2018-09-24T10:00:00Z\n')).toBe('2018-09-24T10:00:00.000Z');
    expect(parseFeedDate('2018-09-24')).toBe('2018-09-24T00:00:00.000Z');
  });

  it('reads dates without a zone as UTC, whatever the machine zone', () => {
    expect(parseFeedDate('2018-09-24 10:00:00')).toBe('2018-09-24T10:00:00.000Z');
    expect(parseFeedDate('Mon, 24 Sep 2018 10:00:00')).toBe('2018-09-24T10:00:00.000Z');
  });

  it('returns null for garbage, placeholders and non-strings', () => {
    expect(parseFeedDate('not a date')).toBeNull();
    expect(parseFeedDate('Seg, 24 Set 2018 19:42:40 -0300')).toBeNull();
    expect(parseFeedDate('Thu, 01 Jan 1970 00:00:00 GMT')).toBeNull();
    expect(parseFeedDate('')).toBeNull();
    expect(parseFeedDate(undefined)).toBeNull();
    expect(parseFeedDate({ _: 'x' })).toBeNull();
  });
});
