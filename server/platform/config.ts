import { z } from 'zod';

/**
 * The whole configuration, parsed once from the environment at start-up.
 * Every problem is reported together, then the result is frozen: nothing else
 * in Shulin reads `process.env`.
 */

const bool = z
  .enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'on' || v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const aesKey = z
  .string()
  .regex(/^[A-Za-z0-9]{43}$/, 'must be the 43-character EncodingAESKey (letters and digits)');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: int(0, 65535).default(3000),
    PUBLIC_URL: z.url().optional(),
    DATABASE_URL: z
      .string()
      .default('sqlite:./data/shulin.db')
      .refine(
        (v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v),
        'must start with sqlite: or postgres://',
      ),
    REDIS_URL: z
      .string()
      .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL')
      .optional(),
    SHULIN_DEMO: bool.default(true),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),

    WECHAT_APPID: z.string().min(1).optional(),
    WECHAT_SECRET: z.string().min(1).optional(),
    WECHAT_TOKEN: z
      .string()
      .regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3–32 letters or digits, as WeChat requires')
      .optional(),
    WECHAT_TOKEN_PREVIOUS: z
      .string()
      .regex(/^[A-Za-z0-9]{3,32}$/)
      .optional(),
    WECHAT_AES_KEY: aesKey.optional(),
    WECHAT_AES_KEY_PREVIOUS: aesKey.optional(),
    WECHAT_ORIGINAL_ID: z
      .string()
      .regex(/^gh_[0-9a-zA-Z]+$/, 'must look like gh_…')
      .optional(),
    WECHAT_REQUIRE_ENCRYPTION: bool.default(false),
    WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com'),
    WECHAT_REPLY_BUDGET_MS: int(100, 4900).default(4500),
    WECHAT_TIMESTAMP_WINDOW_S: int(10, 86_400).default(300),
    WECHAT_MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).default(256 * 1024),
    WECHAT_DEDUPE_TTL_S: int(20, 3600).default(60),

    ILS_CONNECTOR: z.enum(['embedded', 'sip2']).default('embedded'),
  })
  .superRefine((env, ctx) => {
    if (env.WECHAT_AES_KEY_PREVIOUS && !env.WECHAT_AES_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['WECHAT_AES_KEY_PREVIOUS'],
        message: 'set WECHAT_AES_KEY too: the previous key only helps during a key change',
      });
    }
    if (env.WECHAT_REQUIRE_ENCRYPTION && !env.WECHAT_AES_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['WECHAT_REQUIRE_ENCRYPTION'],
        message: 'safe mode needs WECHAT_AES_KEY',
      });
    }
    const real = [env.WECHAT_APPID, env.WECHAT_SECRET, env.WECHAT_TOKEN].filter(Boolean).length;
    if (real > 0 && real < 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['WECHAT_APPID'],
        message: 'WECHAT_APPID, WECHAT_SECRET and WECHAT_TOKEN go together: set all three or none',
      });
    }
  });

type Env = z.infer<typeof schema>;

/** The credentials the built-in demo account uses when no real Official Account is configured. */
export const DEMO_WECHAT = Object.freeze({
  appid: 'wx0000000000demo0',
  secret: 'shulin-demo-secret',
  token: 'shulindemo',
  aesKey: 'ShulinDemoEncodingAESKey0123456789abcdefghi',
  originalId: 'gh_shulindemo',
});

export interface WeChatConfig {
  /** False when the demo account stands in for an unconfigured Official Account. */
  readonly configured: boolean;
  readonly appid: string;
  readonly secret: string;
  /** Current token first; the previous one is still accepted during a change. */
  readonly tokens: readonly string[];
  /** Current EncodingAESKey first, then the previous one. Empty: plaintext mode only. */
  readonly aesKeys: readonly string[];
  readonly originalId: string | undefined;
  readonly requireEncryption: boolean;
  readonly apiBase: string;
  readonly replyBudgetMs: number;
  readonly timestampWindowS: number;
  readonly maxBodyBytes: number;
  readonly dedupeTtlS: number;
}

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string | undefined;
  readonly database: { readonly url: string; readonly dialect: 'sqlite' | 'postgres' };
  readonly redisUrl: string | undefined;
  readonly demo: boolean;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly wechat: WeChatConfig;
  readonly ils: { readonly connector: Env['ILS_CONNECTOR'] };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses and validates the environment. Throws a `ConfigError` listing every
 * problem at once. Empty strings count as unset, as in most `.env` files.
 *
 * @example
 * const config = loadConfig({ PORT: '8080', DATABASE_URL: 'sqlite::memory:' });
 * config.port; // 8080
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  const env = parsed.data;
  const configured = Boolean(env.WECHAT_APPID);
  const wechat: WeChatConfig = {
    configured,
    appid: env.WECHAT_APPID ?? DEMO_WECHAT.appid,
    secret: env.WECHAT_SECRET ?? DEMO_WECHAT.secret,
    tokens: configured
      ? [env.WECHAT_TOKEN!, ...(env.WECHAT_TOKEN_PREVIOUS ? [env.WECHAT_TOKEN_PREVIOUS] : [])]
      : [DEMO_WECHAT.token],
    aesKeys: configured
      ? [env.WECHAT_AES_KEY, env.WECHAT_AES_KEY_PREVIOUS].filter((k): k is string => Boolean(k))
      : [env.WECHAT_AES_KEY ?? DEMO_WECHAT.aesKey],
    originalId: env.WECHAT_ORIGINAL_ID ?? (configured ? undefined : DEMO_WECHAT.originalId),
    requireEncryption: env.WECHAT_REQUIRE_ENCRYPTION,
    apiBase: env.WECHAT_API_BASE.replace(/\/+$/, ''),
    replyBudgetMs: env.WECHAT_REPLY_BUDGET_MS,
    timestampWindowS: env.WECHAT_TIMESTAMP_WINDOW_S,
    maxBodyBytes: env.WECHAT_MAX_BODY_BYTES,
    dedupeTtlS: env.WECHAT_DEDUPE_TTL_S,
  };
  return deepFreeze({
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicUrl: env.PUBLIC_URL,
    database: {
      url: env.DATABASE_URL,
      dialect: env.DATABASE_URL.startsWith('sqlite:') ? 'sqlite' : 'postgres',
    },
    redisUrl: env.REDIS_URL,
    demo: env.SHULIN_DEMO,
    logLevel: env.LOG_LEVEL,
    wechat,
    ils: { connector: env.ILS_CONNECTOR },
  });
}
