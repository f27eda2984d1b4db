import { describe, expect, it } from 'vitest';
import { clipText, fitList, textLink } from './fit.ts';
import { haversineMetres, nearest } from './geo.ts';
import { looksLikeMessage, parseIntent, voiceText } from './intents.ts';
import { READER_PAGE, readerPageUrl } from './links.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('parseIntent', () => {
  it.each([
    ['我的借阅', 'loans'],
    ['借阅。', 'loans'],
    ['My loans', 'loans'],
    ['续借', 'renew'],
    ['Renew all', 'renew'],
    ['预约', 'holds'],
    ['开馆时间？', 'hours'],
    ['你们几点关门？', 'hours'],
    ['周末开放吗', 'hours'],
    ['When do you open on Sunday?', 'hours'],
    ['绑定', 'bind'],
    ['解绑', 'unbind'],
    ['帮助', 'help'],
    ['？', 'help'],
    ['', 'empty'],
  ])('%s → %s', (text, kind) => {
    expect(parseIntent(text).kind).toBe(kind);
  });

  it('switches languages', () => {
    expect(parseIntent('English')).toEqual({ kind: 'language', locale: 'en' });
    expect(parseIntent('中文')).toEqual({ kind: 'language', locale: 'zh-CN' });
  });

  it('finds ISBNs, and recommendations with or without one', () => {
    expect(parseIntent('有没有 ISBN 978-7-5366-9293-0 这本书')).toEqual({
      kind: 'isbn',
      isbn13: '9787536692930',
    });
    expect(parseIntent('荐购 7536692935')).toEqual({ kind: 'recommend', isbn13: '9787536692930' });
    expect(parseIntent('recommend: 9787536692930')).toEqual({
      kind: 'recommend',
      isbn13: '9787536692930',
    });
    expect(parseIntent('荐购')).toEqual({ kind: 'recommend', isbn13: null });
    // A check digit that is wrong is no ISBN: the text is searched.
    expect(parseIntent('9787536692931')).toEqual({ kind: 'search', q: '9787536692931' });
  });

  it('searches anything else', () => {
    expect(parseIntent('  三体 ')).toEqual({ kind: 'search', q: '三体' });
    expect(parseIntent('借阅规则在哪里看')).toEqual({ kind: 'search', q: '借阅规则在哪里看' });
  });
});

describe('voiceText and looksLikeMessage', () => {
  it('strips the punctuation WeChat adds to transcripts', () => {
    expect(voiceText('我的借阅。')).toBe('我的借阅');
    expect(voiceText('续借，谢谢！')).toBe('续借 谢谢');
  });

  it('tells sentences from search words', () => {
    expect(looksLikeMessage('三楼的空调太冷了，能调一下吗')).toBe(true);
    expect(looksLikeMessage('please call me back about my fine')).toBe(true);
    expect(looksLikeMessage('Perl')).toBe(false);
    expect(looksLikeMessage('量子力学导论')).toBe(false);
  });
});

describe('fitting WeChat', () => {
  it('keeps whole items and says how many were left out', () => {
    const items = Array.from({ length: 40 }, (_, i) => `${i + 1}. 《${'书'.repeat(30)}》`);
    const text = fitList({
      head: ['找到 40 条：'],
      items,
      more: (n) => `还有 ${n} 条`,
      maxBytes: 600,
    });
    expect(bytes(text)).toBeLessThanOrEqual(600);
    const shown = text.split('\n').filter((l) => /^\d+\. /.test(l)).length;
    expect(shown).toBeGreaterThan(0);
    expect(text.endsWith(`还有 ${40 - shown} 条`)).toBe(true);
    expect(
      fitList({ head: ['h'], items: ['a', 'b', 'c'], maxItems: 2, more: (n) => `+${n}` }),
    ).toBe('h\na\nb\n+1');
  });

  it('never cuts a character or a link in half', () => {
    const link = textLink('https://lib.example.edu.cn/m/search?q=x', '查看全部结果');
    const text = `${'书'.repeat(10)}${link}`;
    for (let max = 3; max < bytes(text); max++) {
      const clipped = clipText(text, max);
      expect(bytes(clipped)).toBeLessThanOrEqual(max);
      expect(clipped).not.toContain('\ufffd');
      expect(clipped.includes('<a') ? clipped.includes('</a>') : true).toBe(true);
      expect(clipped).not.toMatch(/<[^>]*$/);
    }
    expect(clipText(text, bytes(text))).toBe(text);
    expect(clipText(`前${link}后后后`, bytes(`前${link}`) + 3)).toBe(`前${link}…`);
  });
});

describe('links and places', () => {
  it('sends reader pages through the OAuth entry, the query kept whole', () => {
    expect(
      readerPageUrl('https://lib.example.edu.cn/shulin/', READER_PAGE.search('三体 刘慈欣')),
    ).toBe(
      'https://lib.example.edu.cn/shulin/api/v1/auth/wechat?next=/m/search%3Fq%3D%25E4%25B8%2589%25E4%25BD%2593%2520%25E5%2588%2598%25E6%2585%2588%25E6%25AC%25A3',
    );
    const next = new URL(
      readerPageUrl('http://localhost:3000', READER_PAGE.bind('desk-3')),
    ).searchParams.get('next');
    expect(next).toBe('/m/bind?desk=desk-3');
  });

  it('finds the nearest place with coordinates', () => {
    const places = [
      { code: 'A', latitude: 30.2741, longitude: 120.1251 },
      { code: 'B', latitude: 30.2792, longitude: 120.1198 },
      { code: 'C', latitude: null, longitude: null },
    ];
    const main = { latitude: 30.2741, longitude: 120.1251 };
    const science = { latitude: 30.2792, longitude: 120.1198 };
    expect(Math.round(haversineMetres(main, science))).toBe(762);
    expect(haversineMetres(main, main)).toBe(0);
    expect(nearest({ latitude: 30.28, longitude: 120.12 }, places)?.place.code).toBe('B');
    expect(nearest({ latitude: Number.NaN, longitude: 120 }, places)).toBeNull();
    expect(nearest({ latitude: 30, longitude: 120 }, [places[2]!])).toBeNull();
  });
});
