import { describe, expect, it } from 'vitest';
import {
  FIXTURE_ACCOUNT,
  FIXTURE_CREATE_TIME,
  FIXTURE_KINDS,
  FIXTURE_OPENID,
  PUSH_XML,
  pushXml,
  type FixtureKind,
} from './fixtures.ts';
import { dedupeKey, parseInboundMessage, summarize, type InboundMessage } from './messages.ts';
import { VECTORS } from './test-vectors.ts';
import { WeChatXmlError, parseXml } from './xml.ts';

function parse(text: string): InboundMessage {
  return parseInboundMessage(parseXml(text).value);
}

const header = {
  toUserName: FIXTURE_ACCOUNT,
  fromUserName: FIXTURE_OPENID,
  createTime: FIXTURE_CREATE_TIME,
};

// What each fixture must parse to, apart from `raw` (and `fields` for unknown types).
const EXPECTED: Record<FixtureKind, Record<string, unknown>> = {
  text: { kind: 'text', content: '续借《三体》', msgId: '6054768590064713728' },
  text_from_article: {
    kind: 'text',
    content: '请问这本书还有吗？',
    msgId: '23637352235060880',
    msgDataId: '2247483652',
    idx: '1',
  },
  text_menu_reply: { kind: 'text', content: '满意', msgId: '1000001625', bizMsgMenuId: '101' },
  image: {
    kind: 'image',
    picUrl: 'http://mmbiz.qpic.cn/mmbiz_jpg/abcdef/0',
    mediaId: 'media_id_image_1',
    msgId: '1234567890123456',
  },
  voice: { kind: 'voice', mediaId: 'media_id_voice_1', format: 'amr', msgId: '1234567890123457' },
  voice_recognition: {
    kind: 'voice',
    mediaId: 'media_id_voice_2',
    format: 'amr',
    recognition: '红楼梦',
    msgId: '1234567890123458',
  },
  video: {
    kind: 'video',
    mediaId: 'media_id_video_1',
    thumbMediaId: 'thumb_media_id_1',
    msgId: '1234567890123459',
  },
  shortvideo: {
    kind: 'shortvideo',
    mediaId: 'media_id_shortvideo_1',
    thumbMediaId: 'thumb_media_id_2',
    msgId: '1234567890123460',
  },
  location: {
    kind: 'location',
    locationX: 23.134521,
    locationY: 113.358803,
    scale: 20,
    label: '广州市天河区中山大道西55号',
    msgId: '1234567890123461',
  },
  link: {
    kind: 'link',
    title: '公众平台官网链接',
    description: '公众平台官网链接',
    url: 'https://mp.weixin.qq.com/',
    msgId: '1234567890123462',
  },
  subscribe: { kind: 'event', event: 'subscribe' },
  subscribe_qrscene: {
    kind: 'event',
    event: 'subscribe',
    eventKey: 'qrscene_bind_desk_1',
    scene: 'bind_desk_1',
    ticket:
      'gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==',
  },
  unsubscribe: { kind: 'event', event: 'unsubscribe' },
  SCAN: {
    kind: 'event',
    event: 'SCAN',
    eventKey: '123123',
    scene: '123123',
    ticket:
      'gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==',
  },
  LOCATION: {
    kind: 'event',
    event: 'LOCATION',
    latitude: 23.137466,
    longitude: 113.352425,
    precision: 119.38504,
  },
  CLICK: { kind: 'event', event: 'CLICK', eventKey: 'MY_LOANS' },
  VIEW: {
    kind: 'event',
    event: 'VIEW',
    eventKey: 'https://lib.example.edu.cn/m/loans',
    menuId: '435674521',
  },
  view_miniprogram: {
    kind: 'event',
    event: 'view_miniprogram',
    eventKey: 'pages/index/index',
    menuId: '435674522',
  },
  scancode_push: {
    kind: 'event',
    event: 'scancode_push',
    eventKey: '6',
    scanCodeInfo: {
      scanType: 'qrcode',
      scanResult: 'https://lib.example.edu.cn/r?a=1,b=2',
      code: 'https://lib.example.edu.cn/r?a=1,b=2',
    },
  },
  scancode_waitmsg: {
    kind: 'event',
    event: 'scancode_waitmsg',
    eventKey: 'rselfmenu_0_0',
    scanCodeInfo: {
      scanType: 'barcode',
      scanResult: 'EAN_13,6911316223400',
      codeType: 'EAN_13',
      code: '6911316223400',
    },
  },
  pic_sysphoto: {
    kind: 'event',
    event: 'pic_sysphoto',
    eventKey: '6',
    sendPicsInfo: { count: 1, picMd5Sums: ['1b5f7c23b5bf75682a53e7b6d163e185'] },
  },
  pic_photo_or_album: {
    kind: 'event',
    event: 'pic_photo_or_album',
    eventKey: '6',
    sendPicsInfo: {
      count: 2,
      picMd5Sums: ['5a75aaca956d97be686719218f275c6b', '2a35aaca956d97be686719218f275c6c'],
    },
  },
  pic_weixin: {
    kind: 'event',
    event: 'pic_weixin',
    eventKey: '6',
    sendPicsInfo: { count: 1, picMd5Sums: ['1b5f7c23b5bf75682a53e7b6d163e185'] },
  },
  location_select: {
    kind: 'event',
    event: 'location_select',
    eventKey: '6',
    sendLocationInfo: {
      locationX: 23,
      locationY: 113,
      scale: 15,
      label: ' 广州市海珠区客村艺苑路 106号',
      poiname: '',
    },
  },
  TEMPLATESENDJOBFINISH: {
    kind: 'event',
    event: 'TEMPLATESENDJOBFINISH',
    msgId: '3147483654821117952',
    status: 'success',
  },
  MASSSENDJOBFINISH: {
    kind: 'event',
    event: 'MASSSENDJOBFINISH',
    msgId: '1000001625',
    status: 'err(30003)',
    totalCount: 100,
    filterCount: 80,
    sentCount: 75,
    errorCount: 5,
  },
  subscribe_msg_popup_event: {
    kind: 'event',
    event: 'subscribe_msg_popup_event',
    list: [
      {
        templateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc',
        subscribeStatusString: 'accept',
        popupScene: '2',
      },
      {
        templateId: '9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI',
        subscribeStatusString: 'reject',
        popupScene: '2',
      },
    ],
  },
  subscribe_msg_change_event: {
    kind: 'event',
    event: 'subscribe_msg_change_event',
    list: [
      {
        templateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc',
        subscribeStatusString: 'reject',
      },
    ],
  },
  subscribe_msg_change_event_change_wrapper: {
    kind: 'event',
    event: 'subscribe_msg_change_event',
    list: [
      {
        templateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc',
        subscribeStatusString: 'reject',
      },
    ],
  },
  subscribe_msg_sent_event: {
    kind: 'event',
    event: 'subscribe_msg_sent_event',
    list: [
      {
        templateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc',
        msgId: '1700827132819554304',
        errorCode: 0,
        errorStatus: 'success',
      },
    ],
  },
  unknown_message: { kind: 'unknown', msgType: 'miniprogrampage', msgId: '7000000000000000001' },
  unknown_event: { kind: 'unknown', msgType: 'event', event: 'kf_create_session' },
};

describe('parseInboundMessage', () => {
  it.each(FIXTURE_KINDS)('parses the %s fixture', (kind) => {
    const raw = parseXml(PUSH_XML[kind]).value;
    const msg = parseInboundMessage(raw);
    const { raw: keptRaw, ...rest } = msg as InboundMessage & { fields?: unknown };
    expect(keptRaw).toBe(raw);
    if (msg.kind === 'unknown') expect(msg.fields).toBe(raw);
    expect({ ...rest, fields: undefined }).toEqual({ ...header, ...EXPECTED[kind] });
  });

  it('keeps a 64-bit MsgId exact (vector C)', () => {
    const msg = parse(VECTORS.official_sample_decrypt_C.expected_plaintext);
    expect(msg).toMatchObject({
      kind: 'text',
      msgId: '6054768590064713728',
      content: 'abcdteT',
      createTime: 1409735668,
      toUserName: 'gh_10f6c3c3ac5a',
    });
    // As a number it would have lost its last digits.
    expect(String(Number('6054768590064713728'))).not.toBe('6054768590064713728');
  });

  it('parses the other vector plaintexts', () => {
    expect(parse(VECTORS.easywechat_decrypt.expected_plaintext)).toMatchObject({
      kind: 'text',
      content: 'hello',
      msgId: '12345',
      fromUserName: 'asdasdasdsadasd',
    });
    expect(parse(VECTORS.official_doc_safe_mode_E.expected_plaintext)).toMatchObject({
      kind: 'unknown',
      msgType: 'event',
      event: 'debug_demo',
      fromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
    });
    expect(parse(VECTORS.powerwechat_wecom_decrypt.expected_plaintext)).toMatchObject({
      kind: 'text',
      content: '密文测试',
      msgId: '6972028683187026694',
    });
  });

  it('parses the captured scancode_waitmsg push exactly as WeChat sent it', () => {
    const text =
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o_x]]></FromUserName>' +
      '<CreateTime>1408090606</CreateTime><MsgType><![CDATA[event]]></MsgType>' +
      '<Event>scancode_waitmsg</Event><EventKey>rselfmenu_0_0</EventKey><ScanCodeInfo><ScanType>barcode</ScanType><ScanResult>EAN_13,6911316223400</ScanResult></ScanCodeInfo>' +
      '</xml>';
    expect(parse(text)).toMatchObject({
      kind: 'event',
      event: 'scancode_waitmsg',
      eventKey: 'rselfmenu_0_0',
      scanCodeInfo: { codeType: 'EAN_13', code: '6911316223400' },
    });
  });

  it('splits barcode results at the first comma only, and keeps QR results whole', () => {
    const scan = (type: string, result: string): unknown => {
      const msg = parse(
        pushXml('scancode_waitmsg', {
          ScanCodeInfo: {
            xml: `<ScanType>${type}</ScanType><ScanResult><![CDATA[${result}]]></ScanResult>`,
          },
        }),
      );
      return msg.kind === 'event' && msg.event === 'scancode_waitmsg' ? msg.scanCodeInfo : null;
    };
    expect(scan('barcode', 'CODE_128,AB,12')).toEqual({
      scanType: 'barcode',
      scanResult: 'CODE_128,AB,12',
      codeType: 'CODE_128',
      code: 'AB,12',
    });
    expect(scan('barcode', '9787536692930')).toEqual({
      scanType: 'barcode',
      scanResult: '9787536692930',
      code: '9787536692930',
    });
    expect(scan('qrcode', 'a,b')).toEqual({ scanType: 'qrcode', scanResult: 'a,b', code: 'a,b' });
  });

  it('normalises a single List, PicList item and missing lists to arrays', () => {
    const single = parse(
      pushXml('subscribe_msg_popup_event', {
        SubscribeMsgPopupEvent: {
          xml: '<List><TemplateId>t1</TemplateId><SubscribeStatusString>accept</SubscribeStatusString><PopupScene>1</PopupScene></List>',
        },
      }),
    );
    expect(single).toMatchObject({
      list: [{ templateId: 't1', subscribeStatusString: 'accept', popupScene: '1' }],
    });
    expect(
      parse(pushXml('subscribe_msg_popup_event', { SubscribeMsgPopupEvent: null })),
    ).toMatchObject({ list: [] });
    expect(
      parse(pushXml('pic_weixin', { SendPicsInfo: { xml: '<Count>0</Count>' } })),
    ).toMatchObject({ sendPicsInfo: { count: 0, picMd5Sums: [] } });
  });

  it('matches event and message names case-insensitively, reporting WeChat spelling', () => {
    expect(parse(pushXml('SCAN', { Event: 'scan' }))).toMatchObject({ event: 'SCAN' });
    expect(parse(pushXml('CLICK', { Event: 'click' }))).toMatchObject({ event: 'CLICK' });
    expect(parse(pushXml('subscribe', { Event: 'Subscribe' }))).toMatchObject({
      event: 'subscribe',
    });
    expect(parse(pushXml('text', { MsgType: 'TEXT' }))).toMatchObject({ kind: 'text' });
  });

  it('reads MsgID or MsgId wherever either may appear', () => {
    expect(parse(pushXml('text', { MsgId: null, MsgID: { xml: '42' } }))).toMatchObject({
      msgId: '42',
    });
    expect(
      parse(pushXml('TEMPLATESENDJOBFINISH', { MsgID: null, MsgId: { xml: '43' } })),
    ).toMatchObject({ msgId: '43' });
  });

  it('never throws for unknown types or events, and keeps every field', () => {
    const msg = parse(pushXml('unknown_event', { Event: 'user_info_modified' }));
    expect(msg).toMatchObject({ kind: 'unknown', msgType: 'event', event: 'user_info_modified' });
    const noEvent = parse(pushXml('unknown_event', { Event: null }));
    expect(noEvent).toMatchObject({ kind: 'unknown', msgType: 'event' });
    expect(parse(pushXml('text', { MsgType: 'file' }))).toMatchObject({
      kind: 'unknown',
      msgType: 'file',
      fields: { Content: '续借《三体》' },
    });
  });

  it('tolerates missing body fields: empty strings, NaN, undefined', () => {
    expect(parse(pushXml('text', { Content: null, MsgId: null }))).toMatchObject({
      kind: 'text',
      content: '',
      msgId: '',
    });
    const location = parse(pushXml('LOCATION', { Precision: null }));
    expect(location).toMatchObject({ latitude: 23.137466 });
    expect(location.kind === 'event' && location.event === 'LOCATION' && location.precision).toBe(
      Number.NaN,
    );
    expect(parse(pushXml('voice', { Recognition: '' }))).not.toHaveProperty('recognition', '');
  });

  it.each(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType'])(
    'throws InvalidMessage without %s',
    (field) => {
      for (const value of [null, '', { xml: '<a>1</a>' }]) {
        const text = pushXml('text', { [field]: value });
        try {
          parse(text);
          expect.unreachable(`parsed without ${field}`);
        } catch (error) {
          expect(error).toBeInstanceOf(WeChatXmlError);
          expect((error as WeChatXmlError).code).toBe('InvalidMessage');
        }
      }
    },
  );

  it.each(['1714037059000.5', '-1', '17e8', 'now', '1714037059000000'])(
    'throws InvalidMessage for CreateTime %s',
    (value) => {
      expect(() => parse(pushXml('text', { CreateTime: { xml: value } }))).toThrow(WeChatXmlError);
    },
  );
});

describe('dedupeKey', () => {
  const key = (kind: FixtureKind, overrides = {}): string =>
    dedupeKey(parse(pushXml(kind, overrides)));

  it('keys messages by MsgId, sender and time', () => {
    expect(key('text')).toBe(`msg:6054768590064713728:${FIXTURE_OPENID}:${FIXTURE_CREATE_TIME}`);
    expect(key('text', { FromUserName: 'o_other' })).not.toBe(key('text'));
    expect(key('text', { MsgId: { xml: '1' } })).not.toBe(key('text'));
  });

  it('keys events by sender, time, event and key', () => {
    expect(key('CLICK')).toBe(`evt:${FIXTURE_OPENID}:${FIXTURE_CREATE_TIME}:CLICK:MY_LOANS`);
    expect(key('subscribe')).toBe(`evt:${FIXTURE_OPENID}:${FIXTURE_CREATE_TIME}:subscribe:`);
    expect(key('CLICK', { EventKey: 'HOURS' })).not.toBe(key('CLICK'));
    expect(key('unsubscribe')).not.toBe(key('subscribe'));
  });

  it('gives a retry of the same push the same key', () => {
    for (const kind of FIXTURE_KINDS) {
      expect(dedupeKey(parse(PUSH_XML[kind]))).toBe(dedupeKey(parse(PUSH_XML[kind])));
    }
  });

  it('tells apart events WeChat sends several of in one second', () => {
    expect(key('LOCATION', { Latitude: { xml: '23.1' } })).not.toBe(key('LOCATION'));
    expect(key('LOCATION', { Longitude: { xml: '113.1' } })).not.toBe(key('LOCATION'));
    expect(key('TEMPLATESENDJOBFINISH', { MsgID: { xml: '1' } })).not.toBe(
      key('TEMPLATESENDJOBFINISH'),
    );
    expect(key('MASSSENDJOBFINISH', { MsgID: { xml: '1' } })).not.toBe(key('MASSSENDJOBFINISH'));
    const sent = (id: string): string =>
      key('subscribe_msg_sent_event', {
        SubscribeMsgSentEvent: {
          xml: `<List><TemplateId>t</TemplateId><MsgID>${id}</MsgID><ErrorCode>0</ErrorCode><ErrorStatus>success</ErrorStatus></List>`,
        },
      });
    expect(sent('1')).not.toBe(sent('2'));
  });

  it('gives every fixture a distinct key', () => {
    const keys = new Set(FIXTURE_KINDS.map((kind) => dedupeKey(parse(PUSH_XML[kind]))));
    // The two change-event fixtures are the same event in two wrappers.
    expect(keys.size).toBe(FIXTURE_KINDS.length - 1);
  });

  it('keys unknown pushes by MsgId when they have one', () => {
    expect(key('unknown_message')).toBe(
      `msg:7000000000000000001:${FIXTURE_OPENID}:${FIXTURE_CREATE_TIME}`,
    );
    expect(key('unknown_event')).toBe(
      `evt:${FIXTURE_OPENID}:${FIXTURE_CREATE_TIME}:kf_create_session:`,
    );
  });
});

describe('summarize', () => {
  it.each([
    ['text', '续借《三体》'],
    ['voice', 'voice'],
    ['voice_recognition', 'voice: 红楼梦'],
    ['image', 'image'],
    ['location', 'location 23.134521,113.358803 广州市天河区中山大道西55号'],
    ['subscribe', 'subscribe'],
    ['subscribe_qrscene', 'subscribe qrscene bind_desk_1'],
    ['SCAN', 'SCAN 123123'],
    ['CLICK', 'click MY_LOANS'],
    ['VIEW', 'view https://lib.example.edu.cn/m/loans'],
    ['scancode_waitmsg', 'scan EAN_13,6911316223400'],
    ['pic_photo_or_album', 'pic_photo_or_album 2 picture(s)'],
    ['TEMPLATESENDJOBFINISH', 'template 3147483654821117952 success'],
    ['MASSSENDJOBFINISH', 'mass 1000001625 err(30003) 75/100'],
    ['unknown_event', 'event kf_create_session'],
  ] as const)('%s → %s', (kind, expected) => {
    expect(summarize(parse(PUSH_XML[kind]))).toBe(expected);
  });

  it('puts every fixture on one line of at most 120 characters', () => {
    for (const kind of FIXTURE_KINDS) {
      const line = summarize(parse(PUSH_XML[kind]));
      expect(line.length).toBeLessThanOrEqual(120);
      expect(line).not.toMatch(/\n/);
    }
  });

  it('clips long text without splitting a surrogate pair', () => {
    const long = summarize(parse(pushXml('text', { Content: '书\n'.repeat(200) })));
    expect(long).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toMatch(/\n/);
    for (let pad = 0; pad < 4; pad++) {
      const line = summarize(
        parse(pushXml('text', { Content: 'x'.repeat(pad) + '😀'.repeat(100) })),
      );
      expect(line.length).toBeLessThanOrEqual(120);
      expect(line).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });
});
