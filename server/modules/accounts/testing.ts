/**
 * A small in-memory ILS for tests of the accounts module and of whatever builds on it
 * (chat intents, pages): a couple of patrons with loans and holds, calls counted, and
 * switches to make it refuse, fail (ILS down) or hold its answers until released.
 */
import { IlsRefusal, IlsUnavailableError } from '../../ils/errors.ts';
import type {
  Branch,
  CirculationOutcome,
  Hold,
  HoldOutcome,
  IlsCapability,
  IlsConnector,
  IlsHealth,
  ItemInfo,
  Loan,
  PatronAccount,
  PatronRef,
  PatronSummary,
  PlaceHoldRequest,
  RenewOutcome,
} from '../../ils/types.ts';

export interface MemoryPatron {
  readonly barcode: string;
  readonly password: string;
  readonly name: string;
  loans: Loan[];
  holds: Hold[];
}

export const ALL_CAPABILITIES: readonly IlsCapability[] = [
  'authenticate',
  'account',
  'renew',
  'renewAll',
  'placeHold',
  'cancelHold',
  'itemInfo',
  'pickupLocations',
  'checkout',
  'checkin',
];

const BRANCHES: Branch[] = [
  { code: 'MAIN', name: '总馆', nameEn: 'Main Library' },
  { code: 'EAST', name: '东区分馆', nameEn: 'East Campus Library' },
];

/** Two readers: 张三 (S2024001, two loans, one hold) and 李四 (T1002, nothing out). */
export function samplePatrons(): MemoryPatron[] {
  return [
    {
      barcode: 'S2024001',
      password: 'zhang-pass',
      name: '张三',
      loans: [
        {
          id: 'L1',
          itemBarcode: '31001',
          title: '三体',
          author: '刘慈欣',
          recordId: 'R1',
          loanedAt: '2026-03-01T02:00:00.000Z',
          dueAt: '2026-04-01T15:59:00.000Z',
          overdue: false,
          renewals: 0,
          renewalsAllowed: 2,
          renewable: true,
        },
        {
          id: 'L2',
          itemBarcode: '31002',
          title: '红楼梦',
          author: '曹雪芹',
          recordId: 'R2',
          loanedAt: '2026-03-05T02:00:00.000Z',
          dueAt: '2026-04-05T15:59:00.000Z',
          overdue: false,
          renewals: 2,
          renewalsAllowed: 2,
          renewable: false,
          renewBlockedBy: 'RENEWAL_LIMIT_REACHED',
        },
      ],
      holds: [
        {
          id: 'H1',
          recordId: 'R9',
          title: '活着',
          status: 'not-yet-filled',
          queuePosition: 2,
          pickupBranch: BRANCHES[0]!,
        },
      ],
    },
    { barcode: 'T1002', password: 'li-pass', name: '李四', loans: [], holds: [] },
  ];
}

type Method = keyof Omit<IlsConnector, 'name' | 'capabilities' | 'needsPatronPassword'>;

/**
 * The in-memory connector. `calls` counts every method call; `failing` makes every
 * call throw IlsUnavailableError; `hold()` makes calls wait until `release()`.
 *
 * @example
 * const ils = new MemoryIlsConnector();
 * ils.failing = true; // the ILS is down
 */
export class MemoryIlsConnector implements IlsConnector {
  readonly name = 'memory';
  readonly capabilities: ReadonlySet<IlsCapability>;
  readonly needsPatronPassword: boolean;
  readonly patrons: MemoryPatron[];
  readonly calls: Record<Method, number> = {
    authenticate: 0,
    account: 0,
    renew: 0,
    renewAll: 0,
    placeHold: 0,
    cancelHold: 0,
    itemInfo: 0,
    pickupLocations: 0,
    checkout: 0,
    checkin: 0,
    health: 0,
    close: 0,
  };
  /** The passwords later calls carried (to check they reach the ILS when needed). */
  readonly passwordsSeen: (string | undefined)[] = [];
  failing = false;
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;
  #seq = 0;

  constructor(
    options: {
      patrons?: MemoryPatron[];
      capabilities?: readonly IlsCapability[];
      needsPatronPassword?: boolean;
    } = {},
  ) {
    this.patrons = options.patrons ?? samplePatrons();
    this.capabilities = new Set(options.capabilities ?? ALL_CAPABILITIES);
    this.needsPatronPassword = options.needsPatronPassword ?? false;
  }

  /** Calls from now on wait until `release()`. */
  hold(): void {
    this.#gate ??= new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open?.();
    this.#gate = null;
    this.#open = null;
  }

  async #enter(method: Method): Promise<void> {
    this.calls[method] += 1;
    if (this.#gate) await this.#gate;
    if (this.failing) {
      throw new IlsUnavailableError('memory ILS switched off', {
        cause: new Error('connect ECONNREFUSED 127.0.0.1:6001'),
      });
    }
  }

  #patron(ref: PatronRef): MemoryPatron {
    this.passwordsSeen.push(ref.password);
    const patron = this.patrons.find((p) => p.barcode === ref.barcode);
    if (!patron) throw new IlsRefusal('PATRON_NOT_FOUND');
    if (this.needsPatronPassword && ref.password !== patron.password) {
      throw new IlsRefusal('INVALID_CREDENTIALS');
    }
    return patron;
  }

  async authenticate(barcode: string, password: string): Promise<PatronSummary> {
    await this.#enter('authenticate');
    const patron = this.patrons.find((p) => p.barcode.toUpperCase() === barcode.toUpperCase());
    if (!patron) throw new IlsRefusal('PATRON_NOT_FOUND');
    if (patron.password !== password) throw new IlsRefusal('INVALID_CREDENTIALS');
    return { barcode: patron.barcode, name: patron.name, patronType: '学生' };
  }

  async account(ref: PatronRef): Promise<PatronAccount> {
    await this.#enter('account');
    const patron = this.#patron(ref);
    return {
      patron: { barcode: patron.barcode, name: patron.name },
      loans: patron.loans.map((loan) => ({ ...loan })),
      holds: patron.holds.map((hold) => ({ ...hold })),
      fines: [],
      finesTotal: 0,
      currency: 'CNY',
      blocks: [],
      messages: [],
    };
  }

  #renewOne(patron: MemoryPatron, itemBarcode: string): RenewOutcome {
    const index = patron.loans.findIndex((l) => l.itemBarcode === itemBarcode);
    const loan = patron.loans[index];
    if (!loan) return { ok: false, itemBarcode, code: 'LOAN_NOT_FOUND' };
    if (loan.renewBlockedBy || loan.renewable === false) {
      return {
        ok: false,
        itemBarcode,
        title: loan.title,
        code: loan.renewBlockedBy ?? 'LOAN_NOT_RENEWABLE',
      };
    }
    const dueAt = new Date(Date.parse(loan.dueAt) + 30 * 86_400_000).toISOString();
    const renewals = (loan.renewals ?? 0) + 1;
    patron.loans[index] = { ...loan, dueAt, renewals };
    return { ok: true, itemBarcode, title: loan.title, dueAt, renewals };
  }

  async renew(ref: PatronRef, itemBarcodes: readonly string[]): Promise<RenewOutcome[]> {
    await this.#enter('renew');
    const patron = this.#patron(ref);
    return itemBarcodes.map((barcode) => this.#renewOne(patron, barcode));
  }

  async renewAll(ref: PatronRef): Promise<RenewOutcome[]> {
    await this.#enter('renewAll');
    const patron = this.#patron(ref);
    return patron.loans.map((loan) => this.#renewOne(patron, loan.itemBarcode));
  }

  async placeHold(ref: PatronRef, request: PlaceHoldRequest): Promise<HoldOutcome> {
    await this.#enter('placeHold');
    const patron = this.#patron(ref);
    if (request.pickupBranch && !BRANCHES.some((b) => b.code === request.pickupBranch)) {
      return { ok: false, code: 'PICKUP_LOCATION_INVALID' };
    }
    if (patron.holds.some((h) => h.recordId === request.recordId && request.recordId)) {
      return { ok: false, code: 'HOLD_ALREADY_PLACED' };
    }
    const hold: Hold = {
      id: `H${(this.#seq += 1) + 100}`,
      recordId: request.recordId ?? null,
      itemBarcode: request.itemBarcode ?? null,
      title: `Record ${request.recordId ?? request.itemBarcode}`,
      status: 'not-yet-filled',
      queuePosition: 1,
      pickupBranch: BRANCHES.find((b) => b.code === request.pickupBranch) ?? BRANCHES[0]!,
    };
    patron.holds.push(hold);
    return { ok: true, hold };
  }

  async cancelHold(ref: PatronRef, holdId: string): Promise<HoldOutcome> {
    await this.#enter('cancelHold');
    const patron = this.#patron(ref);
    const hold = patron.holds.find((h) => h.id === holdId);
    if (!hold) return { ok: false, code: 'HOLD_NOT_FOUND' };
    patron.holds = patron.holds.filter((h) => h !== hold);
    return { ok: true, hold };
  }

  async itemInfo(barcode: string): Promise<ItemInfo | null> {
    await this.#enter('itemInfo');
    for (const patron of this.patrons) {
      const loan = patron.loans.find((l) => l.itemBarcode === barcode);
      if (loan) return { barcode, title: loan.title, status: 'checked-out', dueAt: loan.dueAt };
    }
    return null;
  }

  async pickupLocations(): Promise<Branch[]> {
    await this.#enter('pickupLocations');
    return BRANCHES.map((b) => ({ ...b }));
  }

  async checkout(_ref: PatronRef, itemBarcode: string): Promise<CirculationOutcome> {
    await this.#enter('checkout');
    return { ok: false, code: 'ITEM_NOT_FOUND', message: `no item ${itemBarcode}` };
  }

  async checkin(itemBarcode: string): Promise<CirculationOutcome> {
    await this.#enter('checkin');
    return { ok: false, code: 'ITEM_NOT_CHECKED_OUT', message: `not out: ${itemBarcode}` };
  }

  async health(): Promise<IlsHealth> {
    await this.#enter('health');
    return { ok: true, connector: this.name };
  }

  async close(): Promise<void> {
    this.calls.close += 1;
    return Promise.resolve();
  }
}
