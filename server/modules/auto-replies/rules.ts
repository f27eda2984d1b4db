/**
 * Staff-defined keyword auto-replies, the pure part: how a rule matches a reader's
 * message, and the checks a rule passes before it is saved. A regular expression runs
 * on every text a reader sends, so one that can backtrack catastrophically would let a
 * single message stall the account: such patterns are refused when saved, and the text
 * they are tried against is capped.
 */
import { foldWidth } from '../../platform/text/normalize.ts';

export const MATCH_TYPES = ['exact', 'contains', 'regex'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

/** What a rule answers with: text, or one article (all WeChat allows in reply to a message). */
export type AutoReplyContent =
  | { readonly type: 'text'; readonly content: string }
  | {
      readonly type: 'news';
      readonly title: string;
      readonly description: string | null;
      readonly url: string | null;
      readonly picUrl: string | null;
    };

export interface AutoReplyRule {
  readonly id: number;
  readonly matchType: MatchType;
  readonly pattern: string;
  /** Higher first; equal priorities in the order the rules were made. */
  readonly priority: number;
  readonly reply: AutoReplyContent;
  readonly enabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type AutoReplyInput = Pick<AutoReplyRule, 'matchType' | 'pattern' | 'priority' | 'reply'> & {
  readonly enabled?: boolean;
};

/** Regular expressions are tried on at most this many characters of a message. */
export const MAX_MATCH_INPUT = 256;
export const MAX_PATTERN_LENGTH = 200;

/** Why a rule cannot be saved; `field` names the offending input. */
export class AutoReplyRuleError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AutoReplyRuleError';
  }
}

/**
 * The form both sides of an exact or contains match take: width-folded, lowercase,
 * whitespace collapsed, so that `ＷＩＦＩ密码 ` matches a rule for `wifi密码`.
 *
 * @example
 * foldForMatch(' Ｗｉ-Ｆｉ  密码 '); // 'wi-fi 密码'
 */
export function foldForMatch(text: string): string {
  return foldWidth(text).toLowerCase().replace(/\s+/g, ' ').trim();
}

interface GroupState {
  quantified: boolean;
  alternation: boolean;
}

/** Reads a quantifier at `i`: its length, and whether it repeats (more than once). */
function quantifierAt(source: string, i: number): { length: number; repeats: boolean } | null {
  const c = source[i];
  let length = 0;
  let repeats = false;
  if (c === '*' || c === '+') {
    length = 1;
    repeats = true;
  } else if (c === '?') {
    length = 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (!m) return null;
    length = m[0].length;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    repeats = max > 1;
  } else {
    return null;
  }
  if (source[i + length] === '?') length++; // lazy
  return { length, repeats };
}

/**
 * Checks a regular expression for what makes backtracking explode: a repeated group
 * that itself holds a quantifier or an alternation (`(a+)+`, `(a|aa)*`), and
 * backreferences. Returns the reason, or null when the pattern is safe to run.
 *
 * @example
 * unsafeRegexReason('^(a+)+$'); // 'a repeated group may not contain …'
 * unsafeRegexReason('^借(书|阅)$'); // null
 */
export function unsafeRegexReason(source: string): string | null {
  const stack: GroupState[] = [{ quantified: false, alternation: false }];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences are not allowed';
      i++;
      const q = quantifierAt(source, i + 1);
      if (q) {
        top.quantified = true;
        i += q.length;
      }
      continue;
    }
    if (c === '[') {
      // Skip the class: escapes inside it, and a `]` first in it, are literal.
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      i = j;
      const q = quantifierAt(source, i + 1);
      if (q) {
        top.quantified = true;
        i += q.length;
      }
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      continue;
    }
    if (c === '|') {
      top.alternation = true;
      continue;
    }
    if (c === ')') {
      const group = stack.pop();
      const parent = stack[stack.length - 1];
      if (!group || !parent) return 'unbalanced parentheses';
      const q = quantifierAt(source, i + 1);
      if (q) {
        if (q.repeats && (group.quantified || group.alternation)) {
          return 'a repeated group may not contain a quantifier or an alternation (use a character class)';
        }
        i += q.length;
      }
      if (q || group.quantified) parent.quantified = true;
      continue;
    }
    const q = quantifierAt(source, i + 1);
    if (q) {
      top.quantified = true;
      i += q.length;
    }
  }
  return null;
}

/** Compiles a rule's regular expression (case-insensitive, Unicode). */
export function compileRegex(pattern: string): RegExp {
  return new RegExp(pattern, 'iu');
}

/**
 * Checks a rule before it is saved; throws AutoReplyRuleError naming the field.
 *
 * @example
 * validateRule({ matchType: 'regex', pattern: '(x+)+y', priority: 0, reply }); // throws
 */
export function validateRule(input: AutoReplyInput): void {
  const pattern = input.pattern.trim();
  if (pattern === '') throw new AutoReplyRuleError('pattern', 'pattern is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new AutoReplyRuleError('pattern', `pattern is over ${MAX_PATTERN_LENGTH} characters`);
  }
  if (input.matchType === 'regex') {
    try {
      compileRegex(pattern);
    } catch (error) {
      throw new AutoReplyRuleError(
        'pattern',
        `not a valid regular expression: ${(error as Error).message}`,
      );
    }
    const unsafe = unsafeRegexReason(pattern);
    if (unsafe) throw new AutoReplyRuleError('pattern', unsafe);
    if (compileRegex(pattern).test('')) {
      throw new AutoReplyRuleError('pattern', 'the pattern matches an empty message');
    }
  }
  const reply = input.reply;
  if (reply.type === 'text') {
    if (reply.content.trim() === '')
      throw new AutoReplyRuleError('reply.content', 'reply text is empty');
    if (Buffer.byteLength(reply.content, 'utf8') > 2000) {
      throw new AutoReplyRuleError('reply.content', 'reply text is over 2000 bytes');
    }
  } else {
    if (reply.title.trim() === '')
      throw new AutoReplyRuleError('reply.title', 'article title is empty');
    for (const [field, url] of [
      ['reply.url', reply.url],
      ['reply.picUrl', reply.picUrl],
    ] as const) {
      if (url !== null && !/^https?:\/\/[^\s]+$/i.test(url)) {
        throw new AutoReplyRuleError(field, 'must be an http(s) URL');
      }
    }
  }
}

/** Rules compiled once for matching, best first. */
export class CompiledRules {
  readonly #rules: ReadonlyArray<{
    rule: AutoReplyRule;
    test: (folded: string, raw: string) => boolean;
  }>;

  constructor(rules: readonly AutoReplyRule[]) {
    this.#rules = [...rules]
      .filter((rule) => rule.enabled)
      .sort((a, b) => b.priority - a.priority || a.id - b.id)
      .flatMap((rule) => {
        const folded = foldForMatch(rule.pattern);
        switch (rule.matchType) {
          case 'exact':
            return [{ rule, test: (text: string) => text === folded }];
          case 'contains':
            return [{ rule, test: (text: string) => text.includes(folded) }];
          case 'regex': {
            // Rules are checked when saved; one that no longer compiles (a rule written
            // by hand into the table) is skipped rather than failing every message.
            if (unsafeRegexReason(rule.pattern)) return [];
            try {
              const regex = compileRegex(rule.pattern);
              return [{ rule, test: (_: string, raw: string) => regex.test(raw) }];
            } catch {
              return [];
            }
          }
        }
      });
  }

  get size(): number {
    return this.#rules.length;
  }

  /** The first rule (by priority) that matches the message, or null. */
  match(message: string): AutoReplyRule | null {
    const raw = foldWidth(message.trim()).slice(0, MAX_MATCH_INPUT);
    const folded = foldForMatch(raw);
    if (folded === '') return null;
    for (const { rule, test } of this.#rules) if (test(folded, raw)) return rule;
    return null;
  }
}
