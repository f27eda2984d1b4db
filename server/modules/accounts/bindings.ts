import type { Logger } from 'pino';
import { IlsRefusal, IlsUnavailableError, type RefusalCode } from '../../ils/errors.ts';
import type { IlsConnector, PatronSummary } from '../../ils/types.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Kv } from '../../platform/kv/types.ts';
import type { WeChatApiClient } from '../../wechat/api/client.ts';
import type { QrCode } from '../../wechat/api/types.ts';
import type { AccountService, Reader } from './account.ts';
import { SealError, type PasswordSealer } from './crypto.ts';
import { AccountsError, BindRefusal } from './errors.ts';
import type { AccountsRepository, Binding } from './repository.ts';

export interface BindingServiceDeps {
  readonly repository: AccountsRepository;
  readonly connector: IlsConnector;
  readonly accounts: AccountService;
  readonly kv: Kv;
  readonly sealer: PasswordSealer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly wechatApi: Pick<WeChatApiClient, 'createQrCode'>;
  /** `config.accounts.bindMaxAttempts` */
  readonly maxAttempts: number;
  /** `config.accounts.bindLockoutMinutes` */
  readonly lockoutMinutes: number;
}

export interface BindResult {
  readonly binding: Binding;
  readonly patron: PatronSummary;
  /** The openid the card was bound to until now, when it moved here. */
  readonly movedFrom: string | null;
}

/** What a session knows about its reader (see sessions.ts). */
export interface SessionIdentity {
  readonly openid?: string;
  readonly barcode?: string;
  readonly passwordSealed?: string;
}

/** Wrong card number or password: these count towards the lockout. */
const GUESSES: ReadonlySet<RefusalCode> = new Set(['INVALID_CREDENTIALS', 'PATRON_NOT_FOUND']);

const BIND_SCENE = /^(?:qrscene_)?bind(?::([A-Za-z0-9_-]{1,59}))?$/;

/**
 * The desk a binding QR code was made for, from a subscribe (`qrscene_bind:desk-3`) or
 * SCAN (`bind:desk-3`) EventKey; null when the scene is not a binding scene.
 *
 * @example
 * parseBindScene('qrscene_bind:desk-3'); // { desk: 'desk-3' }
 * parseBindScene('bind');                // { desk: null }
 * parseBindScene('qrscene_event:42');    // null
 */
export function parseBindScene(eventKey: string): { desk: string | null } | null {
  const match = BIND_SCENE.exec(eventKey);
  return match ? { desk: match[1] ?? null } : null;
}

/**
 * Binding a WeChat reader (openid) to a library card, verified by the ILS, and the
 * lockout that keeps the binding form from becoming a password oracle: failures are
 * counted per openid and per card in kv, and a locked-out subject is refused before
 * the ILS is asked.
 */
export class BindingService {
  readonly #deps: BindingServiceDeps;

  constructor(deps: BindingServiceDeps) {
    this.#deps = deps;
  }

  bindingFor(openid: string): Promise<Binding | null> {
    return this.#deps.repository.bindingByOpenid(openid);
  }

  /**
   * Checks a card number and password with the ILS under the lockout rules. Each
   * attempt is counted before the ILS is asked, so guesses sent in parallel cannot
   * overrun the limit; a success clears the count.
   */
  async verify(
    barcode: string,
    password: string,
    who: { openid?: string } = {},
  ): Promise<PatronSummary> {
    const { connector, kv, maxAttempts, lockoutMinutes, logger } = this.#deps;
    if (!connector.capabilities.has('authenticate')) throw new IlsRefusal('NOT_SUPPORTED');
    const subjects = [`b:${barcode.trim().toUpperCase()}`];
    if (who.openid) subjects.push(`o:${who.openid}`);
    const windowMs = lockoutMinutes * 60_000;

    for (const subject of subjects) {
      const left = await kv.ttl(`accounts:bind-lock:${subject}`);
      if (left !== null) {
        throw new AccountsError('BIND_LOCKED', { minutes: Math.max(1, Math.ceil(left / 60_000)) });
      }
    }
    const counts = await Promise.all(
      subjects.map((subject) => kv.incr(`accounts:bind-fail:${subject}`, windowMs)),
    );
    const lock = async (): Promise<never> => {
      await Promise.all(
        subjects
          .filter((_, i) => (counts[i] ?? 0) >= maxAttempts)
          .map((subject) => kv.set(`accounts:bind-lock:${subject}`, '1', { ttlMs: windowMs })),
      );
      logger.info({ openid: who.openid }, 'card binding locked after failed attempts');
      throw new AccountsError('BIND_LOCKED', { minutes: lockoutMinutes });
    };
    const worst = Math.max(...counts);
    if (worst > maxAttempts) return lock();

    let patron: PatronSummary;
    try {
      patron = await connector.authenticate(barcode.trim(), password);
    } catch (error) {
      if (error instanceof IlsUnavailableError) {
        logger.warn(
          { err: error, operation: 'authenticate', connector: connector.name },
          'library system not answering',
        );
      }
      if (error instanceof IlsRefusal && GUESSES.has(error.code)) {
        if (worst >= maxAttempts) return lock();
        throw new BindRefusal(error.code, error.ilsMessage, maxAttempts - worst);
      }
      throw error;
    }
    await Promise.all(subjects.map((subject) => kv.del(`accounts:bind-fail:${subject}`)));
    return patron;
  }

  /**
   * Binds the card to the openid once the ILS accepts the password. One card per
   * openid (a second card replaces the first) and one openid per card (a card bound
   * elsewhere moves here, and the old binding and its history are deleted).
   *
   * @example
   * const { binding } = await bindings.bind({ openid, barcode: 'S2024001', password: '123456' });
   */
  async bind(input: {
    openid: string;
    barcode: string;
    password: string;
    locale?: string | null;
  }): Promise<BindResult> {
    const { connector, sealer, repository, accounts, clock, logger } = this.#deps;
    const patron = await this.verify(input.barcode, input.password, { openid: input.openid });
    const barcode = patron.barcode || input.barcode.trim();
    const saved = await repository.saveBinding({
      openid: input.openid,
      barcode,
      patronName: patron.name || null,
      passwordSealed: connector.needsPatronPassword ? sealer.seal(input.password, barcode) : null,
      locale: input.locale ?? null,
      now: clock.now(),
    });
    await accounts.invalidate(barcode);
    if (saved.replacedBarcode) await accounts.invalidate(saved.replacedBarcode);
    logger.info(
      {
        openid: input.openid,
        moved: saved.movedFrom !== null,
        replaced: saved.replacedBarcode !== null,
      },
      'card bound',
    );
    return { binding: saved.binding, patron, movedFrom: saved.movedFrom };
  }

  /**
   * Signs a reader in with card and password outside WeChat (no binding is made): the
   * verified card, and its password sealed when the ILS wants it on later calls, for
   * the session to keep.
   */
  async signIn(
    barcode: string,
    password: string,
    who: { openid?: string } = {},
  ): Promise<{ patron: PatronSummary; barcode: string; passwordSealed?: string }> {
    const patron = await this.verify(barcode, password, who);
    const card = patron.barcode || barcode.trim();
    return this.#deps.connector.needsPatronPassword
      ? { patron, barcode: card, passwordSealed: this.#deps.sealer.seal(password, card) }
      : { patron, barcode: card };
  }

  /** Remembers the reader's language on the binding (for pushes as well as pages). */
  async setLocale(openid: string, locale: string): Promise<void> {
    await this.#deps.repository.setLocale(openid, locale, this.#deps.clock.now());
  }

  /** Deletes the binding, its reading history and the cached account. False when unbound. */
  async unbind(openid: string): Promise<boolean> {
    const deleted = await this.#deps.repository.deleteBinding(openid);
    if (!deleted) return false;
    await this.#deps.accounts.invalidate(deleted.barcode);
    this.#deps.logger.info({ openid }, 'card unbound');
    return true;
  }

  /**
   * The reader a session stands for: the binding of its openid, else the card it signed
   * in with. Throws UNAUTHENTICATED, NOT_BOUND, or REBIND_REQUIRED when a kept password
   * no longer opens (the secret key changed).
   */
  async readerFor(session: SessionIdentity | null): Promise<Reader & { binding: Binding | null }> {
    if (!session || (!session.openid && !session.barcode)) {
      throw new AccountsError('UNAUTHENTICATED');
    }
    const binding = session.openid ? await this.bindingFor(session.openid) : null;
    if (binding) {
      return {
        barcode: binding.barcode,
        openid: binding.openid,
        historyOptIn: binding.historyOptIn,
        binding,
        ...this.#password(binding.passwordSealed, binding.barcode),
      };
    }
    if (session.barcode) {
      return {
        barcode: session.barcode,
        historyOptIn: false,
        binding: null,
        ...this.#password(session.passwordSealed ?? null, session.barcode),
      };
    }
    throw new AccountsError('NOT_BOUND');
  }

  #password(sealed: string | null, barcode: string): { password?: string } {
    if (sealed === null) return {};
    try {
      return { password: this.#deps.sealer.open(sealed, barcode) };
    } catch (error) {
      if (error instanceof SealError) throw new AccountsError('REBIND_REQUIRED');
      throw error;
    }
  }

  /**
   * A temporary parametric QR code that starts binding when scanned at a service desk:
   * WeChat sends `qrscene_bind:<desk>` on subscribe, `bind:<desk>` on SCAN.
   *
   * @example
   * const qr = await bindings.bindQrCode('desk-3'); // qr.imageUrl → showqrcode?ticket=…
   */
  bindQrCode(desk?: string, options: { expireSeconds?: number } = {}): Promise<QrCode> {
    if (desk !== undefined && !/^[A-Za-z0-9_-]{1,59}$/.test(desk)) {
      throw new RangeError('desk must be 1–59 letters, digits, _ or -');
    }
    return this.#deps.wechatApi.createQrCode({
      scene: desk ? `bind:${desk}` : 'bind',
      expireSeconds: options.expireSeconds ?? 600,
    });
  }
}
