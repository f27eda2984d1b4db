import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, DEMO_WECHAT, loadConfig } from './config.ts';

const AES_A = 'A'.repeat(43);
const AES_B = 'b'.repeat(43);
const REAL = {
  WECHAT_APPID: 'wx134c8103faa5a59e',
  WECHAT_SECRET: 'real-secret',
  WECHAT_TOKEN: 'AAAAA',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      host: '0.0.0.0',
      port: 3000,
      publicUrl: undefined,
      database: { url: 'sqlite:./data/shulin.db', dialect: 'sqlite' },
      redisUrl: undefined,
      demo: true,
      logLevel: 'info',
      ils: { connector: 'embedded' },
    });
    expect(config.wechat).toMatchObject({
      apiBase: 'https://api.weixin.qq.com',
      replyBudgetMs: 4500,
      timestampWindowS: 300,
      maxBodyBytes: 256 * 1024,
      dedupeTtlS: 60,
      requireEncryption: false,
    });
  });

  it('reads the environment it is given, not process.env', () => {
    const saved = process.env.PORT;
    process.env.PORT = '4999';
    try {
      expect(loadConfig({}).port).toBe(3000);
      expect(loadConfig({ PORT: '8080' }).port).toBe(8080);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('parses every kind of value', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '0',
      PUBLIC_URL: 'https://lib.example.edu.cn',
      DATABASE_URL: 'postgres://shulin@db/shulin',
      REDIS_URL: 'rediss://cache:6380/2',
      SHULIN_DEMO: 'off',
      LOG_LEVEL: 'warn',
      WECHAT_API_BASE: 'http://127.0.0.1:9000///',
      WECHAT_REPLY_BUDGET_MS: '300',
      WECHAT_REQUIRE_ENCRYPTION: 'yes',
      WECHAT_AES_KEY: AES_A,
      ILS_CONNECTOR: 'sip2',
      SIP2_HOST: 'ils.example.edu.cn',
      SIP2_INSTITUTION: 'CN-LIB',
      SIP2_CHARSET: 'gbk',
      SIP2_TERMINATOR: 'crlf',
      SECRET_KEY: 'k'.repeat(32),
    });
    expect(config.ils.sip2).toMatchObject({
      host: 'ils.example.edu.cn',
      port: 6001,
      institution: 'CN-LIB',
      charset: 'gbk',
      terminator: 'crlf',
      errorDetection: false,
    });
    expect(config.secret).toEqual({ key: 'k'.repeat(32), fromConfig: true });
    expect(() => loadConfig({ ILS_CONNECTOR: 'sip2' })).toThrow(
      /SIP2_HOST.*SIP2_INSTITUTION.*SECRET_KEY/s,
    );
    expect(config).toMatchObject({
      env: 'production',
      port: 0,
      publicUrl: 'https://lib.example.edu.cn',
      database: { url: 'postgres://shulin@db/shulin', dialect: 'postgres' },
      redisUrl: 'rediss://cache:6380/2',
      demo: false,
      logLevel: 'warn',
      ils: { connector: 'sip2' },
    });
    expect(config.wechat.apiBase).toBe('http://127.0.0.1:9000');
    expect(config.wechat.replyBudgetMs).toBe(300);
    expect(config.wechat.requireEncryption).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgresql://x/y' }).database.dialect).toBe('postgres');
    for (const [value, expected] of [
      ['on', true],
      ['1', true],
      ['true', true],
      ['no', false],
      ['0', false],
    ] as const) {
      expect(loadConfig({ SHULIN_DEMO: value }).demo, value).toBe(expected);
    }
  });

  it('lists every problem at once in one ConfigError', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'http://cache',
      LOG_LEVEL: 'loud',
      WECHAT_AES_KEY: 'short',
      WECHAT_REPLY_BUDGET_MS: '5000',
      SHULIN_DEMO: 'maybe',
    });
    const vars = problems.map((p) => p.split(':')[0]);
    expect(vars.sort()).toEqual(
      [
        'DATABASE_URL',
        'LOG_LEVEL',
        'PORT',
        'REDIS_URL',
        'SHULIN_DEMO',
        'WECHAT_AES_KEY',
        'WECHAT_REPLY_BUDGET_MS',
      ].sort(),
    );
    expect(problems.find((p) => p.startsWith('WECHAT_AES_KEY'))).toMatch(
      /43-character EncodingAESKey/,
    );
    expect(problems.find((p) => p.startsWith('DATABASE_URL'))).toMatch(/sqlite: or postgres:\/\//);
  });

  it('lists cross-field problems together with field problems', () => {
    const problems = problemsOf({
      PORT: '70000',
      WECHAT_APPID: 'wx1',
      WECHAT_AES_KEY_PREVIOUS: AES_B,
    });
    expect(problems.some((p) => p.startsWith('PORT'))).toBe(true);
    expect(problems.some((p) => p.startsWith('WECHAT_AES_KEY_PREVIOUS'))).toBe(true);
    expect(problems.some((p) => p.startsWith('WECHAT_APPID') && /all three or none/.test(p))).toBe(
      true,
    );
  });

  it('puts every problem in the message, one a line, and keeps secrets out of it', () => {
    try {
      loadConfig({ PORT: 'abc', WECHAT_SECRET: 'top-secret-value', WECHAT_AES_KEY: 'short' });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect((error as Error).name).toBe('ConfigError');
      expect(message).toMatch(/^Invalid configuration:\n {2}- /);
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/WECHAT_AES_KEY/);
      expect(message).not.toContain('top-secret-value');
      expect(message).not.toContain('short');
    }
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ ...REAL, WECHAT_AES_KEY: AES_A });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.wechat)).toBe(true);
    expect(Object.isFrozen(config.wechat.tokens)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
    // ES modules run in strict mode: writing to a frozen object throws.
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.wechat as { appid: string }).appid = 'wxevil';
    }).toThrow(TypeError);
    expect(() => (config.wechat.tokens as string[]).push('guess')).toThrow(TypeError);
    expect(config.port).toBe(3000);
    expect(config.wechat.appid).toBe(REAL.WECHAT_APPID);
  });

  it('takes WECHAT_APPID, WECHAT_SECRET and WECHAT_TOKEN all together or not at all', () => {
    for (const missing of ['WECHAT_APPID', 'WECHAT_SECRET', 'WECHAT_TOKEN'] as const) {
      const env: Record<string, string> = { ...REAL };
      delete env[missing];
      const problems = problemsOf(env);
      expect(problems, missing).toHaveLength(1);
      expect(problems[0], missing).toMatch(/set all three or none/);
    }
    for (const only of ['WECHAT_APPID', 'WECHAT_SECRET', 'WECHAT_TOKEN'] as const) {
      expect(problemsOf({ [only]: REAL[only] }), only).toHaveLength(1);
    }
    const config = loadConfig(REAL);
    expect(config.wechat).toMatchObject({
      configured: true,
      appid: REAL.WECHAT_APPID,
      secret: REAL.WECHAT_SECRET,
      tokens: ['AAAAA'],
      aesKeys: [],
      originalId: undefined,
    });
  });

  it('keeps the previous Token and EncodingAESKey after the current ones', () => {
    const config = loadConfig({
      ...REAL,
      WECHAT_TOKEN_PREVIOUS: 'oldToken9',
      WECHAT_AES_KEY: AES_A,
      WECHAT_AES_KEY_PREVIOUS: AES_B,
    });
    expect(config.wechat.tokens).toEqual(['AAAAA', 'oldToken9']);
    expect(config.wechat.aesKeys).toEqual([AES_A, AES_B]);
  });

  it('refuses a previous EncodingAESKey without a current one', () => {
    const problems = problemsOf({ ...REAL, WECHAT_AES_KEY_PREVIOUS: AES_B });
    expect(problems).toEqual([
      expect.stringMatching(/^WECHAT_AES_KEY_PREVIOUS: set WECHAT_AES_KEY too/),
    ]);
  });

  it('refuses safe mode without an EncodingAESKey', () => {
    const problems = problemsOf({ ...REAL, WECHAT_REQUIRE_ENCRYPTION: 'on' });
    expect(problems).toEqual([
      expect.stringMatching(/^WECHAT_REQUIRE_ENCRYPTION: safe mode needs WECHAT_AES_KEY/),
    ]);
  });

  it('checks the shape of tokens, keys and the original id', () => {
    const problems = problemsOf({
      ...REAL,
      WECHAT_TOKEN: 'no spaces allowed',
      WECHAT_TOKEN_PREVIOUS: 'x',
      WECHAT_AES_KEY: `${'A'.repeat(42)}=`,
      WECHAT_ORIGINAL_ID: 'wx123',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['WECHAT_AES_KEY', 'WECHAT_ORIGINAL_ID', 'WECHAT_TOKEN', 'WECHAT_TOKEN_PREVIOUS'].sort(),
    );
  });

  it('harvests over OAI-PMH only when OAI_HARVEST_URL is set, every hour by default', () => {
    expect(loadConfig({}).oaiHarvest).toBeUndefined();
    expect(loadConfig({ OAI_HARVEST_INTERVAL_MINUTES: '30' }).oaiHarvest).toBeUndefined();
    const url = 'https://opac.example.edu/cgi-bin/koha/oai.pl';
    expect(loadConfig({ OAI_HARVEST_URL: url }).oaiHarvest).toEqual({
      url,
      prefix: undefined,
      set: undefined,
      intervalMinutes: 60,
    });
    expect(
      loadConfig({
        OAI_HARVEST_URL: url,
        OAI_HARVEST_PREFIX: 'marcxml',
        OAI_HARVEST_SET: 'books',
        OAI_HARVEST_INTERVAL_MINUTES: '10080',
      }).oaiHarvest,
    ).toEqual({ url, prefix: 'marcxml', set: 'books', intervalMinutes: 10_080 });
    expect(
      loadConfig({ OAI_HARVEST_URL: url, OAI_HARVEST_INTERVAL_MINUTES: '5' }).oaiHarvest
        ?.intervalMinutes,
    ).toBe(5);
  });

  it('refuses a harvest URL that is not http(s), intervals out of range, and strays', () => {
    for (const bad of ['ftp://opac.example.edu/oai', 'opac.example.edu/oai', 'nonsense']) {
      expect(problemsOf({ OAI_HARVEST_URL: bad }), bad).toEqual([
        expect.stringMatching(/^OAI_HARVEST_URL: must be the http\(s\) base URL/),
      ]);
    }
    for (const minutes of ['4', '10081', '1.5', 'hourly']) {
      expect(
        problemsOf({ OAI_HARVEST_URL: 'http://opac/oai', OAI_HARVEST_INTERVAL_MINUTES: minutes }),
        minutes,
      ).toEqual([expect.stringMatching(/^OAI_HARVEST_INTERVAL_MINUTES: /)]);
    }
    expect(problemsOf({ OAI_HARVEST_PREFIX: 'marc21', OAI_HARVEST_SET: 'books' })).toEqual([
      expect.stringMatching(/^OAI_HARVEST_PREFIX: set OAI_HARVEST_URL too/),
      expect.stringMatching(/^OAI_HARVEST_SET: set OAI_HARVEST_URL too/),
    ]);
  });

  it('counts empty strings as unset, as .env files write them', () => {
    const config = loadConfig({
      PORT: '',
      DATABASE_URL: '',
      REDIS_URL: '',
      WECHAT_APPID: '',
      WECHAT_SECRET: '',
      WECHAT_TOKEN: '',
      WECHAT_AES_KEY: '',
      WECHAT_AES_KEY_PREVIOUS: '',
      LOG_LEVEL: '',
      PUBLIC_URL: '',
    });
    expect(config.port).toBe(3000);
    expect(config.database.url).toBe('sqlite:./data/shulin.db');
    expect(config.redisUrl).toBeUndefined();
    expect(config.publicUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.wechat.configured).toBe(false);
    // An empty value beside real ones does not count as "set" for the all-or-none rule either.
    expect(
      loadConfig({ ...REAL, WECHAT_TOKEN_PREVIOUS: '', WECHAT_AES_KEY: '' }).wechat,
    ).toMatchObject({
      tokens: ['AAAAA'],
      aesKeys: [],
    });
  });

  it('stands the demo account in when no Official Account is configured', () => {
    const config = loadConfig({});
    expect(config.wechat).toEqual({
      configured: false,
      appid: DEMO_WECHAT.appid,
      secret: DEMO_WECHAT.secret,
      tokens: [DEMO_WECHAT.token],
      aesKeys: [DEMO_WECHAT.aesKey],
      originalId: DEMO_WECHAT.originalId,
      requireEncryption: false,
      apiBase: 'https://api.weixin.qq.com',
      replyBudgetMs: 4500,
      timestampWindowS: 300,
      maxBodyBytes: 256 * 1024,
      dedupeTtlS: 60,
    });
    // The demo key is a valid EncodingAESKey; one given explicitly replaces it.
    expect(DEMO_WECHAT.aesKey).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(loadConfig({ WECHAT_AES_KEY: AES_A }).wechat.aesKeys).toEqual([AES_A]);
    expect(Object.isFrozen(DEMO_WECHAT)).toBe(true);
  });

  it('has every variable documented in .env.example', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(CONFIG_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });
});
