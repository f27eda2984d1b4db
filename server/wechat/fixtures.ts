/**
 * Push XML as WeChat sends it, one document per message type and event, for the protocol tests
 * and the HTTP gateway's tests. Values follow the official documentation's examples where it
 * has one; the layout (a newline after each top-level element, nested elements sometimes
 * indented) is the layout of real pushes such as vector C.
 */

/** The account's original id used by every fixture. */
export const FIXTURE_ACCOUNT = 'gh_3d5bd1b5a9ce';
/** The reader's openid used by every fixture. */
export const FIXTURE_OPENID = 'oQ3nQ5Xr5o0q1Z6Lz6i7nUq1VbUo';
/** CreateTime (seconds) of every fixture. */
export const FIXTURE_CREATE_TIME = 1714037059;

/** A value written verbatim (numbers, nested elements) instead of inside CDATA. */
export interface RawXml {
  xml: string;
}

/** A field value: a string goes in CDATA, a number or RawXml verbatim. */
export type FixtureValue = string | number | RawXml;

const raw = (xml: string): RawXml => ({ xml });

type Fields = Array<[string, FixtureValue]>;

function message(msgType: string, fields: Fields): Fields {
  return [['MsgType', msgType], ...fields];
}

function event(name: string, fields: Fields = []): Fields {
  return message('event', [['Event', name], ...fields]);
}

const POPUP_LIST = `
    <List>
        <TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>
        <SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString>
        <PopupScene>2</PopupScene>
    </List>
    <List>
        <TemplateId><![CDATA[9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI]]></TemplateId>
        <SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>
        <PopupScene>2</PopupScene>
    </List>
`;

const CHANGE_LIST = `
    <List>
        <TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>
        <SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>
    </List>
`;

const BODIES = {
  text: message('text', [
    ['Content', '续借《三体》'],
    ['MsgId', raw('6054768590064713728')],
  ]),
  text_from_article: message('text', [
    ['Content', '请问这本书还有吗？'],
    ['MsgId', raw('23637352235060880')],
    ['MsgDataId', raw('2247483652')],
    ['Idx', raw('1')],
  ]),
  text_menu_reply: message('text', [
    ['Content', '满意'],
    ['MsgId', raw('1000001625')],
    ['bizmsgmenuid', raw('101')],
  ]),
  image: message('image', [
    ['PicUrl', 'http://mmbiz.qpic.cn/mmbiz_jpg/abcdef/0'],
    ['MediaId', 'media_id_image_1'],
    ['MsgId', raw('1234567890123456')],
  ]),
  voice: message('voice', [
    ['MediaId', 'media_id_voice_1'],
    ['Format', 'amr'],
    ['MsgId', raw('1234567890123457')],
  ]),
  voice_recognition: message('voice', [
    ['MediaId', 'media_id_voice_2'],
    ['Format', 'amr'],
    ['MsgId', raw('1234567890123458')],
    ['Recognition', '红楼梦'],
  ]),
  video: message('video', [
    ['MediaId', 'media_id_video_1'],
    ['ThumbMediaId', 'thumb_media_id_1'],
    ['MsgId', raw('1234567890123459')],
  ]),
  shortvideo: message('shortvideo', [
    ['MediaId', 'media_id_shortvideo_1'],
    ['ThumbMediaId', 'thumb_media_id_2'],
    ['MsgId', raw('1234567890123460')],
  ]),
  location: message('location', [
    ['Location_X', raw('23.134521')],
    ['Location_Y', raw('113.358803')],
    ['Scale', raw('20')],
    ['Label', '广州市天河区中山大道西55号'],
    ['MsgId', raw('1234567890123461')],
  ]),
  link: message('link', [
    ['Title', '公众平台官网链接'],
    ['Description', '公众平台官网链接'],
    ['Url', 'https://mp.weixin.qq.com/'],
    ['MsgId', raw('1234567890123462')],
  ]),
  subscribe: event('subscribe', [['EventKey', '']]),
  subscribe_qrscene: event('subscribe', [
    ['EventKey', 'qrscene_bind_desk_1'],
    [
      'Ticket',
      'gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==',
    ],
  ]),
  unsubscribe: event('unsubscribe', [['EventKey', '']]),
  SCAN: event('SCAN', [
    ['EventKey', '123123'],
    [
      'Ticket',
      'gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==',
    ],
  ]),
  LOCATION: event('LOCATION', [
    ['Latitude', raw('23.137466')],
    ['Longitude', raw('113.352425')],
    ['Precision', raw('119.385040')],
  ]),
  CLICK: event('CLICK', [['EventKey', 'MY_LOANS']]),
  VIEW: event('VIEW', [
    ['EventKey', 'https://lib.example.edu.cn/m/loans'],
    ['MenuId', raw('435674521')],
  ]),
  view_miniprogram: event('view_miniprogram', [
    ['EventKey', 'pages/index/index'],
    ['MenuId', raw('435674522')],
  ]),
  scancode_push: event('scancode_push', [
    ['EventKey', '6'],
    [
      'ScanCodeInfo',
      raw(
        '<ScanType><![CDATA[qrcode]]></ScanType>\n<ScanResult><![CDATA[https://lib.example.edu.cn/r?a=1,b=2]]></ScanResult>\n',
      ),
    ],
  ]),
  // A captured push (research §1.7), plain text rather than CDATA.
  scancode_waitmsg: message('event', [
    ['Event', raw('scancode_waitmsg')],
    ['EventKey', raw('rselfmenu_0_0')],
    [
      'ScanCodeInfo',
      raw('<ScanType>barcode</ScanType><ScanResult>EAN_13,6911316223400</ScanResult>'),
    ],
  ]),
  pic_sysphoto: event('pic_sysphoto', [
    ['EventKey', '6'],
    [
      'SendPicsInfo',
      raw(
        '<Count>1</Count>\n<PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum>\n</item>\n</PicList>\n',
      ),
    ],
  ]),
  pic_photo_or_album: event('pic_photo_or_album', [
    ['EventKey', '6'],
    [
      'SendPicsInfo',
      raw(
        '<Count>2</Count>\n<PicList><item><PicMd5Sum><![CDATA[5a75aaca956d97be686719218f275c6b]]></PicMd5Sum>\n</item>\n<item><PicMd5Sum><![CDATA[2a35aaca956d97be686719218f275c6c]]></PicMd5Sum>\n</item>\n</PicList>\n',
      ),
    ],
  ]),
  pic_weixin: event('pic_weixin', [
    ['EventKey', '6'],
    [
      'SendPicsInfo',
      raw(
        '<Count>1</Count>\n<PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum>\n</item>\n</PicList>\n',
      ),
    ],
  ]),
  location_select: event('location_select', [
    ['EventKey', '6'],
    [
      'SendLocationInfo',
      raw(
        '<Location_X><![CDATA[23]]></Location_X>\n<Location_Y><![CDATA[113]]></Location_Y>\n<Scale><![CDATA[15]]></Scale>\n<Label><![CDATA[ 广州市海珠区客村艺苑路 106号]]></Label>\n<Poiname><![CDATA[]]></Poiname>\n',
      ),
    ],
  ]),
  TEMPLATESENDJOBFINISH: event('TEMPLATESENDJOBFINISH', [
    ['MsgID', raw('3147483654821117952')],
    ['Status', 'success'],
  ]),
  MASSSENDJOBFINISH: event('MASSSENDJOBFINISH', [
    ['MsgID', raw('1000001625')],
    ['Status', 'err(30003)'],
    ['TotalCount', raw('100')],
    ['FilterCount', raw('80')],
    ['SentCount', raw('75')],
    ['ErrorCount', raw('5')],
    [
      'CopyrightCheckResult',
      raw(
        '<Count>2</Count><ResultList><item><ArticleIdx>1</ArticleIdx><UserDeclareState>0</UserDeclareState><AuditState>2</AuditState><OriginalArticleUrl><![CDATA[Url_1]]></OriginalArticleUrl><OriginalArticleType>1</OriginalArticleType><CanReprint>1</CanReprint><NeedReplaceContent>1</NeedReplaceContent><NeedShowReprintSource>1</NeedShowReprintSource></item><item><ArticleIdx>2</ArticleIdx><UserDeclareState>0</UserDeclareState><AuditState>2</AuditState><OriginalArticleUrl><![CDATA[Url_2]]></OriginalArticleUrl><OriginalArticleType>1</OriginalArticleType><CanReprint>1</CanReprint><NeedReplaceContent>1</NeedReplaceContent><NeedShowReprintSource>1</NeedShowReprintSource></item></ResultList><CheckState>2</CheckState>',
      ),
    ],
  ]),
  subscribe_msg_popup_event: event('subscribe_msg_popup_event', [
    ['SubscribeMsgPopupEvent', raw(POPUP_LIST)],
  ]),
  // As in the official example, which wraps the change event in SubscribeMsgPopupEvent.
  subscribe_msg_change_event: event('subscribe_msg_change_event', [
    ['SubscribeMsgPopupEvent', raw(CHANGE_LIST)],
  ]),
  // As WxJava expects it.
  subscribe_msg_change_event_change_wrapper: event('subscribe_msg_change_event', [
    ['SubscribeMsgChangeEvent', raw(CHANGE_LIST)],
  ]),
  subscribe_msg_sent_event: event('subscribe_msg_sent_event', [
    [
      'SubscribeMsgSentEvent',
      raw(`
    <List>
        <TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>
        <MsgID>1700827132819554304</MsgID>
        <ErrorCode>0</ErrorCode>
        <ErrorStatus><![CDATA[success]]></ErrorStatus>
    </List>
`),
    ],
  ]),
  // Types this module does not model; they must parse as kind 'unknown'.
  unknown_message: message('miniprogrampage', [
    ['Title', '小程序卡片'],
    ['AppId', 'wx0123456789abcdef'],
    ['PagePath', 'pages/index/index'],
    ['MsgId', raw('7000000000000000001')],
  ]),
  unknown_event: event('kf_create_session', [['KfAccount', 'test1@test']]),
} satisfies Record<string, Fields>;

/** Every fixture's name: a MsgType, an Event as WeChat spells it, or a variant of one. */
export type FixtureKind = keyof typeof BODIES;

export const FIXTURE_KINDS = Object.keys(BODIES) as FixtureKind[];

function serialize(value: FixtureValue): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `<![CDATA[${value}]]>`;
  return value.xml;
}

/**
 * The push XML for `kind`. `overrides` replaces top-level fields by name (a string goes in
 * CDATA, a number or `{ xml }` verbatim), adds new ones before `</xml>`, and removes a field
 * given `null`. Header fields are ToUserName, FromUserName and CreateTime.
 *
 * @example
 * pushXml('text', { Content: '借阅', MsgId: { xml: '1' }, FromUserName: 'o_other' });
 * pushXml('text', { CreateTime: null }); // an invalid push
 */
export function pushXml(
  kind: FixtureKind,
  overrides: Record<string, FixtureValue | null> = {},
): string {
  const fields: Fields = [
    ['ToUserName', FIXTURE_ACCOUNT],
    ['FromUserName', FIXTURE_OPENID],
    ['CreateTime', FIXTURE_CREATE_TIME],
    ...BODIES[kind],
  ];
  const seen = new Set<string>();
  let out = '<xml>';
  for (const [name, value] of fields) {
    seen.add(name);
    const override = Object.hasOwn(overrides, name) ? overrides[name] : value;
    if (override === null || override === undefined) continue;
    out += `<${name}>${serialize(override)}</${name}>\n`;
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (!seen.has(name) && value !== null) out += `<${name}>${serialize(value)}</${name}>\n`;
  }
  return out + '</xml>';
}

/** Every fixture with no overrides, by kind. */
export const PUSH_XML = Object.fromEntries(
  FIXTURE_KINDS.map((kind) => [kind, pushXml(kind)]),
) as Record<FixtureKind, string>;
