/**
 * What the account said, in one shape for the chat window whichever way it came: a passive
 * reply in the HTTP response (XML), or a customer-service message the server sent through
 * WeChat's API later (JSON recorded by the fake WeChat API).
 */
import { parseXml, xmlChildText, type XmlNode, type XmlObject } from '../wechat/xml.ts';

export interface SimulatorArticle {
  readonly title: string;
  readonly description?: string;
  readonly picUrl?: string;
  readonly url?: string;
}

export type SimulatorReply =
  | { readonly type: 'text'; readonly content: string }
  | { readonly type: 'news'; readonly articles: readonly SimulatorArticle[] }
  | { readonly type: 'image' | 'voice'; readonly mediaId: string }
  | {
      readonly type: 'video';
      readonly mediaId: string;
      readonly title?: string;
      readonly description?: string;
    }
  | {
      readonly type: 'music';
      readonly title?: string;
      readonly description?: string;
      readonly musicUrl?: string;
    }
  | { readonly type: 'transfer_customer_service'; readonly kfAccount?: string }
  /** A reader-facing menu of choices (customer-service `msgmenu`). */
  | {
      readonly type: 'msgmenu';
      readonly head?: string;
      readonly options: readonly { id: string; content: string }[];
      readonly tail?: string;
    }
  /** Anything else WeChat can carry, shown as a placeholder. */
  | { readonly type: 'other'; readonly msgType: string };

function child(obj: XmlObject, name: string): XmlObject | undefined {
  if (!Object.hasOwn(obj, name)) return undefined;
  const value = obj[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'object' ? first : undefined;
}

function children(node: XmlNode | XmlNode[] | undefined): XmlObject[] {
  if (node === undefined) return [];
  return (Array.isArray(node) ? node : [node]).filter((n): n is XmlObject => typeof n === 'object');
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}

/**
 * A passive reply as the chat window shows it.
 *
 * @example
 * parseReplyXml('<xml>…<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>');
 * // → { type: 'text', content: '你好' }
 */
export function parseReplyXml(xml: string): SimulatorReply {
  const root = parseXml(xml).value;
  const type = xmlChildText(root, 'MsgType') ?? '';
  switch (type) {
    case 'text':
      return { type, content: xmlChildText(root, 'Content') ?? '' };
    case 'news': {
      const articles = child(root, 'Articles');
      return {
        type,
        articles: children(articles?.item).map((item) => ({
          title: xmlChildText(item, 'Title') ?? '',
          ...optional('description', xmlChildText(item, 'Description')),
          ...optional('picUrl', xmlChildText(item, 'PicUrl')),
          ...optional('url', xmlChildText(item, 'Url')),
        })),
      };
    }
    case 'image':
    case 'voice': {
      const inner = child(root, type === 'image' ? 'Image' : 'Voice');
      return { type, mediaId: (inner && xmlChildText(inner, 'MediaId')) ?? '' };
    }
    case 'video': {
      const inner = child(root, 'Video') ?? {};
      return {
        type,
        mediaId: xmlChildText(inner, 'MediaId') ?? '',
        ...optional('title', xmlChildText(inner, 'Title')),
        ...optional('description', xmlChildText(inner, 'Description')),
      };
    }
    case 'music': {
      const inner = child(root, 'Music') ?? {};
      return {
        type,
        ...optional('title', xmlChildText(inner, 'Title')),
        ...optional('description', xmlChildText(inner, 'Description')),
        ...optional('musicUrl', xmlChildText(inner, 'MusicUrl')),
      };
    }
    case 'transfer_customer_service': {
      const info = child(root, 'TransInfo');
      return { type, ...optional('kfAccount', info && xmlChildText(info, 'KfAccount')) };
    }
    default:
      return { type: 'other', msgType: type };
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * A customer-service message (the JSON body of `/cgi-bin/message/custom/send`) as the chat
 * window shows it.
 *
 * @example
 * customMessageReply({ touser: 'o…', msgtype: 'text', text: { content: '已续借' } });
 * // → { type: 'text', content: '已续借' }
 */
export function customMessageReply(body: Record<string, unknown>): SimulatorReply {
  const type = str(body.msgtype) ?? '';
  const inner = record(body[type]);
  switch (type) {
    case 'text':
      return { type, content: str(inner.content) ?? '' };
    case 'news': {
      const articles = Array.isArray(inner.articles) ? inner.articles : [];
      return {
        type,
        articles: articles.map((a) => {
          const article = record(a);
          return {
            title: str(article.title) ?? '',
            ...optional('description', str(article.description)),
            ...optional('picUrl', str(article.picurl)),
            ...optional('url', str(article.url)),
          };
        }),
      };
    }
    case 'image':
    case 'voice':
      return { type, mediaId: str(inner.media_id) ?? '' };
    case 'video':
      return {
        type,
        mediaId: str(inner.media_id) ?? '',
        ...optional('title', str(inner.title)),
        ...optional('description', str(inner.description)),
      };
    case 'music':
      return {
        type,
        ...optional('title', str(inner.title)),
        ...optional('description', str(inner.description)),
        ...optional('musicUrl', str(inner.musicurl)),
      };
    case 'msgmenu': {
      const list = Array.isArray(inner.list) ? inner.list : [];
      return {
        type,
        ...optional('head', str(inner.head_content)),
        options: list.map((o) => ({
          id: str(record(o).id) ?? '',
          content: str(record(o).content) ?? '',
        })),
        ...optional('tail', str(inner.tail_content)),
      };
    }
    default:
      return { type: 'other', msgType: type };
  }
}
