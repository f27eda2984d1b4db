/**
 * What a handler answers with, and its two wire forms: the passive reply XML in the HTTP
 * response (research/wechat-protocol.md §1.8) and the JSON of a customer-service message for
 * answers that miss the 5-second window (§2.3).
 */
import { cdata } from './xml.ts';

export interface NewsArticle {
  title: string;
  description?: string;
  picUrl?: string;
  url?: string;
}

export type Reply =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; title?: string; description?: string }
  | {
      type: 'music';
      title?: string;
      description?: string;
      musicUrl?: string;
      hqMusicUrl?: string;
      thumbMediaId: string;
    }
  | { type: 'news'; articles: NewsArticle[] }
  | { type: 'transfer_customer_service'; kfAccount?: string };

/** News articles allowed when replying to a reader's text/image/video/link/location message. */
export const MAX_ARTICLES_REPLYING_TO_MESSAGE = 1;
/** News articles allowed when replying to anything else (events: follow, menu click, scan). */
export const MAX_ARTICLES_OTHER = 8;
/** WeChat's limit on a passive text reply's Content, in UTF-8 bytes. */
export const MAX_TEXT_REPLY_BYTES = 2048;

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes at a code-point boundary, ending with '…' when
 * anything was cut. Text that fits is returned unchanged.
 *
 * @example
 * truncateUtf8('书林书林', 9); // → '书林…' (6 bytes + 3 for the ellipsis)
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Fast exit: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const ellipsis = maxBytes >= 3 ? '…' : '';
  let cut = maxBytes - Buffer.byteLength(ellipsis);
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return bytes.toString('utf8', 0, cut) + ellipsis;
}

/**
 * Checks a reply against WeChat's rules before it is sent. Returns null when it is fine,
 * otherwise the reason (for the log). A reply WeChat would reject makes the reader see
 * "该公众号暂时无法提供服务", so the gateway should log and answer `success` instead.
 * Pass `maxArticles` MAX_ARTICLES_REPLYING_TO_MESSAGE for messages, MAX_ARTICLES_OTHER for events.
 *
 * @example
 * validateReply({ type: 'text', content: '' }, { maxArticles: 1 }); // → 'text content is empty'
 */
export function validateReply(reply: Reply, context: { maxArticles: number }): string | null {
  switch (reply.type) {
    case 'text': {
      if (reply.content.trim() === '') return 'text content is empty';
      const bytes = Buffer.byteLength(reply.content, 'utf8');
      if (bytes > MAX_TEXT_REPLY_BYTES) {
        return `text content is ${bytes} bytes, over the ${MAX_TEXT_REPLY_BYTES}-byte limit`;
      }
      break;
    }
    case 'image':
    case 'voice':
    case 'video':
      if (reply.mediaId === '') return `${reply.type} mediaId is empty`;
      break;
    case 'music':
      if (reply.thumbMediaId === '') return 'music thumbMediaId is empty';
      break;
    case 'news':
      if (reply.articles.length === 0) return 'news has no articles';
      if (reply.articles.length > context.maxArticles) {
        return `news has ${reply.articles.length} articles, over the limit of ${context.maxArticles}`;
      }
      if (reply.articles.some((article) => article.title.trim() === '')) {
        return 'news article title is empty';
      }
      break;
    case 'transfer_customer_service':
      if (reply.kfAccount === '') return 'kfAccount is empty';
      break;
  }
  // Characters XML cannot carry are not a reason to drop the reply: cdata() removes them.
  return null;
}

function element(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<${name}>${cdata(value)}</${name}>`;
}

const BASE64_TEXT = /^[A-Za-z0-9+/=]*$/;

/** Like element(), for values that are usually base64, hex or digits: those skip the escaping scan. */
function plainElement(name: string, value: string): string {
  return BASE64_TEXT.test(value) ? `<${name}><![CDATA[${value}]]></${name}>` : element(name, value);
}

function body(reply: Reply): string {
  switch (reply.type) {
    case 'text':
      return element('Content', reply.content);
    case 'image':
      return `<Image>${element('MediaId', reply.mediaId)}</Image>`;
    case 'voice':
      return `<Voice>${element('MediaId', reply.mediaId)}</Voice>`;
    case 'video':
      return `<Video>${element('MediaId', reply.mediaId)}${element('Title', reply.title)}${element('Description', reply.description)}</Video>`;
    case 'music':
      return `<Music>${element('Title', reply.title)}${element('Description', reply.description)}${element('MusicUrl', reply.musicUrl)}${element('HQMusicUrl', reply.hqMusicUrl)}${element('ThumbMediaId', reply.thumbMediaId)}</Music>`;
    case 'news': {
      let items = '';
      for (const a of reply.articles) {
        items += `<item>${element('Title', a.title)}${element('Description', a.description)}${element('PicUrl', a.picUrl)}${element('Url', a.url)}</item>`;
      }
      return `<ArticleCount>${reply.articles.length}</ArticleCount><Articles>${items}</Articles>`;
    }
    case 'transfer_customer_service':
      return reply.kfAccount === undefined
        ? ''
        : `<TransInfo>${element('KfAccount', reply.kfAccount)}</TransInfo>`;
  }
}

// Seconds since 1970 stay below 1e11 until the year 5138; a millisecond value is above it.
// Milliseconds here are the classic bug that works in the debugger and fails in the client.
function checkSeconds(value: number | string, what: string): void {
  const ok =
    typeof value === 'number'
      ? Number.isInteger(value) && value >= 0 && value < 1e11
      : /^\d{1,11}$/.test(value);
  if (!ok) throw new RangeError(`${what} must be whole seconds, got ${String(value)}`);
}

/**
 * The passive reply XML. `to.toUserName` is the reader's openid (the push's FromUserName),
 * `to.fromUserName` the account's gh_ id (the push's ToUserName); `createTime` is in seconds.
 * Run validateReply first: this function serialises whatever it is given.
 *
 * @example
 * serializeReply({ type: 'text', content: '已续借' }, { toUserName: openid, fromUserName: 'gh_…' }, 1714037060);
 * // → '<xml><ToUserName><![CDATA[o…]]></ToUserName><FromUserName><![CDATA[gh_…]]></FromUserName>
 * //    <CreateTime>1714037060</CreateTime><MsgType><![CDATA[text]]></MsgType>
 * //    <Content><![CDATA[已续借]]></Content></xml>' (on one line)
 */
export function serializeReply(
  reply: Reply,
  to: { toUserName: string; fromUserName: string },
  createTime: number,
): string {
  checkSeconds(createTime, 'createTime');
  return `<xml>${element('ToUserName', to.toUserName)}${element('FromUserName', to.fromUserName)}<CreateTime>${createTime}</CreateTime>${element('MsgType', reply.type)}${body(reply)}</xml>`;
}

/**
 * The safe-mode reply wrapping an encrypted passive reply. `timestamp` is seconds as a string
 * (the one the signature was computed with).
 *
 * @example
 * const encrypt = encryptMessage(key, serializeReply(reply, to, now), appid);
 * const signature = sha1Signature(token, timestamp, nonce, encrypt);
 * encryptedEnvelope(encrypt, signature, timestamp, nonce);
 */
export function encryptedEnvelope(
  encrypt: string,
  msgSignature: string,
  timestamp: string,
  nonce: string,
): string {
  // TimeStamp goes in without CDATA, so it must be digits and nothing else.
  checkSeconds(timestamp, 'timestamp');
  // Base64, hex and digits need no CDATA escaping; anything else goes through cdata().
  return `<xml>${plainElement('Encrypt', encrypt)}${plainElement('MsgSignature', msgSignature)}<TimeStamp>${timestamp}</TimeStamp>${plainElement('Nonce', nonce)}</xml>`;
}

function defined(fields: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) out[name] = value;
  return out;
}

/**
 * The JSON body of `/cgi-bin/message/custom/send` carrying the same content, for answers that
 * come too late for a passive reply. Null for transfer_customer_service, which has no
 * customer-service equivalent. The API allows one news article (more gives errcode 45008), and
 * its video message wants a thumb_media_id that a passive reply does not have.
 *
 * @example
 * toCustomerServiceMessage({ type: 'text', content: '《三体》已到馆' }, openid);
 * // → { touser: openid, msgtype: 'text', text: { content: '《三体》已到馆' } }
 */
export function toCustomerServiceMessage(
  reply: Reply,
  openid: string,
): Record<string, unknown> | null {
  const head = { touser: openid, msgtype: reply.type };
  switch (reply.type) {
    case 'text':
      return { ...head, text: { content: reply.content } };
    case 'image':
      return { ...head, image: { media_id: reply.mediaId } };
    case 'voice':
      return { ...head, voice: { media_id: reply.mediaId } };
    case 'video':
      return {
        ...head,
        video: defined({
          media_id: reply.mediaId,
          title: reply.title,
          description: reply.description,
        }),
      };
    case 'music':
      return {
        ...head,
        music: defined({
          title: reply.title,
          description: reply.description,
          musicurl: reply.musicUrl,
          hqmusicurl: reply.hqMusicUrl,
          thumb_media_id: reply.thumbMediaId,
        }),
      };
    case 'news':
      return {
        ...head,
        news: {
          articles: reply.articles.map((a) =>
            defined({ title: a.title, description: a.description, url: a.url, picurl: a.picUrl }),
          ),
        },
      };
    case 'transfer_customer_service':
      return null;
  }
}
