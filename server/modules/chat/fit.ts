/**
 * Text replies that fit WeChat: a passive text reply's content is at most 2048 bytes of
 * UTF-8, and a reply over it makes the reader see "该公众号暂时无法提供服务". Lists are
 * shortened whole items at a time with a line saying what was left out; anything still
 * too long is cut at a character boundary and never inside a link.
 */
import { MAX_TEXT_REPLY_BYTES, truncateUtf8 } from '../../wechat/replies.ts';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * A WeChat text-reply link. The URL is one we made (percent-encoded, no quotes).
 *
 * @example
 * textLink('https://lib.example.edu.cn/m/bind', '绑定读者证');
 * // → '<a href="https://lib.example.edu.cn/m/bind">绑定读者证</a>'
 */
export function textLink(url: string, label: string): string {
  return `<a href="${url.replace(/"/g, '%22')}">${label}</a>`;
}

/**
 * Cuts `text` to `maxBytes` of UTF-8 without splitting a character or a `<a …>…</a>`
 * link: a link that would be cut is dropped whole. Ends with '…' when anything was cut.
 *
 * @example
 * clipText('见 <a href="https://x.cn/a">全部结果</a>', 20); // → '见 …'
 */
export function clipText(text: string, maxBytes: number = MAX_TEXT_REPLY_BYTES): string {
  if (bytes(text) <= maxBytes) return text;
  const cut = truncateUtf8(text, maxBytes);
  let kept = cut.endsWith('…') ? cut.slice(0, -1) : cut;
  const open = kept.lastIndexOf('<a');
  if (open !== -1 && !kept.includes('</a>', open)) kept = kept.slice(0, open);
  // A fragment of a closing tag or of another element left at the end.
  const angle = kept.lastIndexOf('<');
  if (angle !== -1 && !kept.includes('>', angle)) kept = kept.slice(0, angle);
  return `${kept.trimEnd()}…`;
}

export interface ListText {
  /** Lines before the list. */
  readonly head: readonly string[];
  readonly items: readonly string[];
  /** Lines after the list. */
  readonly tail?: readonly string[];
  /** The line that says how many items were left out (and where to see them). */
  readonly more?: (hidden: number) => string;
  /** Show at most this many items (the rest count as hidden). */
  readonly maxItems?: number;
  readonly maxBytes?: number;
}

/**
 * A list reply within the byte limit: as many whole items as fit, then the `more` line.
 *
 * @example
 * fitList({ head: ['找到 40 条结果：'], items, more: (n) => `还有 ${n} 条` });
 */
export function fitList(list: ListText): string {
  const maxBytes = list.maxBytes ?? MAX_TEXT_REPLY_BYTES;
  const compose = (shown: number): string => {
    const hidden = list.items.length - shown;
    return [
      ...list.head,
      ...list.items.slice(0, shown),
      ...(hidden > 0 && list.more ? [list.more(hidden)] : []),
      ...(list.tail ?? []),
    ].join('\n');
  };
  let shown = Math.min(list.items.length, list.maxItems ?? list.items.length);
  let text = compose(shown);
  while (bytes(text) > maxBytes && shown > 0) text = compose(--shown);
  return clipText(text, maxBytes);
}
