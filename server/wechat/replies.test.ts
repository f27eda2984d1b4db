import { describe, expect, it } from 'vitest';
import { parseEncodingAesKey, decryptMessage, sha1Signature } from './crypto.ts';
import {
  MAX_ARTICLES_OTHER,
  MAX_ARTICLES_REPLYING_TO_MESSAGE,
  encryptedEnvelope,
  serializeReply,
  toCustomerServiceMessage,
  truncateUtf8,
  validateReply,
  type Reply,
} from './replies.ts';
import { VECTORS } from './test-vectors.ts';
import { parseXml } from './xml.ts';

const to = { toUserName: 'oQ3nQ5Xr5o0q1Z6Lz6i7nUq1VbUo', fromUserName: 'gh_3d5bd1b5a9ce' };
const HEAD =
  '<xml><ToUserName><![CDATA[oQ3nQ5Xr5o0q1Z6Lz6i7nUq1VbUo]]></ToUserName>' +
  '<FromUserName><![CDATA[gh_3d5bd1b5a9ce]]></FromUserName><CreateTime>1714037060</CreateTime>';

function roundTrip(reply: Reply): Record<string, unknown> {
  return parseXml(serializeReply(reply, to, 1714037060)).value;
}

describe('serializeReply', () => {
  it('text: CreateTime in seconds, content in CDATA', () => {
    expect(
      serializeReply({ type: 'text', content: '已续借\n到期 2025-03-10' }, to, 1714037060),
    ).toBe(
      HEAD +
        '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[已续借\n到期 2025-03-10]]></Content></xml>',
    );
  });

  it('refuses a CreateTime in milliseconds or with a fraction', () => {
    expect(() => serializeReply({ type: 'text', content: 'x' }, to, Date.now())).toThrow(
      RangeError,
    );
    expect(() => serializeReply({ type: 'text', content: 'x' }, to, 1714037060.5)).toThrow(
      RangeError,
    );
    expect(() => serializeReply({ type: 'text', content: 'x' }, to, -1)).toThrow(RangeError);
  });

  it('escapes "]]>" in any field so the content survives exactly', () => {
    const content = 'a]]>b <![CDATA[ c ]]> & </Content></xml>';
    const xml = serializeReply({ type: 'text', content }, to, 1714037060);
    expect(xml).toContain('a]]]]><![CDATA[>b');
    expect(parseXml(xml).value.Content).toBe(content);
    const tricky = { ...to, toUserName: 'o]]>x' };
    expect(
      parseXml(serializeReply({ type: 'text', content: 'x' }, tricky, 1)).value.ToUserName,
    ).toBe('o]]>x');
  });

  it('image and voice', () => {
    expect(serializeReply({ type: 'image', mediaId: 'm1' }, to, 1714037060)).toBe(
      HEAD +
        '<MsgType><![CDATA[image]]></MsgType><Image><MediaId><![CDATA[m1]]></MediaId></Image></xml>',
    );
    expect(roundTrip({ type: 'voice', mediaId: 'm2' })).toMatchObject({
      MsgType: 'voice',
      Voice: { MediaId: 'm2' },
    });
  });

  it('video, with and without title and description', () => {
    expect(roundTrip({ type: 'video', mediaId: 'm', title: 't', description: 'd' })).toMatchObject({
      MsgType: 'video',
      Video: { MediaId: 'm', Title: 't', Description: 'd' },
    });
    expect(roundTrip({ type: 'video', mediaId: 'm' }).Video).toEqual({ MediaId: 'm' });
  });

  it('music', () => {
    expect(
      serializeReply(
        {
          type: 'music',
          title: '校歌',
          description: '合唱版',
          musicUrl: 'https://lib.example.edu.cn/a.mp3',
          hqMusicUrl: 'https://lib.example.edu.cn/a-hq.mp3',
          thumbMediaId: 'thumb1',
        },
        to,
        1714037060,
      ),
    ).toBe(
      HEAD +
        '<MsgType><![CDATA[music]]></MsgType><Music><Title><![CDATA[校歌]]></Title>' +
        '<Description><![CDATA[合唱版]]></Description>' +
        '<MusicUrl><![CDATA[https://lib.example.edu.cn/a.mp3]]></MusicUrl>' +
        '<HQMusicUrl><![CDATA[https://lib.example.edu.cn/a-hq.mp3]]></HQMusicUrl>' +
        '<ThumbMediaId><![CDATA[thumb1]]></ThumbMediaId></Music></xml>',
    );
    expect(roundTrip({ type: 'music', thumbMediaId: 't' }).Music).toEqual({ ThumbMediaId: 't' });
  });

  it('news with one article', () => {
    const reply: Reply = {
      type: 'news',
      articles: [
        {
          title: '三体',
          description: '刘慈欣 著 · 可借 2 本',
          picUrl: 'https://lib.example.edu.cn/c/1.jpg',
          url: 'https://lib.example.edu.cn/m/r/1?a=1&b=2',
        },
      ],
    };
    expect(serializeReply(reply, to, 1714037060)).toBe(
      HEAD +
        '<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item>' +
        '<Title><![CDATA[三体]]></Title><Description><![CDATA[刘慈欣 著 · 可借 2 本]]></Description>' +
        '<PicUrl><![CDATA[https://lib.example.edu.cn/c/1.jpg]]></PicUrl>' +
        '<Url><![CDATA[https://lib.example.edu.cn/m/r/1?a=1&b=2]]></Url></item></Articles></xml>',
    );
  });

  it('news with several articles keeps their order', () => {
    const articles = [{ title: 'a' }, { title: 'b', url: 'u' }, { title: 'c' }];
    expect(roundTrip({ type: 'news', articles })).toMatchObject({
      ArticleCount: '3',
      Articles: { item: [{ Title: 'a' }, { Title: 'b', Url: 'u' }, { Title: 'c' }] },
    });
  });

  it('transfer_customer_service with and without KfAccount', () => {
    expect(serializeReply({ type: 'transfer_customer_service' }, to, 1714037060)).toBe(
      HEAD + '<MsgType><![CDATA[transfer_customer_service]]></MsgType></xml>',
    );
    expect(
      serializeReply(
        { type: 'transfer_customer_service', kfAccount: 'test1@test' },
        to,
        1714037060,
      ),
    ).toBe(
      HEAD +
        '<MsgType><![CDATA[transfer_customer_service]]></MsgType>' +
        '<TransInfo><KfAccount><![CDATA[test1@test]]></KfAccount></TransInfo></xml>',
    );
  });

  it('drops characters XML cannot carry (a MARC subfield delimiter, say)', () => {
    expect(roundTrip({ type: 'text', content: '三体\u001Fa刘慈欣' }).Content).toBe('三体a刘慈欣');
  });
});

describe('validateReply', () => {
  const ok = { maxArticles: MAX_ARTICLES_OTHER };

  it('accepts well-formed replies', () => {
    const replies: Reply[] = [
      { type: 'text', content: '你好' },
      { type: 'text', content: 'a'.repeat(2048) },
      { type: 'text', content: '书'.repeat(682) }, // 2046 bytes
      { type: 'image', mediaId: 'm' },
      { type: 'voice', mediaId: 'm' },
      { type: 'video', mediaId: 'm' },
      { type: 'music', thumbMediaId: 't' },
      { type: 'news', articles: Array.from({ length: 8 }, (_, i) => ({ title: `t${i}` })) },
      { type: 'transfer_customer_service' },
      { type: 'transfer_customer_service', kfAccount: 'a@b' },
    ];
    for (const reply of replies) expect(validateReply(reply, ok)).toBeNull();
  });

  it.each<[string, Reply, number]>([
    ['empty text', { type: 'text', content: '' }, 8],
    ['blank text', { type: 'text', content: ' \n ' }, 8],
    ['text over 2048 bytes', { type: 'text', content: 'a'.repeat(2049) }, 8],
    ['Chinese text over 2048 bytes', { type: 'text', content: '书'.repeat(683) }, 8],
    ['empty mediaId', { type: 'image', mediaId: '' }, 8],
    ['empty thumbMediaId', { type: 'music', thumbMediaId: '' }, 8],
    ['no articles', { type: 'news', articles: [] }, 8],
    [
      'two articles replying to a message',
      { type: 'news', articles: [{ title: 'a' }, { title: 'b' }] },
      MAX_ARTICLES_REPLYING_TO_MESSAGE,
    ],
    [
      'nine articles',
      { type: 'news', articles: Array.from({ length: 9 }, () => ({ title: 't' })) },
      MAX_ARTICLES_OTHER,
    ],
    ['an untitled article', { type: 'news', articles: [{ title: '' }] }, 8],
    ['an empty kfAccount', { type: 'transfer_customer_service', kfAccount: '' }, 8],
  ])('rejects %s', (_name, reply, maxArticles) => {
    expect(validateReply(reply, { maxArticles })).toEqual(expect.any(String));
  });

  it('does not reject characters XML cannot carry: serialisation drops them', () => {
    expect(validateReply({ type: 'text', content: '三体\u001Fa' }, ok)).toBeNull();
  });

  it('names the byte count for over-long text', () => {
    expect(validateReply({ type: 'text', content: '书'.repeat(700) }, ok)).toMatch(/2100 bytes/);
  });
});

describe('truncateUtf8', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateUtf8('', 0)).toBe('');
    expect(truncateUtf8('abc', 3)).toBe('abc');
    expect(truncateUtf8('书林', 6)).toBe('书林');
  });

  it('cuts at a code-point boundary and ends with an ellipsis within the limit', () => {
    expect(truncateUtf8('abcdef', 5)).toBe('ab…');
    expect(truncateUtf8('书林书林', 9)).toBe('书林…');
    expect(truncateUtf8('书林书林', 10)).toBe('书林…');
    expect(truncateUtf8('书林书林', 11)).toBe('书林…');
    expect(truncateUtf8('书林书林', 8)).toBe('书…');
    expect(truncateUtf8('😀😀😀', 10)).toBe('😀…');
    expect(truncateUtf8('😀😀😀', 6)).toBe('…');
    expect(truncateUtf8('abc', 2)).toBe('ab');
  });

  it('always stays within the limit and never produces a replacement character', () => {
    // Seeded generator over 1- to 4-byte characters.
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const chars = ['a', 'é', '书', '😀', ' ', '\n'];
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const length = Math.floor(next() * 40);
      for (let j = 0; j < length; j++) text += chars[Math.floor(next() * chars.length)];
      const max = Math.floor(next() * 60);
      const cut = truncateUtf8(text, max);
      const bytes = Buffer.byteLength(cut);
      expect(bytes).toBeLessThanOrEqual(Math.max(max, 0));
      expect(cut).not.toContain('\uFFFD');
      if (Buffer.byteLength(text) <= max) expect(cut).toBe(text);
      else if (max >= 3) {
        expect(cut.endsWith('…')).toBe(true);
        expect(text.startsWith(cut.slice(0, -1))).toBe(true);
        // Nothing more would have fitted.
        const nextChar = [...text.slice(cut.length - 1)][0] ?? '';
        expect(bytes + Buffer.byteLength(nextChar)).toBeGreaterThan(max);
      }
    }
  });

  it('makes over-long text valid for a passive reply', () => {
    const content = truncateUtf8('《三体》'.repeat(400), 2048);
    expect(validateReply({ type: 'text', content }, { maxArticles: 1 })).toBeNull();
  });
});

describe('encryptedEnvelope', () => {
  it('E: wraps the official encrypted reply', () => {
    const v = VECTORS.official_doc_safe_mode_E;
    const xml = encryptedEnvelope(
      v.reply.expected_encrypt,
      v.reply.expected_msg_signature,
      v.reply.timestamp,
      v.reply.nonce,
    );
    expect(xml).toBe(
      `<xml><Encrypt><![CDATA[${v.reply.expected_encrypt}]]></Encrypt>` +
        `<MsgSignature><![CDATA[${v.reply.expected_msg_signature}]]></MsgSignature>` +
        `<TimeStamp>1713424427</TimeStamp><Nonce><![CDATA[415670741]]></Nonce></xml>`,
    );
    const { value } = parseXml(xml);
    expect(
      sha1Signature(
        v.token,
        value.TimeStamp as string,
        value.Nonce as string,
        value.Encrypt as string,
      ),
    ).toBe(value.MsgSignature);
    const key = parseEncodingAesKey(v.encodingAESKey);
    expect(decryptMessage(key, value.Encrypt as string)).toEqual({
      message: v.reply.plaintext,
      appid: v.appid,
    });
  });

  it('refuses a timestamp that is not whole seconds', () => {
    for (const timestamp of ['', '1713424427000', '17134.5', '1<x/>', ' 1']) {
      expect(() => encryptedEnvelope('e', 's', timestamp, 'n')).toThrow(RangeError);
    }
  });
});

describe('toCustomerServiceMessage', () => {
  const openid = 'oQ3nQ5Xr5o0q1Z6Lz6i7nUq1VbUo';

  it.each<[Reply, Record<string, unknown> | null]>([
    [
      { type: 'text', content: '《三体》已到馆' },
      { touser: openid, msgtype: 'text', text: { content: '《三体》已到馆' } },
    ],
    [
      { type: 'image', mediaId: 'm' },
      { touser: openid, msgtype: 'image', image: { media_id: 'm' } },
    ],
    [
      { type: 'voice', mediaId: 'm' },
      { touser: openid, msgtype: 'voice', voice: { media_id: 'm' } },
    ],
    [
      { type: 'video', mediaId: 'm', title: 't' },
      { touser: openid, msgtype: 'video', video: { media_id: 'm', title: 't' } },
    ],
    [
      { type: 'music', title: 't', musicUrl: 'u', hqMusicUrl: 'h', thumbMediaId: 'th' },
      {
        touser: openid,
        msgtype: 'music',
        music: { title: 't', musicurl: 'u', hqmusicurl: 'h', thumb_media_id: 'th' },
      },
    ],
    [
      { type: 'news', articles: [{ title: 't', description: 'd', picUrl: 'p', url: 'u' }] },
      {
        touser: openid,
        msgtype: 'news',
        news: { articles: [{ title: 't', description: 'd', url: 'u', picurl: 'p' }] },
      },
    ],
    [{ type: 'transfer_customer_service', kfAccount: 'a@b' }, null],
  ])('%j', (reply, expected) => {
    const body = toCustomerServiceMessage(reply, openid);
    expect(body).toEqual(expected);
    if (body !== null) expect(JSON.parse(JSON.stringify(body))).toEqual(expected);
  });
});
