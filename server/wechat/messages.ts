/**
 * Typed inbound pushes (research/wechat-protocol.md §1.6–1.7).
 *
 * Design: `kind` discriminates. Ordinary messages have `kind` = their MsgType ('text',
 * 'image', …) and carry `msgId`. Every event has `kind: 'event'` and is discriminated further
 * by `event`, spelled exactly as WeChat documents it ('subscribe', 'SCAN', 'CLICK', …); events
 * with a key carry `eventKey`. Anything we do not model is `kind: 'unknown'` rather than an
 * error, so a new WeChat feature never turns into "该公众号暂时无法提供服务".
 *
 * Conventions: ids (MsgId, MsgID, MenuId) stay strings because they exceed 2^53. Counts and
 * coordinates are numbers, NaN if WeChat left them out. Optional strings are undefined when the
 * element is missing or empty (WeChat sends `<EventKey><![CDATA[]]></EventKey>` for a plain
 * follow).
 */
import { WeChatXmlError, xmlChildText, type XmlNode, type XmlObject } from './xml.ts';

interface Base {
  /** The account's original id (`gh_…`). */
  toUserName: string;
  /** The reader's openid. */
  fromUserName: string;
  /** Unix seconds. */
  createTime: number;
  /** The parsed root element, for fields not modelled here. */
  raw: XmlObject;
}

interface MessageBase extends Base {
  /** 64-bit, as a string. */
  msgId: string;
}

export interface TextMessage extends MessageBase {
  kind: 'text';
  content: string;
  /** Set when the reader wrote from an article (message data id, article index). */
  msgDataId?: string;
  idx?: string;
  /** Set when the reader tapped an option of a 客服 `msgmenu`. */
  bizMsgMenuId?: string;
}

export interface ImageMessage extends MessageBase {
  kind: 'image';
  picUrl: string;
  mediaId: string;
}

export interface VoiceMessage extends MessageBase {
  kind: 'voice';
  mediaId: string;
  /** `amr` or `speex`. */
  format: string;
  /** WeChat's transcript, only when voice recognition is enabled for the account. */
  recognition?: string;
}

interface VideoFields extends MessageBase {
  mediaId: string;
  thumbMediaId: string;
}

export interface VideoMessage extends VideoFields {
  kind: 'video';
}

export interface ShortVideoMessage extends VideoFields {
  kind: 'shortvideo';
}

export interface LocationMessage extends MessageBase {
  kind: 'location';
  /** Latitude. */
  locationX: number;
  /** Longitude. */
  locationY: number;
  scale: number;
  label: string;
}

export interface LinkMessage extends MessageBase {
  kind: 'link';
  title: string;
  description: string;
  url: string;
}

interface EventBase extends Base {
  kind: 'event';
}

/** A follow. Through a parametric QR code it has `eventKey` `qrscene_<scene>` and `ticket`. */
export interface SubscribeEvent extends EventBase {
  event: 'subscribe';
  eventKey?: string;
  /** The QR scene with the `qrscene_` prefix removed. */
  scene?: string;
  ticket?: string;
}

export interface UnsubscribeEvent extends EventBase {
  event: 'unsubscribe';
}

/** An existing follower scanned a parametric QR code; `eventKey` is the scene, unprefixed. */
export interface ScanEvent extends EventBase {
  event: 'SCAN';
  eventKey: string;
  scene: string;
  ticket?: string;
}

export interface LocationEvent extends EventBase {
  event: 'LOCATION';
  latitude: number;
  longitude: number;
  precision: number;
}

export interface ClickEvent extends EventBase {
  event: 'CLICK';
  eventKey: string;
}

/** `eventKey` is the URL (VIEW) or page path (view_miniprogram). */
export interface ViewEvent extends EventBase {
  event: 'VIEW' | 'view_miniprogram';
  eventKey: string;
  /** Set for conditional (personalised) menus. */
  menuId?: string;
}

export interface ScanCodeInfo {
  /** `qrcode` or `barcode`. */
  scanType: string;
  /** As WeChat sent it, e.g. `EAN_13,9787020002207`. */
  scanResult: string;
  /** For barcodes, the symbology before the first comma (`EAN_13`). */
  codeType?: string;
  /** For barcodes the digits after the first comma; for QR codes the whole result. */
  code: string;
}

/** A scancode menu button. With `scancode_waitmsg` WeChat waits for our reply. */
export interface ScanCodeEvent extends EventBase {
  event: 'scancode_push' | 'scancode_waitmsg';
  eventKey: string;
  scanCodeInfo: ScanCodeInfo;
}

/** A photo menu button; the pictures themselves arrive as separate image messages. */
export interface PicEvent extends EventBase {
  event: 'pic_sysphoto' | 'pic_photo_or_album' | 'pic_weixin';
  eventKey: string;
  sendPicsInfo: { count: number; picMd5Sums: string[] };
}

export interface LocationSelectEvent extends EventBase {
  event: 'location_select';
  eventKey: string;
  sendLocationInfo: {
    locationX: number;
    locationY: number;
    scale: number;
    label: string;
    poiname: string;
  };
}

/** A template message was delivered or not; `msgId` is the msgid the send API returned. */
export interface TemplateSendJobFinishEvent extends EventBase {
  event: 'TEMPLATESENDJOBFINISH';
  msgId: string;
  /** `success`, `failed:user block` or `failed: system failed`. */
  status: string;
}

export interface MassSendJobFinishEvent extends EventBase {
  event: 'MASSSENDJOBFINISH';
  msgId: string;
  status: string;
  totalCount: number;
  filterCount: number;
  sentCount: number;
  errorCount: number;
}

export interface SubscribeMsgPopupEvent extends EventBase {
  event: 'subscribe_msg_popup_event';
  list: Array<{
    templateId: string;
    /** `accept` or `reject`. */
    subscribeStatusString: string;
    /** `1` from an H5 page, `2` from an article. */
    popupScene?: string;
  }>;
}

export interface SubscribeMsgChangeEvent extends EventBase {
  event: 'subscribe_msg_change_event';
  list: Array<{ templateId: string; subscribeStatusString: string }>;
}

export interface SubscribeMsgSentEvent extends EventBase {
  event: 'subscribe_msg_sent_event';
  list: Array<{ templateId: string; msgId: string; errorCode: number; errorStatus: string }>;
}

/** A MsgType or Event this module does not model; `fields` is the whole root element. */
export interface UnknownMessage extends Base {
  kind: 'unknown';
  msgType: string;
  event?: string;
  /** MsgId (or MsgID) when present, so such pushes still dedupe like messages. */
  msgId?: string;
  fields: XmlObject;
}

export type ChatMessage =
  | TextMessage
  | ImageMessage
  | VoiceMessage
  | VideoMessage
  | ShortVideoMessage
  | LocationMessage
  | LinkMessage;

export type WeChatEvent =
  | SubscribeEvent
  | UnsubscribeEvent
  | ScanEvent
  | LocationEvent
  | ClickEvent
  | ViewEvent
  | ScanCodeEvent
  | PicEvent
  | LocationSelectEvent
  | TemplateSendJobFinishEvent
  | MassSendJobFinishEvent
  | SubscribeMsgPopupEvent
  | SubscribeMsgChangeEvent
  | SubscribeMsgSentEvent;

export type InboundMessage = ChatMessage | WeChatEvent | UnknownMessage;

function invalid(reason: string): never {
  throw new WeChatXmlError('InvalidMessage', reason);
}

function text(obj: XmlObject, name: string): string {
  return xmlChildText(obj, name) ?? '';
}

function optional(obj: XmlObject, name: string): string | undefined {
  const value = xmlChildText(obj, name);
  return value === '' ? undefined : value;
}

const NUMBER = /^\s*-?(?:\d+\.?\d*|\.\d+)\s*$/;

function num(obj: XmlObject, name: string): number {
  const value = xmlChildText(obj, name);
  return value !== undefined && NUMBER.test(value) ? Number(value) : Number.NaN;
}

/** The first element child called `name`, or an empty object. */
function child(obj: XmlObject, name: string): XmlObject {
  if (!Object.hasOwn(obj, name)) return {};
  const value = obj[name];
  const first = Array.isArray(value) ? value.find((item) => typeof item !== 'string') : value;
  return typeof first === 'object' ? first : {};
}

/** Every element child called `name`: one element or many, always an array. */
function children(obj: XmlObject, name: string): XmlObject[] {
  if (!Object.hasOwn(obj, name)) return [];
  const value = obj[name];
  const list: XmlNode[] = Array.isArray(value) ? value : [value as XmlNode];
  return list.filter((item): item is XmlObject => typeof item === 'object');
}

function required(obj: XmlObject, name: string): string {
  const value = xmlChildText(obj, name);
  if (value === undefined || value === '') invalid(`missing ${name}`);
  return value;
}

// MASSSENDJOBFINISH, TEMPLATESENDJOBFINISH and subscribe_msg_sent_event spell it MsgID.
function msgIdOf(obj: XmlObject): string | undefined {
  return optional(obj, 'MsgId') ?? optional(obj, 'MsgID');
}

// Matched case-insensitively (SDKs report both `scan` and `SCAN` in the wild), reported as
// WeChat's documents spell them.
const EVENTS = new Map(
  [
    'subscribe',
    'unsubscribe',
    'SCAN',
    'LOCATION',
    'CLICK',
    'VIEW',
    'view_miniprogram',
    'scancode_push',
    'scancode_waitmsg',
    'pic_sysphoto',
    'pic_photo_or_album',
    'pic_weixin',
    'location_select',
    'TEMPLATESENDJOBFINISH',
    'MASSSENDJOBFINISH',
    'subscribe_msg_popup_event',
    'subscribe_msg_change_event',
    'subscribe_msg_sent_event',
  ].map((name) => [name.toLowerCase(), name] as const),
);

function scanCodeInfo(obj: XmlObject): ScanCodeInfo {
  const info = child(obj, 'ScanCodeInfo');
  const scanType = text(info, 'ScanType');
  const scanResult = text(info, 'ScanResult');
  const comma = scanResult.indexOf(',');
  // A QR code's text is arbitrary and may hold commas of its own.
  if (scanType.toLowerCase() === 'qrcode' || comma === -1) {
    return { scanType, scanResult, code: scanResult };
  }
  return {
    scanType,
    scanResult,
    codeType: scanResult.slice(0, comma),
    code: scanResult.slice(comma + 1),
  };
}

function subscriptionList(obj: XmlObject, wrappers: string[]): XmlObject[] {
  for (const wrapper of wrappers) {
    if (Object.hasOwn(obj, wrapper)) return children(child(obj, wrapper), 'List');
  }
  return [];
}

function parseEvent(obj: XmlObject, base: Base, name: string): WeChatEvent | undefined {
  // The header is spread last on purpose: V8 clones a spread-first object into a shape with no
  // room for the properties that follow, which made parsing ~10x slower.
  const e = { kind: 'event' as const, ...base };
  switch (name) {
    case 'subscribe': {
      const eventKey = optional(obj, 'EventKey');
      const scene = eventKey?.startsWith('qrscene_') ? eventKey.slice(8) : undefined;
      return { event: name, eventKey, scene, ticket: optional(obj, 'Ticket'), ...e };
    }
    case 'unsubscribe':
      return { event: name, ...e };
    case 'SCAN': {
      const eventKey = text(obj, 'EventKey');
      return { event: name, eventKey, scene: eventKey, ticket: optional(obj, 'Ticket'), ...e };
    }
    case 'LOCATION':
      return {
        event: name,
        latitude: num(obj, 'Latitude'),
        longitude: num(obj, 'Longitude'),
        precision: num(obj, 'Precision'),
        ...e,
      };
    case 'CLICK':
      return { event: name, eventKey: text(obj, 'EventKey'), ...e };
    case 'VIEW':
    case 'view_miniprogram':
      return {
        event: name,
        eventKey: text(obj, 'EventKey'),
        menuId: optional(obj, 'MenuId'),
        ...e,
      };
    case 'scancode_push':
    case 'scancode_waitmsg':
      return {
        event: name,
        eventKey: text(obj, 'EventKey'),
        scanCodeInfo: scanCodeInfo(obj),
        ...e,
      };
    case 'pic_sysphoto':
    case 'pic_photo_or_album':
    case 'pic_weixin': {
      const info = child(obj, 'SendPicsInfo');
      const picMd5Sums = children(child(info, 'PicList'), 'item').map((item) =>
        text(item, 'PicMd5Sum'),
      );
      return {
        event: name,
        eventKey: text(obj, 'EventKey'),
        sendPicsInfo: { count: num(info, 'Count'), picMd5Sums },
        ...e,
      };
    }
    case 'location_select': {
      const info = child(obj, 'SendLocationInfo');
      return {
        event: name,
        eventKey: text(obj, 'EventKey'),
        sendLocationInfo: {
          locationX: num(info, 'Location_X'),
          locationY: num(info, 'Location_Y'),
          scale: num(info, 'Scale'),
          label: text(info, 'Label'),
          poiname: text(info, 'Poiname'),
        },
        ...e,
      };
    }
    case 'TEMPLATESENDJOBFINISH':
      return { event: name, msgId: msgIdOf(obj) ?? '', status: text(obj, 'Status'), ...e };
    case 'MASSSENDJOBFINISH':
      return {
        event: name,
        msgId: msgIdOf(obj) ?? '',
        status: text(obj, 'Status'),
        totalCount: num(obj, 'TotalCount'),
        filterCount: num(obj, 'FilterCount'),
        sentCount: num(obj, 'SentCount'),
        errorCount: num(obj, 'ErrorCount'),
        ...e,
      };
    case 'subscribe_msg_popup_event':
      return {
        event: name,
        list: subscriptionList(obj, ['SubscribeMsgPopupEvent']).map((item) => ({
          templateId: text(item, 'TemplateId'),
          subscribeStatusString: text(item, 'SubscribeStatusString'),
          popupScene: optional(item, 'PopupScene'),
        })),
        ...e,
      };
    case 'subscribe_msg_change_event':
      // The official example wraps it in SubscribeMsgPopupEvent (a doc bug); WxJava expects
      // SubscribeMsgChangeEvent. Accept both.
      return {
        event: name,
        list: subscriptionList(obj, ['SubscribeMsgChangeEvent', 'SubscribeMsgPopupEvent']).map(
          (item) => ({
            templateId: text(item, 'TemplateId'),
            subscribeStatusString: text(item, 'SubscribeStatusString'),
          }),
        ),
        ...e,
      };
    case 'subscribe_msg_sent_event':
      return {
        event: name,
        list: subscriptionList(obj, ['SubscribeMsgSentEvent']).map((item) => ({
          templateId: text(item, 'TemplateId'),
          msgId: msgIdOf(item) ?? '',
          errorCode: num(item, 'ErrorCode'),
          errorStatus: text(item, 'ErrorStatus'),
        })),
        ...e,
      };
    default:
      return undefined;
  }
}

function parseChatMessage(obj: XmlObject, base: Base, msgType: string): ChatMessage | undefined {
  const m = { msgId: msgIdOf(obj) ?? '', ...base };
  switch (msgType) {
    case 'text':
      return {
        kind: msgType,
        content: text(obj, 'Content'),
        msgDataId: optional(obj, 'MsgDataId'),
        idx: optional(obj, 'Idx'),
        bizMsgMenuId: optional(obj, 'bizmsgmenuid'),
        ...m,
      };
    case 'image':
      return { kind: msgType, picUrl: text(obj, 'PicUrl'), mediaId: text(obj, 'MediaId'), ...m };
    case 'voice':
      return {
        kind: msgType,
        mediaId: text(obj, 'MediaId'),
        format: text(obj, 'Format'),
        recognition: optional(obj, 'Recognition'),
        ...m,
      };
    case 'video':
    case 'shortvideo':
      return {
        kind: msgType,
        mediaId: text(obj, 'MediaId'),
        thumbMediaId: text(obj, 'ThumbMediaId'),
        ...m,
      };
    case 'location':
      return {
        kind: msgType,
        locationX: num(obj, 'Location_X'),
        locationY: num(obj, 'Location_Y'),
        scale: num(obj, 'Scale'),
        label: text(obj, 'Label'),
        ...m,
      };
    case 'link':
      return {
        kind: msgType,
        title: text(obj, 'Title'),
        description: text(obj, 'Description'),
        url: text(obj, 'Url'),
        ...m,
      };
    default:
      return undefined;
  }
}

const CREATE_TIME = /^\d{1,12}$/;

/**
 * Turns a parsed push (the root element's value from `parseXml`) into a typed message.
 * Unknown message types and events become `kind: 'unknown'`; only a push without
 * ToUserName, FromUserName, CreateTime (whole seconds) or MsgType is an error.
 *
 * @throws WeChatXmlError with code 'InvalidMessage'
 * @example
 * const msg = parseInboundMessage(parseXml(body).value);
 * if (msg.kind === 'event' && msg.event === 'scancode_waitmsg') lookUpIsbn(msg.scanCodeInfo.code);
 */
export function parseInboundMessage(xml: XmlObject): InboundMessage {
  const createTimeText = required(xml, 'CreateTime');
  if (!CREATE_TIME.test(createTimeText)) invalid('CreateTime is not whole seconds');
  const base: Base = {
    toUserName: required(xml, 'ToUserName'),
    fromUserName: required(xml, 'FromUserName'),
    createTime: Number(createTimeText),
    raw: xml,
  };
  const msgType = required(xml, 'MsgType');
  const lowerType = msgType.toLowerCase();
  if (lowerType === 'event') {
    const eventText = optional(xml, 'Event');
    const name = eventText === undefined ? undefined : EVENTS.get(eventText.toLowerCase());
    const event = name === undefined ? undefined : parseEvent(xml, base, name);
    if (event !== undefined) return event;
    return unknown(xml, base, msgType, eventText);
  }
  return parseChatMessage(xml, base, lowerType) ?? unknown(xml, base, msgType, undefined);
}

function unknown(
  xml: XmlObject,
  base: Base,
  msgType: string,
  event: string | undefined,
): UnknownMessage {
  return { kind: 'unknown', msgType, event, msgId: msgIdOf(xml), fields: xml, ...base };
}

/**
 * The key under which a push is remembered to drop WeChat's retries (research §1.5).
 * Messages: `msg:{MsgId}:{FromUserName}:{CreateTime}` (MsgId alone has collided).
 * Events: `evt:{FromUserName}:{CreateTime}:{Event}:{EventKey}`, plus what tells apart events
 * WeChat sends several of in one second: the coordinates of LOCATION, the MsgID of job-finish
 * and subscribe_msg_sent events.
 *
 * @example
 * dedupeKey(parseInboundMessage(parseXml(body).value));
 * // → 'msg:6054768590064713728:oyORnuP8q7ou2gfYjqLzSIWZf0rs:1409735668'
 */
export function dedupeKey(msg: InboundMessage): string {
  const who = `${msg.fromUserName}:${msg.createTime}`;
  if (msg.kind === 'unknown') {
    if (msg.msgId !== undefined) return `msg:${msg.msgId}:${who}`;
    return `evt:${who}:${msg.event ?? msg.msgType}:${xmlChildText(msg.raw, 'EventKey') ?? ''}`;
  }
  if (msg.kind !== 'event') return `msg:${msg.msgId}:${who}`;
  const key = `evt:${who}:${msg.event}:${'eventKey' in msg ? (msg.eventKey ?? '') : ''}`;
  switch (msg.event) {
    case 'LOCATION':
      // The raw text, so formatting a number cannot merge two distinct reports.
      return `${key}:${text(msg.raw, 'Latitude')}:${text(msg.raw, 'Longitude')}`;
    case 'TEMPLATESENDJOBFINISH':
    case 'MASSSENDJOBFINISH':
      return `${key}:${msg.msgId}`;
    case 'subscribe_msg_sent_event':
      return `${key}:${msg.list.map((item) => item.msgId).join(',')}`;
    default:
      return key;
  }
}

const SUMMARY_MAX = 120;

/**
 * A one-line description of at most 120 characters for the message log and the console inbox.
 *
 * @example
 * summarize(parseInboundMessage(parseXml(pushXml('scancode_waitmsg')).value));
 * // → 'scan EAN_13,6911316223400'
 */
export function summarize(msg: InboundMessage): string {
  return clip(describe(msg).replace(/\s+/g, ' ').trim());
}

function clip(line: string): string {
  if (line.length <= SUMMARY_MAX) return line;
  let cut = SUMMARY_MAX - 1;
  // Do not leave half of a surrogate pair before the ellipsis.
  const last = line.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return line.slice(0, cut) + '…';
}

function describe(msg: InboundMessage): string {
  switch (msg.kind) {
    case 'text':
      return msg.content;
    case 'image':
    case 'video':
    case 'shortvideo':
      return msg.kind;
    case 'voice':
      return msg.recognition === undefined ? 'voice' : `voice: ${msg.recognition}`;
    case 'location':
      return `location ${msg.locationX},${msg.locationY} ${msg.label}`;
    case 'link':
      return `link ${msg.title} ${msg.url}`;
    case 'unknown':
      return msg.event === undefined ? msg.msgType : `${msg.msgType} ${msg.event}`;
    case 'event':
      return describeEvent(msg);
  }
}

function describeEvent(msg: WeChatEvent): string {
  switch (msg.event) {
    case 'subscribe':
      return msg.scene === undefined ? 'subscribe' : `subscribe qrscene ${msg.scene}`;
    case 'unsubscribe':
      return 'unsubscribe';
    case 'SCAN':
      return `SCAN ${msg.scene}`;
    case 'LOCATION':
      return `LOCATION ${msg.latitude},${msg.longitude}`;
    case 'CLICK':
      return `click ${msg.eventKey}`;
    case 'VIEW':
      return `view ${msg.eventKey}`;
    case 'view_miniprogram':
      return `view_miniprogram ${msg.eventKey}`;
    case 'scancode_push':
    case 'scancode_waitmsg':
      return `scan ${msg.scanCodeInfo.scanResult}`;
    case 'pic_sysphoto':
    case 'pic_photo_or_album':
    case 'pic_weixin':
      return `${msg.event} ${msg.sendPicsInfo.picMd5Sums.length} picture(s)`;
    case 'location_select':
      return `location_select ${msg.sendLocationInfo.label}`;
    case 'TEMPLATESENDJOBFINISH':
      return `template ${msg.msgId} ${msg.status}`;
    case 'MASSSENDJOBFINISH':
      return `mass ${msg.msgId} ${msg.status} ${msg.sentCount}/${msg.totalCount}`;
    case 'subscribe_msg_popup_event':
    case 'subscribe_msg_change_event':
      return `${msg.event} ${msg.list.map((i) => `${i.templateId}:${i.subscribeStatusString}`).join(' ')}`;
    case 'subscribe_msg_sent_event':
      return `${msg.event} ${msg.list.map((i) => `${i.templateId}:${i.errorStatus}`).join(' ')}`;
  }
}
