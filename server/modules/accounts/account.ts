import type { Logger } from 'pino';
import { IlsRefusal, IlsUnavailableError } from '../../ils/errors.ts';
import type {
  Branch,
  HoldOutcome,
  IlsCapability,
  IlsConnector,
  PatronAccount,
  PatronRef,
  PlaceHoldRequest,
  RenewOutcome,
} from '../../ils/types.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Kv } from '../../platform/kv/types.ts';
import type { HistoryService } from './history.ts';
import { withCatalogueTitles, type CatalogueTitles, type TitledEntry } from './titles.ts';

/** Who an account call is for: the card, its password when the ILS wants it, the binding. */
export interface Reader {
  readonly barcode: string;
  readonly password?: string;
  /** Set for readers bound through WeChat; the history belongs to the binding. */
  readonly openid?: string;
  readonly historyOptIn: boolean;
}

export interface AccountSnapshot {
  readonly account: PatronAccount;
  /** Milliseconds since the epoch, when the ILS answered. */
  readonly fetchedAt: number;
  /** True when the answer came from the short cache rather than the ILS. */
  readonly cached: boolean;
}

export interface AccountServiceDeps {
  readonly connector: IlsConnector;
  readonly kv: Kv;
  readonly history: HistoryService;
  /** Titles for the loans and holds the ILS named by identifier alone (SIP2). */
  readonly catalogue: CatalogueTitles;
  readonly logger: Logger;
  readonly clock: Clock;
  /** `config.accounts.accountCacheSeconds`; 0 turns the cache off. */
  readonly cacheSeconds: number;
}

interface Flight {
  stale: boolean;
  promise: Promise<AccountSnapshot> | null;
}

const PICKUP_CACHE_MS = 5 * 60_000;

/** The kv key of a card's cached account. */
export function accountCacheKey(barcode: string): string {
  return `accounts:account:${barcode}`;
}

function patronRef(reader: Reader): PatronRef {
  return reader.password === undefined
    ? { barcode: reader.barcode }
    : { barcode: reader.barcode, password: reader.password };
}

/**
 * The reader's account at the ILS, through the connector. Page loads share a short
 * cache per card (in kv, so every instance sees it) and, within a process, one ILS
 * call at a time per card; every action drops the cache so the next page shows it.
 * A connector without a capability is refused with NOT_SUPPORTED before it is called.
 * Loans and holds the ILS named by identifier alone get the catalogue's title (see
 * `titles.ts`) before the account is cached, shown or told in the chat.
 */
export class AccountService {
  readonly #deps: AccountServiceDeps;
  // One fetch per card at a time. An invalidation marks the running fetch stale: it
  // started before the action, so its answer must not go into the cache.
  readonly #inflight = new Map<string, Flight>();
  #pickup: Promise<Branch[]> | undefined;

  constructor(deps: AccountServiceDeps) {
    this.#deps = deps;
  }

  get capabilities(): ReadonlySet<IlsCapability> {
    return this.#deps.connector.capabilities;
  }

  /**
   * The account, from the cache when it is fresh.
   *
   * @example
   * const { account, cached } = await accounts.account({ barcode: 'S2024001', historyOptIn: false });
   */
  account(reader: Reader): Promise<AccountSnapshot> {
    // Joined before any await, so simultaneous page loads cannot each start a fetch.
    const pending = this.#inflight.get(reader.barcode);
    if (pending?.promise) return pending.promise;
    const flight: Flight = { stale: false, promise: null };
    flight.promise = this.#load(reader, flight).finally(() => {
      if (this.#inflight.get(reader.barcode) === flight) this.#inflight.delete(reader.barcode);
    });
    this.#inflight.set(reader.barcode, flight);
    return flight.promise;
  }

  async #load(reader: Reader, flight: Flight): Promise<AccountSnapshot> {
    this.#require('account');
    const { kv, cacheSeconds, connector, clock } = this.#deps;
    const key = accountCacheKey(reader.barcode);
    if (cacheSeconds > 0) {
      const hit = await kv.get(key);
      if (hit) {
        const stored = JSON.parse(hit) as { account: PatronAccount; fetchedAt: number };
        return { ...stored, cached: true };
      }
    }
    const account = await this.#titled(
      await this.#call('account', () => connector.account(patronRef(reader))),
    );
    const fetchedAt = clock.now();
    if (cacheSeconds > 0 && !flight.stale) {
      await kv.set(key, JSON.stringify({ account, fetchedAt }), { ttlMs: cacheSeconds * 1000 });
    }
    if (reader.openid && reader.historyOptIn) {
      // The history is a convenience: its failure must not cost the reader their loans.
      await this.#deps.history.record(reader.openid, account).catch((error: unknown) => {
        this.#deps.logger.error({ err: error }, 'reading history not recorded');
      });
    }
    return { account, fetchedAt, cached: false };
  }

  /** Renews the given items; one outcome per item, refusals included. */
  async renew(reader: Reader, itemBarcodes: readonly string[]): Promise<RenewOutcome[]> {
    this.#require('renew');
    return this.#titledRenewals(
      await this.#action(reader, 'renew', () =>
        this.#deps.connector.renew(patronRef(reader), itemBarcodes),
      ),
    );
  }

  async renewAll(reader: Reader): Promise<RenewOutcome[]> {
    this.#require('renewAll');
    return this.#titledRenewals(
      await this.#action(reader, 'renewAll', () =>
        this.#deps.connector.renewAll(patronRef(reader)),
      ),
    );
  }

  async placeHold(reader: Reader, request: PlaceHoldRequest): Promise<HoldOutcome> {
    this.#require('placeHold');
    return this.#titledHold(
      await this.#action(reader, 'placeHold', () =>
        this.#deps.connector.placeHold(patronRef(reader), request),
      ),
    );
  }

  async cancelHold(reader: Reader, holdId: string): Promise<HoldOutcome> {
    this.#require('cancelHold');
    return this.#titledHold(
      await this.#action(reader, 'cancelHold', () =>
        this.#deps.connector.cancelHold(patronRef(reader), holdId),
      ),
    );
  }

  /** The library's pickup locations, cached for five minutes (they change with the seasons). */
  async pickupLocations(): Promise<Branch[]> {
    this.#require('pickupLocations');
    const { kv } = this.#deps;
    const key = 'accounts:pickup-locations';
    const hit = await kv.get(key);
    if (hit) return JSON.parse(hit) as Branch[];
    this.#pickup ??= this.#call('pickupLocations', () => this.#deps.connector.pickupLocations())
      .then(async (branches) => {
        await kv.set(key, JSON.stringify(branches), { ttlMs: PICKUP_CACHE_MS });
        return branches;
      })
      .finally(() => {
        this.#pickup = undefined;
      });
    return this.#pickup;
  }

  /** Drops the card's cached account (after an action, an unbinding, a sign-out). */
  async invalidate(barcode: string): Promise<void> {
    const flight = this.#inflight.get(barcode);
    if (flight) flight.stale = true;
    this.#inflight.delete(barcode);
    await this.#deps.kv.del(accountCacheKey(barcode));
  }

  /**
   * The entries with the catalogue's titles (see titles.ts); as the ILS gave them when the
   * catalogue cannot be read: a convenience whose failure must not cost the reader anything.
   */
  async #lookUpTitles<L extends TitledEntry, H extends TitledEntry>(
    loans: readonly L[],
    holds: readonly H[],
  ): Promise<{ loans: readonly L[]; holds: readonly H[] }> {
    try {
      return await withCatalogueTitles(this.#deps.catalogue, loans, holds);
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'catalogue titles not looked up');
      return { loans, holds };
    }
  }

  async #titled(account: PatronAccount): Promise<PatronAccount> {
    const { loans, holds } = await this.#lookUpTitles(account.loans, account.holds);
    return { ...account, loans, holds };
  }

  /** Renewal outcomes with the catalogue's titles where the ILS gave only the barcode. */
  async #titledRenewals(outcomes: RenewOutcome[]): Promise<RenewOutcome[]> {
    const entries = outcomes.map((o) => ({
      id: o.itemBarcode,
      title: o.title ?? '',
      itemBarcode: o.itemBarcode,
      recordId: null,
    }));
    const { loans } = await this.#lookUpTitles(entries, []);
    return outcomes.map((o, i) => {
      const title = loans[i]!.title;
      return title !== (o.title ?? '') ? { ...o, title } : o;
    });
  }

  async #titledHold(outcome: HoldOutcome): Promise<HoldOutcome> {
    if (!outcome.ok) return outcome;
    const { holds } = await this.#lookUpTitles([], [outcome.hold]);
    return { ...outcome, hold: holds[0]! };
  }

  #require(capability: IlsCapability): void {
    if (!this.#deps.connector.capabilities.has(capability)) throw new IlsRefusal('NOT_SUPPORTED');
  }

  async #action<T>(reader: Reader, operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await this.#call(operation, run);
    } finally {
      // Even a failed or timed-out action may have changed the account.
      await this.invalidate(reader.barcode);
    }
  }

  async #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof IlsUnavailableError) {
        this.#deps.logger.warn(
          { err: error, operation, connector: this.#deps.connector.name },
          'library system not answering',
        );
      }
      throw error;
    }
  }
}
