import { describe, expect, it } from 'vitest';
import {
  AutoReplyRuleError,
  CompiledRules,
  MAX_MATCH_INPUT,
  foldForMatch,
  unsafeRegexReason,
  validateRule,
  type AutoReplyRule,
} from './rules.ts';

const reply = { type: 'text', content: '好的' } as const;
let nextId = 1;
const rule = (
  partial: Partial<AutoReplyRule> & Pick<AutoReplyRule, 'matchType' | 'pattern'>,
): AutoReplyRule => ({
  id: nextId++,
  priority: 0,
  reply,
  enabled: true,
  createdAt: 0,
  updatedAt: 0,
  ...partial,
});

describe('unsafeRegexReason', () => {
  it.each([
    '^(a+)+$',
    '(a*)*b',
    '(x+x+)+y',
    '(a|aa)+',
    '(?:a|b)*c',
    '((ab)*)+',
    '(\\d+)*$',
    '([a-z]+){2,}',
    '(.*a){20}',
    '(a)\\1',
    '(?<x>a)\\k<x>',
  ])('refuses %s', (pattern) => {
    expect(unsafeRegexReason(pattern)).not.toBeNull();
  });

  it.each([
    '^借(书|阅)$',
    '^(借书|还书)规则$',
    '(wifi|无线)?密码',
    '\\d+号',
    '[a-z]+(\\d)?',
    '^开馆时间[?？]?$',
    '(ab)+',
    '[(+*)]+',
    '\\(a+\\)+',
    'a{2,5}b',
  ])('accepts %s', (pattern) => {
    expect(unsafeRegexReason(pattern)).toBeNull();
  });
});

describe('validateRule', () => {
  it('names the field that is wrong', () => {
    const check = (input: Parameters<typeof validateRule>[0]) => {
      try {
        validateRule(input);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(AutoReplyRuleError);
        return (error as AutoReplyRuleError).field;
      }
    };
    expect(check({ matchType: 'regex', pattern: '(', priority: 0, reply })).toBe('pattern');
    expect(check({ matchType: 'regex', pattern: 'a*', priority: 0, reply })).toBe('pattern');
    expect(check({ matchType: 'exact', pattern: '  ', priority: 0, reply })).toBe('pattern');
    expect(
      check({
        matchType: 'exact',
        pattern: 'x',
        priority: 0,
        reply: { type: 'text', content: ' ' },
      }),
    ).toBe('reply.content');
    expect(
      check({
        matchType: 'exact',
        pattern: 'x',
        priority: 0,
        reply: {
          type: 'news',
          title: 'T',
          description: null,
          url: 'javascript:alert(1)',
          picUrl: null,
        },
      }),
    ).toBe('reply.url');
    expect(check({ matchType: 'contains', pattern: '停车', priority: 0, reply })).toBeNull();
  });
});

describe('CompiledRules', () => {
  it('matches exact and contains on folded text, regex on the text as sent', () => {
    const rules = new CompiledRules([
      rule({ matchType: 'exact', pattern: 'Wi-Fi 密码' }),
      rule({ matchType: 'contains', pattern: '停车' }),
      rule({ matchType: 'regex', pattern: '^第\\d+号$' }),
    ]);
    expect(foldForMatch('  ＷＩ-ＦＩ   密码 ')).toBe('wi-fi 密码');
    expect(rules.match('ＷＩ-ＦＩ   密码')?.pattern).toBe('Wi-Fi 密码');
    expect(rules.match('Wi-Fi 密码是什么')).toBeNull();
    expect(rules.match('哪里可以停车？')?.pattern).toBe('停车');
    expect(rules.match('第12号')?.pattern).toBe('^第\\d+号$');
    expect(rules.match('   ')).toBeNull();
  });

  it('prefers the higher priority, then the older rule, and skips disabled ones', () => {
    const older = rule({ matchType: 'contains', pattern: '馆', priority: 1 });
    const newer = rule({ matchType: 'contains', pattern: '图书馆', priority: 1 });
    const best = rule({ matchType: 'exact', pattern: '图书馆', priority: 9, enabled: false });
    const rules = new CompiledRules([newer, best, older]);
    expect(rules.match('图书馆')?.id).toBe(older.id);
    expect(rules.size).toBe(2);
  });

  it('tries regular expressions on a capped prefix and skips rules that are not safe', () => {
    const rules = new CompiledRules([
      rule({ matchType: 'regex', pattern: '^(a+)+$' }),
      rule({ matchType: 'regex', pattern: 'z$' }),
    ]);
    expect(rules.size).toBe(1);
    expect(rules.match(`${'a'.repeat(MAX_MATCH_INPUT - 1)}z`)?.pattern).toBe('z$');
    expect(rules.match(`${'a'.repeat(MAX_MATCH_INPUT)}z`)).toBeNull();
  });
});
