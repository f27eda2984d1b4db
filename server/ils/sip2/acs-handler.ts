/**
 * The ACS side of SIP2 over any `IlsConnector`: what lets self-check machines, gates and
 * other software use the embedded ILS (`SIP2_SERVER_PORT`), and what the SIP2 connector's
 * contract tests talk to. Refusals travel as the reader's sentence in the screen message
 * (AF), in the language the SC asks for (019 Chinese, 001 English).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Locale } from '../../i18n/index.ts';
import { IlsRefusal, type RefusalCode } from '../errors.ts';
import { refusalText } from '../texts.ts';
import type { IlsConnector, PatronAccount, PatronBlock } from '../types.ts';
import {
  LANGUAGE,
  buildSupportedMessages,
  circulationStatusOf,
  feeTypeOf,
  type AcsStatusResponse,
  type CheckinResponse,
  type CirculationResponse,
  type HoldResponse,
  type ItemInformationResponse,
  type PatronInformationResponse,
  type PatronStatus,
  type PatronStatusResponse,
  type Sip2MessageName,
} from './messages.ts';
import type { Sip2AcsHandler } from './server.ts';

export interface ConnectorAcsOptions {
  readonly connector: IlsConnector;
  readonly institutionId: string;
  readonly libraryName?: string;
  readonly logger: Logger;
  readonly clock?: { now(): number };
  /** Screen messages when the SC does not name a language. Default zh-CN. */
  readonly locale?: Locale;
}

const localeOfLanguage = (language: string | undefined, fallback: Locale): Locale =>
  language === LANGUAGE.english ? 'en' : language === LANGUAGE.chinese ? 'zh-CN' : fallback;

const BLOCK_FLAGS: Record<PatronBlock['code'], ReadonlyArray<keyof PatronStatus>> = {
  MANUAL: ['chargePrivilegesDenied', 'renewalPrivilegesDenied', 'holdPrivilegesDenied'],
  CARD_EXPIRED: ['chargePrivilegesDenied', 'renewalPrivilegesDenied', 'holdPrivilegesDenied'],
  CARD_LOST: ['cardReportedLost', 'chargePrivilegesDenied'],
  TOO_MANY_OVERDUE: ['tooManyItemsOverdue'],
  FINES_OVER_LIMIT: ['excessiveOutstandingFines'],
  CHARGE_DENIED: ['chargePrivilegesDenied'],
  RENEWAL_DENIED: ['renewalPrivilegesDenied'],
  HOLD_DENIED: ['holdPrivilegesDenied'],
};

function statusOf(blocks: readonly PatronBlock[]): PatronStatus {
  const status: Partial<Record<keyof PatronStatus, boolean>> = {};
  for (const block of blocks) for (const flag of BLOCK_FLAGS[block.code]) status[flag] = true;
  return status;
}

/**
 * A `Sip2AcsHandler` answering from a connector.
 *
 * @example
 * const server = new Sip2Server({
 *   handler: connectorAcsHandler({ connector, institutionId: 'SHULIN', logger }),
 *   logger, timezone: 'Asia/Shanghai', port: 6001,
 * });
 */
export function connectorAcsHandler(options: ConnectorAcsOptions): Sip2AcsHandler {
  const { connector, institutionId } = options;
  const fallback = options.locale ?? 'zh-CN';
  const now = () => new Date(options.clock?.now() ?? Date.now());
  const can = (capability: Parameters<typeof connector.capabilities.has>[0]) =>
    connector.capabilities.has(capability);

  const supported: Sip2MessageName[] = [
    'patronStatus',
    'acsStatus',
    'login',
    'patronInformation',
    'endSession',
    'itemInformation',
  ];
  if (can('checkout')) supported.push('checkout');
  if (can('checkin')) supported.push('checkin');
  if (can('placeHold') || can('cancelHold')) supported.push('hold');
  if (can('renew')) supported.push('renew');
  if (can('renewAll')) supported.push('renewAll');

  // An SC sends the patron's password with every message; checking it costs a password
  // hash, so a right one is remembered for a few minutes (by its digest, never in clear).
  const verified = new Map<string, number>();
  const VERIFIED_MS = 5 * 60_000;
  const verifiedKey = (patronId: string, password: string) =>
    createHash('sha256').update(patronId).update('\0').update(password).digest('base64');

  /** Whether the password is the patron's: true, false, or null for an unknown patron. */
  async function passwordIsRight(patronId: string, password: string): Promise<boolean | null> {
    const key = verifiedKey(patronId, password);
    const until = verified.get(key);
    const at = now().getTime();
    if (until !== undefined && until > at) return true;
    try {
      await connector.authenticate(patronId, password);
    } catch (error) {
      if (!(error instanceof IlsRefusal)) throw error;
      if (error.code === 'PATRON_NOT_FOUND') return null;
      if (error.code === 'INVALID_CREDENTIALS') return false;
      throw error;
    }
    if (verified.size >= 10_000) verified.clear();
    verified.set(key, at + VERIFIED_MS);
    return true;
  }

  /**
   * Who the SC asks about: the account (null for an unknown patron), and whether the
   * password, if one was given, was right.
   */
  async function identify(
    patronId: string,
    password: string | undefined,
  ): Promise<{ account: PatronAccount | null; passwordOk: boolean | undefined }> {
    if (password !== undefined && password !== '') {
      const right = await passwordIsRight(patronId, password);
      if (right === null) return { account: null, passwordOk: false };
      return { account: await accountOf(patronId), passwordOk: right };
    }
    return { account: await accountOf(patronId), passwordOk: undefined };
  }

  /** A refusal when the SC sent a password and it is wrong; actions then do nothing. */
  async function wrongPassword(patronId: string, password: string | undefined) {
    if (password === undefined || password === '') return null;
    const right = await passwordIsRight(patronId, password);
    return right === true ? null : right === null ? 'PATRON_NOT_FOUND' : 'INVALID_CREDENTIALS';
  }

  async function accountOf(patronId: string): Promise<PatronAccount | null> {
    try {
      return await connector.account({ barcode: patronId });
    } catch (error) {
      if (error instanceof IlsRefusal && error.code === 'PATRON_NOT_FOUND') return null;
      throw error;
    }
  }

  const refusal = (locale: Locale, code: RefusalCode, message?: string | null) => [
    message && !code.startsWith('ILS_') ? message : refusalText(locale, code),
  ];

  const circulation = (
    fields: Omit<CirculationResponse, 'magneticMedia' | 'desensitize' | 'institutionId'>,
  ): CirculationResponse => ({
    magneticMedia: 'N',
    desensitize: fields.ok ? 'Y' : 'N',
    institutionId,
    transactionDate: now(),
    ...fields,
  });

  return {
    scStatus(): Promise<AcsStatusResponse> {
      return Promise.resolve({
        online: true,
        checkinOk: can('checkin'),
        checkoutOk: can('checkout'),
        renewalPolicy: can('renew'),
        statusUpdateOk: false,
        offlineOk: false,
        timeoutPeriod: 30,
        retriesAllowed: 3,
        dateTimeSync: now(),
        protocolVersion: '2.00',
        institutionId,
        ...(options.libraryName ? { libraryName: options.libraryName } : {}),
        supportedMessages: buildSupportedMessages(supported),
      });
    },

    async patronStatus(request): Promise<PatronStatusResponse> {
      const locale = localeOfLanguage(request.language, fallback);
      const { account, passwordOk } = await identify(request.patronId, request.patronPassword);
      const patron = account?.patron ?? null;
      return {
        patronStatus: statusOf(account?.blocks ?? []),
        language: request.language ?? LANGUAGE.chinese,
        transactionDate: now(),
        institutionId,
        patronId: request.patronId,
        personalName: patron?.name ?? '',
        validPatron: patron !== null,
        ...(passwordOk !== undefined ? { validPatronPassword: passwordOk } : {}),
        ...(account ? { currency: account.currency, feeAmount: account.finesTotal } : {}),
        ...(patron ? {} : { screenMessages: refusal(locale, 'PATRON_NOT_FOUND') }),
      };
    },

    async patronInformation(request): Promise<PatronInformationResponse> {
      const locale = localeOfLanguage(request.language, fallback);
      const identified = await identify(request.patronId, request.patronPassword);
      const { passwordOk } = identified;
      const patron = identified.account?.patron ?? null;
      const base = {
        language: request.language ?? LANGUAGE.chinese,
        transactionDate: now(),
        institutionId,
        patronId: request.patronId,
      };
      const account = passwordOk !== false ? identified.account : null;
      if (!patron || !account) {
        return {
          ...base,
          patronStatus: {},
          counts: {
            hold: 0,
            overdue: 0,
            charged: 0,
            fine: 0,
            recall: 0,
            unavailableHolds: 0,
          },
          personalName: patron?.name ?? '',
          validPatron: patron !== null,
          ...(passwordOk !== undefined ? { validPatronPassword: passwordOk } : {}),
          screenMessages: refusal(locale, patron ? 'INVALID_CREDENTIALS' : 'PATRON_NOT_FOUND'),
        };
      }
      const ready = account.holds.filter((h) => h.status === 'awaiting-pickup');
      const waiting = account.holds.filter((h) => h.status !== 'awaiting-pickup');
      const holdId = (h: PatronAccount['holds'][number]) =>
        h.status === 'awaiting-pickup' && h.itemBarcode ? h.itemBarcode : (h.recordId ?? h.id);
      const lists = {
        hold: ready.map(holdId),
        overdue: account.loans.filter((l) => l.overdue).map((l) => l.itemBarcode),
        charged: account.loans.map((l) => l.itemBarcode),
        fine: account.fines.map((f) =>
          `${f.id} ${f.amount.toFixed(2)} ${f.title ?? f.description ?? ''}`.trim(),
        ),
        recall: [] as string[],
        unavailableHolds: waiting.map(holdId),
      };
      // BP/BQ are 1-based and inclusive; without them, the whole list.
      const page = (list: string[]) =>
        list.slice(
          Math.max(0, (request.startItem ?? 1) - 1),
          request.endItem ? request.endItem : undefined,
        );
      const pick = request.summary;
      return {
        ...base,
        patronStatus: statusOf(account.blocks),
        counts: {
          hold: lists.hold.length,
          overdue: lists.overdue.length,
          charged: lists.charged.length,
          fine: lists.fine.length,
          recall: 0,
          unavailableHolds: lists.unavailableHolds.length,
        },
        personalName: account.patron.name,
        validPatron: true,
        ...(passwordOk !== undefined ? { validPatronPassword: passwordOk } : {}),
        currency: account.currency,
        feeAmount: account.finesTotal,
        ...(account.patron.email ? { email: account.patron.email } : {}),
        ...(pick === 'hold' ? { holdItems: page(lists.hold) } : {}),
        ...(pick === 'overdue' ? { overdueItems: page(lists.overdue) } : {}),
        ...(pick === 'charged' ? { chargedItems: page(lists.charged) } : {}),
        ...(pick === 'fine' ? { fineItems: page(lists.fine) } : {}),
        ...(pick === 'unavailableHolds'
          ? { unavailableHoldItems: page(lists.unavailableHolds) }
          : {}),
        ...(account.patron.expiresOn
          ? { extra: [['PA', account.patron.expiresOn.replaceAll('-', '')] as const] }
          : {}),
        ...(account.messages.length > 0 ? { screenMessages: [...account.messages] } : {}),
      };
    },

    async checkout(request): Promise<CirculationResponse> {
      const locale = fallback;
      const refused = await wrongPassword(request.patronId, request.patronPassword);
      if (refused) {
        return circulation({
          ok: false,
          renewalOk: false,
          patronId: request.patronId,
          itemId: request.itemId,
          titleId: '',
          dueDate: null,
          screenMessages: refusal(locale, refused),
        });
      }
      const outcome = await connector.checkout({ barcode: request.patronId }, request.itemId);
      const item = await connector.itemInfo(request.itemId);
      return outcome.ok
        ? circulation({
            ok: true,
            renewalOk: false,
            patronId: request.patronId,
            itemId: request.itemId,
            titleId: outcome.title ?? item?.title ?? '',
            dueDate: outcome.dueAt ? new Date(outcome.dueAt) : null,
            ...(outcome.message ? { screenMessages: [outcome.message] } : {}),
          })
        : circulation({
            ok: false,
            renewalOk: false,
            patronId: request.patronId,
            itemId: request.itemId,
            titleId: item?.title ?? '',
            dueDate: null,
            screenMessages: refusal(locale, outcome.code, outcome.message),
          });
    },

    async checkin(request): Promise<CheckinResponse> {
      const outcome = await connector.checkin(request.itemId, request.currentLocation || undefined);
      const item = await connector.itemInfo(request.itemId);
      const base = {
        resensitize: outcome.ok,
        magneticMedia: 'N' as const,
        transactionDate: now(),
        institutionId,
        itemId: request.itemId,
        permanentLocation: item?.branch?.code ?? item?.location ?? '',
        titleId: item?.title ?? '',
        ...(item?.callNumber ? { callNumber: item.callNumber } : {}),
      };
      if (!outcome.ok) {
        return {
          ...base,
          ok: false,
          alert: false,
          screenMessages: refusal(fallback, outcome.code, outcome.message),
        };
      }
      const hold = outcome.holdFor;
      return {
        ...base,
        ok: true,
        // Alert type 01: hold for a patron at this branch; 02: hold at another branch (in transit).
        alert: Boolean(hold),
        ...(hold
          ? {
              alertType: request.currentLocation === hold.pickupBranch.code ? '01' : '02',
              destinationLocation: hold.pickupBranch.code,
              holdPatronId: hold.patronBarcode,
            }
          : {}),
        ...(outcome.message ? { screenMessages: [outcome.message] } : {}),
      };
    },

    async renew(request): Promise<CirculationResponse> {
      const locale = fallback;
      const itemId = request.itemId ?? '';
      const refused = await wrongPassword(request.patronId, request.patronPassword);
      if (refused) {
        return circulation({
          ok: false,
          renewalOk: false,
          patronId: request.patronId,
          itemId,
          titleId: '',
          dueDate: null,
          screenMessages: refusal(locale, refused),
        });
      }
      const [outcome] = await connector.renew(
        {
          barcode: request.patronId,
          ...(request.patronPassword ? { password: request.patronPassword } : {}),
        },
        [itemId],
      );
      if (!outcome) throw new Error('the connector answered no outcome for a renewal');
      if (outcome.ok) {
        return circulation({
          ok: true,
          renewalOk: true,
          patronId: request.patronId,
          itemId,
          titleId: outcome.title ?? '',
          dueDate: new Date(outcome.dueAt),
        });
      }
      return circulation({
        ok: false,
        renewalOk: false,
        patronId: request.patronId,
        itemId,
        titleId: outcome.title ?? '',
        dueDate: outcome.dueAt ? new Date(outcome.dueAt) : null,
        screenMessages: refusal(
          locale,
          outcome.code,
          outcome.code === 'TOO_EARLY' && outcome.earliest
            ? refusalText(locale, 'TOO_EARLY', { earliest: outcome.earliest.slice(0, 10) })
            : outcome.message,
        ),
      });
    },

    async renewAll(request) {
      const refused = await wrongPassword(request.patronId, request.patronPassword);
      if (refused) {
        return {
          ok: false,
          renewedCount: 0,
          unrenewedCount: 0,
          transactionDate: now(),
          institutionId,
          screenMessages: refusal(fallback, refused),
        };
      }
      const outcomes = await connector.renewAll({
        barcode: request.patronId,
        ...(request.patronPassword ? { password: request.patronPassword } : {}),
      });
      const renewed = outcomes.filter((o) => o.ok).map((o) => o.itemBarcode);
      const unrenewed = outcomes.filter((o) => !o.ok).map((o) => o.itemBarcode);
      return {
        ok: true,
        renewedCount: renewed.length,
        unrenewedCount: unrenewed.length,
        transactionDate: now(),
        institutionId,
        renewedItems: renewed,
        unrenewedItems: unrenewed,
      };
    },

    async hold(request): Promise<HoldResponse> {
      const patron = {
        barcode: request.patronId,
        ...(request.patronPassword ? { password: request.patronPassword } : {}),
      };
      const base = {
        transactionDate: now(),
        institutionId,
        patronId: request.patronId,
        ...(request.itemId ? { itemId: request.itemId } : {}),
        ...(request.titleId ? { titleId: request.titleId } : {}),
      };
      const refused = await wrongPassword(request.patronId, request.patronPassword);
      if (refused) {
        return {
          ...base,
          ok: false,
          available: false,
          screenMessages: refusal(fallback, refused),
        };
      }
      if (request.mode === '+') {
        const outcome = await connector.placeHold(patron, {
          ...(request.itemId ? { itemBarcode: request.itemId } : {}),
          ...(request.titleId && !request.itemId ? { recordId: request.titleId } : {}),
          ...(request.pickupLocation ? { pickupBranch: request.pickupLocation } : {}),
        });
        if (!outcome.ok) {
          return {
            ...base,
            ok: false,
            available: false,
            screenMessages: refusal(fallback, outcome.code, outcome.message),
          };
        }
        const { hold } = outcome;
        return {
          ...base,
          ok: true,
          available: hold.status === 'awaiting-pickup',
          ...(hold.queuePosition !== null ? { queuePosition: hold.queuePosition } : {}),
          ...(hold.pickupBranch ? { pickupLocation: hold.pickupBranch.code } : {}),
          ...(hold.expiresAt ? { expirationDate: new Date(hold.expiresAt) } : {}),
          titleId: hold.title,
        };
      }
      if (request.mode === '-') {
        const account = await connector.account(patron);
        const target = account.holds.find(
          (h) =>
            (request.itemId &&
              (h.itemBarcode === request.itemId ||
                h.id === request.itemId ||
                h.recordId === request.itemId)) ||
            (request.titleId && (h.recordId === request.titleId || h.title === request.titleId)),
        );
        const outcome = target
          ? await connector.cancelHold(patron, target.id)
          : ({ ok: false, code: 'HOLD_NOT_FOUND' } as const);
        return outcome.ok
          ? { ...base, ok: true, available: false, titleId: outcome.hold.title }
          : {
              ...base,
              ok: false,
              available: false,
              screenMessages: refusal(fallback, outcome.code, outcome.message),
            };
      }
      return {
        ...base,
        ok: false,
        available: false,
        screenMessages: refusal(fallback, 'NOT_SUPPORTED'),
      };
    },

    async itemInformation(request): Promise<ItemInformationResponse> {
      const item = await connector.itemInfo(request.itemId);
      if (!item) {
        return {
          circulationStatus: '01',
          securityMarker: '00',
          feeType: feeTypeOf('other'),
          transactionDate: now(),
          itemId: request.itemId,
          titleId: '',
          screenMessages: refusal(fallback, 'ITEM_NOT_FOUND'),
        };
      }
      return {
        circulationStatus: circulationStatusOf(item.status),
        securityMarker: '02',
        feeType: feeTypeOf('other'),
        transactionDate: now(),
        ...(item.holdQueueLength != null ? { holdQueueLength: item.holdQueueLength } : {}),
        ...(item.dueAt ? { dueDate: new Date(item.dueAt) } : {}),
        itemId: item.barcode,
        titleId: item.title,
        mediaType: '001',
        ...(item.branch ? { permanentLocation: item.branch.code } : {}),
        ...(item.location ? { currentLocation: item.location } : {}),
        ...(item.callNumber ? { callNumber: item.callNumber } : {}),
      };
    },

    endSession(request) {
      return Promise.resolve({
        endSession: true,
        transactionDate: now(),
        institutionId,
        patronId: request.patronId,
      });
    },
  };
}
