import { randomBytes } from 'node:crypto';
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

    LIBRARY_TIMEZONE: z
      .string()
      .default('Asia/Shanghai')
      .refine((v) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: v });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Asia/Shanghai'),
    SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),

    SIMULATOR: bool.optional(),
    STAFF_API_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),

    ILS_CONNECTOR: z.enum(['embedded', 'sip2']).default('embedded'),
    SIP2_HOST: z.string().min(1).optional(),
    SIP2_PORT: int(1, 65535).default(6001),
    SIP2_TLS: bool.default(false),
    SIP2_TLS_CA: z.string().min(1).optional(),
    SIP2_USER: z.string().optional(),
    SIP2_PASSWORD: z.string().optional(),
    SIP2_LOCATION: z.string().optional(),
    SIP2_INSTITUTION: z.string().min(1).optional(),
    SIP2_CHARSET: z.enum(['utf-8', 'gbk', 'gb18030', 'latin1', 'ibm850']).default('utf-8'),
    SIP2_CHECKSUM: z.enum(['bytes', 'codepoints']).default('bytes'),
    SIP2_ERROR_DETECTION: bool.default(false),
    SIP2_TERMINATOR: z.enum(['cr', 'crlf']).default('cr'),
    SIP2_TIMEOUT_MS: int(100, 120_000).default(5000),
    SIP2_POOL_SIZE: int(1, 64).default(4),
    SIP2_SERVER_PORT: int(0, 65535).optional(),
    SIP2_SERVER_HOST: z.string().default('127.0.0.1'),
    SIP2_SERVER_USER: z.string().min(1).optional(),
    SIP2_SERVER_PASSWORD: z.string().min(1).optional(),

    BIND_MAX_ATTEMPTS: int(1, 100).default(5),
    BIND_LOCKOUT_MINUTES: int(1, 24 * 60).default(15),
    ECARD_SYMBOLOGY: z.enum(['code128', 'code39', 'qr']).default('code128'),
    ACCOUNT_CACHE_SECONDS: int(0, 3600).default(30),

    OAI_HARVEST_URL: z
      .url({ protocol: /^https?$/, error: 'must be the http(s) base URL of an OAI-PMH repository' })
      .optional(),
    OAI_HARVEST_PREFIX: z.string().min(1).optional(),
    OAI_HARVEST_SET: z.string().min(1).optional(),
    OAI_HARVEST_INTERVAL_MINUTES: int(5, 7 * 24 * 60).default(60),
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
    if (env.ILS_CONNECTOR === 'sip2') {
      for (const name of ['SIP2_HOST', 'SIP2_INSTITUTION'] as const) {
        if (!env[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'required when ILS_CONNECTOR=sip2',
          });
        }
      }
      if (!env.SECRET_KEY) {
        ctx.addIssue({
          code: 'custom',
          path: ['SECRET_KEY'],
          message: 'required when ILS_CONNECTOR=sip2: patron passwords are kept encrypted with it',
        });
      }
    }
    if (
      env.SIP2_SERVER_PORT !== undefined &&
      (!env.SIP2_SERVER_USER || !env.SIP2_SERVER_PASSWORD)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['SIP2_SERVER_USER'],
        message:
          'SIP2_SERVER_PORT needs SIP2_SERVER_USER and SIP2_SERVER_PASSWORD (the login 93 checks)',
      });
    }
    if (!env.OAI_HARVEST_URL) {
      for (const name of ['OAI_HARVEST_PREFIX', 'OAI_HARVEST_SET'] as const) {
        if (env[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'set OAI_HARVEST_URL too: it names the repository to harvest',
          });
        }
      }
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

/** Every environment variable Shulin reads (`.env.example` documents each). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(schema.shape));

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

export interface Sip2ClientConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** A PEM file with the CA that signed the ILS's certificate (else the system's CAs). */
  readonly tlsCa: string | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly location: string | undefined;
  readonly institution: string;
  readonly charset: 'utf-8' | 'gbk' | 'gb18030' | 'latin1' | 'ibm850';
  readonly checksum: 'bytes' | 'codepoints';
  readonly errorDetection: boolean;
  readonly terminator: 'cr' | 'crlf';
  readonly timeoutMs: number;
  readonly poolSize: number;
}

export interface IlsConfig {
  readonly connector: Env['ILS_CONNECTOR'];
  /** Present when `connector` is `sip2`. */
  readonly sip2: Sip2ClientConfig | undefined;
  /** The embedded ILS's own SIP2 server (ACS side), when a port is set. */
  readonly sip2Server:
    | {
        readonly host: string;
        readonly port: number;
        readonly user: string;
        readonly password: string;
      }
    | undefined;
}

export interface AccountsConfig {
  readonly bindMaxAttempts: number;
  readonly bindLockoutMinutes: number;
  readonly ecardSymbology: 'code128' | 'code39' | 'qr';
  readonly accountCacheSeconds: number;
}

/** The server's own OAI-PMH harvest (OAI_HARVEST_URL), as `shulin import oai` runs it. */
export interface OaiHarvestConfig {
  /** The repository's base URL. */
  readonly url: string;
  /** The metadata format (the CLI's --prefix); undefined: the MARCXML one offered. */
  readonly prefix: string | undefined;
  /** The set (the CLI's --set); undefined: the whole repository. */
  readonly set: string | undefined;
  readonly intervalMinutes: number;
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
  /** The library's time zone: opening hours, due dates and closed days are in it. */
  readonly timezone: string;
  readonly wechat: WeChatConfig;
  /**
   * Encrypts stored patron passwords and signs reader sessions. Without SECRET_KEY a
   * random key is made per process (sessions end at a restart); `fromConfig` tells.
   */
  readonly secret: { readonly key: string; readonly fromConfig: boolean };
  readonly ils: IlsConfig;
  readonly accounts: AccountsConfig;
  /**
   * `/simulator/`: unset serves it in demo mode only; on also with a real account (a
   * staff tool: it signs pushes with the real token); off never.
   */
  readonly simulator: boolean | undefined;
  /**
   * A bearer token for the staff REST API (`/api/v1/auto-replies` …) until the console's
   * staff sign-in exists; without it that API answers 403.
   */
  readonly staffApiToken: string | undefined;
  /** Present when OAI_HARVEST_URL is set: the server then harvests every interval. */
  readonly oaiHarvest: OaiHarvestConfig | undefined;
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
    timezone: env.LIBRARY_TIMEZONE,
    wechat,
    secret: {
      key: env.SECRET_KEY ?? randomBytes(32).toString('base64url'),
      fromConfig: Boolean(env.SECRET_KEY),
    },
    ils: {
      connector: env.ILS_CONNECTOR,
      sip2:
        env.ILS_CONNECTOR === 'sip2'
          ? {
              host: env.SIP2_HOST!,
              port: env.SIP2_PORT,
              tls: env.SIP2_TLS,
              tlsCa: env.SIP2_TLS_CA,
              user: env.SIP2_USER,
              password: env.SIP2_PASSWORD,
              location: env.SIP2_LOCATION,
              institution: env.SIP2_INSTITUTION!,
              charset: env.SIP2_CHARSET,
              checksum: env.SIP2_CHECKSUM,
              errorDetection: env.SIP2_ERROR_DETECTION,
              terminator: env.SIP2_TERMINATOR,
              timeoutMs: env.SIP2_TIMEOUT_MS,
              poolSize: env.SIP2_POOL_SIZE,
            }
          : undefined,
      sip2Server:
        env.SIP2_SERVER_PORT !== undefined
          ? {
              host: env.SIP2_SERVER_HOST,
              port: env.SIP2_SERVER_PORT,
              user: env.SIP2_SERVER_USER!,
              password: env.SIP2_SERVER_PASSWORD!,
            }
          : undefined,
    },
    simulator: env.SIMULATOR,
    staffApiToken: env.STAFF_API_TOKEN,
    accounts: {
      bindMaxAttempts: env.BIND_MAX_ATTEMPTS,
      bindLockoutMinutes: env.BIND_LOCKOUT_MINUTES,
      ecardSymbology: env.ECARD_SYMBOLOGY,
      accountCacheSeconds: env.ACCOUNT_CACHE_SECONDS,
    },
    oaiHarvest: env.OAI_HARVEST_URL
      ? {
          url: env.OAI_HARVEST_URL,
          prefix: env.OAI_HARVEST_PREFIX,
          set: env.OAI_HARVEST_SET,
          intervalMinutes: env.OAI_HARVEST_INTERVAL_MINUTES,
        }
      : undefined,
  });
}
