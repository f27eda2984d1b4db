import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Locale } from '../../i18n/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Kv } from '../../platform/kv/types.ts';
import { ValueSigner } from './crypto.ts';

/** What a reader session remembers; nothing else about the reader lives in it. */
export interface SessionData {
  /** From WeChat OAuth: the reader's openid for this Official Account. */
  readonly openid?: string;
  /** From signing in with card and password outside WeChat. */
  readonly barcode?: string;
  /** The card password, sealed, when the ILS needs it (sign-in without a binding). */
  readonly passwordSealed?: string;
  /** The reader's language choice. */
  readonly locale?: Locale;
}

export interface Session {
  readonly id: string;
  readonly data: SessionData;
}

export const SESSION_COOKIE = 'shulin_reader';
const DAY_MS = 86_400_000;
// A session read more than this long after its last write is written again, sliding
// its expiry without a kv write on every request.
const TOUCH_AFTER_MS = 3_600_000;

/**
 * Reader sessions: a random id in an HttpOnly, SameSite=Lax cookie (Secure behind
 * https), HMAC-signed so a forged id is turned away before kv is asked; the data in
 * kv with a sliding expiry (7 days by default), so every instance sees the same session.
 */
export class ReaderSessions {
  readonly #kv: Kv;
  readonly #signer: ValueSigner;
  readonly #secure: boolean;
  readonly #ttlMs: number;
  readonly #clock: Clock;

  constructor(options: {
    kv: Kv;
    secret: string;
    /** True when the public URL is https. */
    secure: boolean;
    clock: Clock;
    ttlMs?: number;
  }) {
    this.#kv = options.kv;
    this.#signer = new ValueSigner(options.secret, 'accounts/session-cookie');
    this.#secure = options.secure;
    this.#ttlMs = options.ttlMs ?? 7 * DAY_MS;
    this.#clock = options.clock;
  }

  #key(id: string): string {
    return `accounts:session:${id}`;
  }

  #setCookie(c: Context, id: string): void {
    setCookie(c, SESSION_COOKIE, this.#signer.sign(id), {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: this.#secure,
      maxAge: Math.floor(this.#ttlMs / 1000),
    });
  }

  async #write(id: string, data: SessionData): Promise<void> {
    await this.#kv.set(this.#key(id), JSON.stringify({ data, touchedAt: this.#clock.now() }), {
      ttlMs: this.#ttlMs,
    });
  }

  /** The request's session, or null (no cookie, a forged or expired one). */
  async read(c: Context): Promise<Session | null> {
    const id = this.#signer.verify(getCookie(c, SESSION_COOKIE));
    if (!id) return null;
    const raw = await this.#kv.get(this.#key(id));
    if (!raw) return null;
    const stored = JSON.parse(raw) as { data: SessionData; touchedAt: number };
    if (this.#clock.now() - stored.touchedAt > TOUCH_AFTER_MS) {
      await this.#write(id, stored.data);
      this.#setCookie(c, id);
    }
    return { id, data: stored.data };
  }

  /**
   * Starts a new session under a new id (also on sign-in over an existing one, so an
   * id planted before the sign-in is worth nothing after it).
   */
  async create(c: Context, data: SessionData, replacing?: Session | null): Promise<Session> {
    if (replacing) await this.#kv.del(this.#key(replacing.id));
    const id = randomBytes(24).toString('base64url');
    await this.#write(id, data);
    this.#setCookie(c, id);
    return { id, data };
  }

  async update(c: Context, session: Session, data: SessionData): Promise<Session> {
    await this.#write(session.id, data);
    this.#setCookie(c, session.id);
    return { id: session.id, data };
  }

  async destroy(c: Context, session: Session | null): Promise<void> {
    if (session) await this.#kv.del(this.#key(session.id));
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: this.#secure });
  }
}
