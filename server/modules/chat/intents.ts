/**
 * What a reader's text asks for. Readers write the way they talk ("我的借阅", "续借一下",
 * "你们几点关门？"), so keywords are compared with punctuation, spaces and width folded
 * away, and questions about opening hours are recognised inside a sentence.
 */
import type { Locale } from '../../i18n/index.ts';
import { findIsbns } from '../../platform/text/isbn.ts';
import { foldWidth } from '../../platform/text/normalize.ts';

export type Intent =
  | { readonly kind: 'language'; readonly locale: Locale }
  | { readonly kind: 'recommend'; readonly isbn13: string | null }
  | { readonly kind: 'isbn'; readonly isbn13: string }
  | { readonly kind: 'loans' }
  | { readonly kind: 'renew' }
  | { readonly kind: 'holds' }
  | { readonly kind: 'hours' }
  | { readonly kind: 'bind' }
  | { readonly kind: 'unbind' }
  | { readonly kind: 'help' }
  | { readonly kind: 'search'; readonly q: string }
  | { readonly kind: 'empty' };

type Simple = 'loans' | 'renew' | 'holds' | 'hours' | 'bind' | 'unbind' | 'help';

const KEYWORDS: ReadonlyArray<readonly [Simple, readonly string[]]> = [
  [
    'loans',
    [
      '我的借阅',
      '借阅',
      '借阅信息',
      '借阅记录',
      '当前借阅',
      '我的借书',
      '查借阅',
      '借了什么书',
    ].concat(['loans', 'myloans', 'loan', 'borrowed', 'mybooks']),
  ],
  [
    'renew',
    ['续借', '一键续借', '全部续借', '续借全部', '续借图书', 'renew', 'renewall', 'renewloans'],
  ],
  [
    'holds',
    ['预约', '我的预约', '预约信息', '预约记录', 'holds', 'myholds', 'hold', 'reservations'],
  ],
  [
    'hours',
    ['开馆时间', '开放时间', '闭馆时间', '营业时间', '开馆', '几点开门', '几点关门'].concat([
      'hours',
      'openinghours',
      'opening',
      'openingtimes',
    ]),
  ],
  [
    'bind',
    ['绑定', '绑卡', '绑定读者证', '绑定借书证', '绑定证件', 'bind', 'bindcard', 'linkcard'],
  ],
  ['unbind', ['解绑', '解除绑定', '取消绑定', 'unbind', 'unlink', 'unlinkcard']],
  ['help', ['帮助', '菜单', '功能', '你好', '您好', '在吗', 'help', 'menu', 'hi', 'hello', '?']],
];

const LANGUAGES: ReadonlyArray<readonly [Locale, readonly string[]]> = [
  ['en', ['english', '英文', '英语', 'inenglish', '英文回复']],
  ['zh-CN', ['中文', '汉语', '简体中文', 'chinese', '中文回复']],
];

const BY_WORD = new Map<string, Simple>(
  KEYWORDS.flatMap(([kind, words]) => words.map((w) => [w, kind] as const)),
);
const LANGUAGE_BY_WORD = new Map<string, Locale>(
  LANGUAGES.flatMap(([locale, words]) => words.map((w) => [w, locale] as const)),
);

const RECOMMEND = /^(?:荐购|推荐购买|购书建议|建议购买|recommend|suggest)\s*[:：]?\s*(.*)$/isu;

// Asked inside a sentence: "你们几点关门？", "周末开放吗", "When do you open on Sunday?"
const HOURS_QUESTION =
  /(几点|什么时候|何时|哪天|周[一二三四五六日末]|星期[一二三四五六日天]|今天|明天|节假日|假期).{0,8}(开门|关门|开馆|闭馆|开放|关闭|营业)|开放时间|开馆时间|闭馆时间|(开门|关门|开馆|闭馆|开放)(吗|么|时间)|\bopening (hours|times)\b|\bwhen\b.{0,30}\b(open|close)s?\b|\b(are|is) (you|the library) open\b/iu;

/** The text as compared with keywords: folded, lowercase, no punctuation or spaces. */
export function keywordForm(text: string): string {
  const folded = foldWidth(text).toLowerCase().trim();
  if (/^[?？]+$/u.test(folded)) return '?';
  return folded.replace(/[\p{P}\p{S}\s]+/gu, '');
}

/**
 * A voice message's transcript as text: WeChat punctuates it ("我的借阅。"), which
 * would keep it from matching a keyword.
 *
 * @example
 * voiceText('续借，谢谢。'); // → '续借 谢谢'
 */
export function voiceText(recognition: string): string {
  return recognition
    .replace(/[\p{P}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The intent of a reader's text.
 *
 * @example
 * parseIntent('我的借阅'); // → { kind: 'loans' }
 * parseIntent('荐购 978-7-5366-9293-0'); // → { kind: 'recommend', isbn13: '9787536692930' }
 * parseIntent('你们几点关门？'); // → { kind: 'hours' }
 * parseIntent('三体'); // → { kind: 'search', q: '三体' }
 */
export function parseIntent(text: string): Intent {
  const trimmed = foldWidth(text).trim();
  if (trimmed === '') return { kind: 'empty' };
  const word = keywordForm(trimmed);
  const locale = LANGUAGE_BY_WORD.get(word);
  if (locale) return { kind: 'language', locale };

  const recommend = RECOMMEND.exec(trimmed);
  if (recommend) {
    const isbn = findIsbns(recommend[1] ?? '')[0];
    return { kind: 'recommend', isbn13: isbn?.isbn13 ?? null };
  }
  const isbn = findIsbns(trimmed)[0];
  if (isbn) return { kind: 'isbn', isbn13: isbn.isbn13 };

  const simple = BY_WORD.get(word);
  if (simple) return { kind: simple };
  if (trimmed.length <= 60 && HOURS_QUESTION.test(trimmed)) return { kind: 'hours' };
  return { kind: 'search', q: trimmed };
}

/**
 * Whether a text that found nothing reads as a message to the library rather than a
 * search (a question, a sentence): then it becomes feedback for staff.
 *
 * @example
 * looksLikeMessage('三楼的空调太冷了，能调一下吗'); // true
 * looksLikeMessage('Perl'); // false
 */
export function looksLikeMessage(text: string): boolean {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  const words = text.split(/\s+/).filter(Boolean).length;
  return (
    /[?？吗呢吧啊呀!！。，,]/u.test(text) ||
    /请问|为什么|怎么|能不能|可不可以|可以吗|希望|建议|谢谢|投诉|\b(please|why|how|can|could|thanks?)\b/iu.test(
      text,
    ) ||
    han >= 10 ||
    words >= 5
  );
}
