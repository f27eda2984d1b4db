import { describe, expect, it } from 'vitest';
import { dedupeKey, parseInboundMessage, type InboundMessage } from '../wechat/messages.ts';
import { serializeReply, toCustomerServiceMessage, type Reply } from '../wechat/replies.ts';
import { parseXml } from '../wechat/xml.ts';
import { pushXml, randomMsgId, scanCodeInfo, type SimulatedAction } from './push.ts';
import { customMessageReply, parseReplyXml } from './reply.ts';

const header = { openid: 'oReader1', account: 'gh_shulindemo', createTime: 1714037059 };

function parse(action: SimulatedAction, msgId?: string): InboundMessage {
  return parseInboundMessage(
    parseXml(pushXml(action, { ...header, ...(msgId ? { msgId } : {}) })).value,
  );
}

describe('pushXml', () => {
  it('writes the header every push carries', () => {
    const message = parse({ kind: 'text', content: '红楼梦' });
    expect(message).toMatchObject({
      toUserName: 'gh_shulindemo',
      fromUserName: 'oReader1',
      createTime: 1714037059,
    });
  });

  it('text: Content and a 64-bit MsgId kept as a string', () => {
    const message = parse(
      { kind: 'text', content: '续借 <三体> & ]]> more' },
      '6054768590064713728',
    );
    expect(message).toMatchObject({
      kind: 'text',
      content: '续借 <三体> & ]]> more',
      msgId: '6054768590064713728',
    });
  });

  it('voice: a voice message with the transcript in Recognition', () => {
    const message = parse({ kind: 'voice', recognition: '开馆时间' });
    expect(message).toMatchObject({ kind: 'voice', format: 'amr', recognition: '开馆时间' });
    expect(message.kind === 'voice' && message.mediaId).toMatch(/^[\w-]{20,}$/);
  });

  it.each([
    ['9787020002207', 'EAN_13', '9787020002207'],
    ['978-7-02-000220-7', 'EAN_13', '9787020002207'],
    ['31001004567', 'CODE_128', '31001004567'],
  ])('scan %s: a scancode_waitmsg event with %s', (code, codeType, digits) => {
    const message = parse({ kind: 'scan', key: 'SCAN_RENEW', code });
    expect(message).toMatchObject({
      kind: 'event',
      event: 'scancode_waitmsg',
      eventKey: 'SCAN_RENEW',
      scanCodeInfo: {
        scanType: 'barcode',
        scanResult: `${codeType},${digits}`,
        codeType,
        code: digits,
      },
    });
  });

  it('scan of a URL: a QR code', () => {
    expect(scanCodeInfo(' https://lib.example.edu.cn/r/1 ')).toEqual({
      scanType: 'qrcode',
      scanResult: 'https://lib.example.edu.cn/r/1',
    });
    expect(scanCodeInfo('96385074')).toEqual({ scanType: 'barcode', scanResult: 'EAN_8,96385074' });
  });

  it('click and view: menu events with their key or URL', () => {
    expect(parse({ kind: 'click', key: 'HOURS' })).toMatchObject({
      kind: 'event',
      event: 'CLICK',
      eventKey: 'HOURS',
    });
    expect(parse({ kind: 'view', url: 'https://lib.example.edu.cn/m/ecard' })).toMatchObject({
      kind: 'event',
      event: 'VIEW',
      eventKey: 'https://lib.example.edu.cn/m/ecard',
    });
  });

  it('location: coordinates, scale and label', () => {
    expect(
      parse({ kind: 'location', latitude: 30.2741, longitude: 120.1251, label: '总馆' }),
    ).toMatchObject({
      kind: 'location',
      locationX: 30.2741,
      locationY: 120.1251,
      scale: 15,
      label: '总馆',
    });
    expect(() => pushXml({ kind: 'location', latitude: Number.NaN, longitude: 1 }, header)).toThrow(
      /latitude/,
    );
  });

  it('follow: plain, or through a parametric QR code with its scene and ticket', () => {
    const plain = parse({ kind: 'follow' });
    expect(plain).toMatchObject({ kind: 'event', event: 'subscribe' });
    expect(plain.kind === 'event' && plain.event === 'subscribe' && plain.scene).toBeFalsy();
    for (const scene of ['bind_desk_1', 'qrscene_bind_desk_1']) {
      const message = parse({ kind: 'follow', scene });
      expect(message).toMatchObject({
        event: 'subscribe',
        eventKey: 'qrscene_bind_desk_1',
        scene: 'bind_desk_1',
        ticket: expect.stringMatching(/^[A-Za-z0-9+/=]{40,}$/),
      });
    }
  });

  it('unfollow: an unsubscribe event', () => {
    expect(parse({ kind: 'unfollow' })).toMatchObject({ kind: 'event', event: 'unsubscribe' });
  });

  it('gives every message push a fresh MsgId, so two identical texts are two messages', () => {
    const a = parse({ kind: 'text', content: 'hi' });
    const b = parse({ kind: 'text', content: 'hi' });
    expect(dedupeKey(a)).not.toBe(dedupeKey(b));
    expect(BigInt(randomMsgId())).toBeGreaterThan(2n ** 53n);
  });
});

const REPLIES: Reply[] = [
  { type: 'text', content: '今天 8:00–22:00 开馆\n<a href="https://x.cn/m/hours">详情</a>' },
  {
    type: 'news',
    articles: [
      {
        title: '红楼梦',
        description: '在架 3 本',
        url: 'https://x.cn/m/r/1',
        picUrl: 'https://x.cn/c.jpg',
      },
      { title: '三体' },
    ],
  },
  { type: 'image', mediaId: 'm1' },
  { type: 'voice', mediaId: 'm2' },
  { type: 'video', mediaId: 'm3', title: '导览', description: '三分钟' },
  { type: 'music', title: '馆歌', musicUrl: 'https://x.cn/a.mp3', thumbMediaId: 't1' },
  { type: 'transfer_customer_service', kfAccount: 'kf1@lib' },
];

describe('parseReplyXml', () => {
  it.each(REPLIES)('reads back a $type reply as the server wrote it', (reply) => {
    const xml = serializeReply(reply, { toUserName: 'oReader1', fromUserName: 'gh_x' }, 1714037060);
    // A music reply's thumbnail is not drawn, so it is not read back.
    const expected =
      reply.type === 'music'
        ? { type: 'music', title: '馆歌', musicUrl: 'https://x.cn/a.mp3' }
        : reply;
    expect(parseReplyXml(xml)).toEqual(expected);
  });

  it('names a type it does not draw', () => {
    expect(parseReplyXml('<xml><MsgType>mpnews</MsgType></xml>')).toEqual({
      type: 'other',
      msgType: 'mpnews',
    });
  });
});

describe('customMessageReply', () => {
  it.each(REPLIES.filter((r) => r.type !== 'transfer_customer_service' && r.type !== 'music'))(
    'reads a $type customer-service message like the passive reply',
    (reply) => {
      const body = toCustomerServiceMessage(reply, 'oReader1');
      expect(body).not.toBeNull();
      const xml = serializeReply(reply, { toUserName: 'oReader1', fromUserName: 'gh_x' }, 1);
      expect(customMessageReply(body!)).toEqual(parseReplyXml(xml));
    },
  );

  it('reads a msgmenu', () => {
    expect(
      customMessageReply({
        touser: 'o',
        msgtype: 'msgmenu',
        msgmenu: {
          head_content: '满意吗？',
          list: [
            { id: '1', content: '满意' },
            { id: '2', content: '不满意' },
          ],
        },
      }),
    ).toEqual({
      type: 'msgmenu',
      head: '满意吗？',
      options: [
        { id: '1', content: '满意' },
        { id: '2', content: '不满意' },
      ],
    });
  });
});
