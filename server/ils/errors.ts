/**
 * The one closed set of reasons an ILS action is refused. Connectors map their ILS's
 * answers onto it (the embedded ILS produces them directly; SIP2 flags and screen
 * messages are mapped as well as the protocol allows), and readers see each as a
 * sentence from the locale files (`server/i18n/`), in zh-CN or English.
 */
export const REFUSAL_CODES = [
  // Patron and card
  'INVALID_CREDENTIALS',
  'PATRON_NOT_FOUND',
  'PATRON_BLOCKED',
  'CARD_EXPIRED',
  // Renewals
  'LOAN_NOT_FOUND',
  'RENEWAL_LIMIT_REACHED',
  'LOAN_NOT_RENEWABLE',
  'ITEM_HAS_HOLD_FOR_OTHER',
  'TOO_EARLY',
  'DUE_DATE_UNCHANGED',
  'PATRON_HAS_OVERDUES',
  'FINES_OVER_LIMIT',
  'ITEM_LOST',
  // Items and checkout
  'ITEM_NOT_FOUND',
  'ITEM_NOT_LOANABLE',
  'ITEM_ALREADY_CHECKED_OUT',
  'ITEM_NOT_CHECKED_OUT',
  'LOAN_LIMIT_REACHED',
  // Holds
  'HOLD_NOT_FOUND',
  'HOLD_ALREADY_PLACED',
  'HOLD_LIMIT_REACHED',
  'HOLD_NOT_ALLOWED',
  'ALREADY_ON_LOAN_TO_PATRON',
  'PICKUP_LOCATION_INVALID',
  'PICKUP_LOCATION_REQUIRED',
  // The connector or the ILS
  'NOT_SUPPORTED',
  'ILS_REFUSED',
  'ILS_UNAVAILABLE',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

export function isRefusalCode(value: unknown): value is RefusalCode {
  return typeof value === 'string' && (REFUSAL_CODES as readonly string[]).includes(value);
}

/**
 * The ILS said no, for a reason readers are told. Not a fault: nothing is logged as an
 * error and nothing is retried.
 *
 * @example
 * throw new IlsRefusal('INVALID_CREDENTIALS');
 */
export class IlsRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    /** The ILS's own words (a SIP2 screen message), if any. */
    readonly ilsMessage?: string | null,
  ) {
    super(ilsMessage ? `${code}: ${ilsMessage}` : code);
    this.name = 'IlsRefusal';
  }
}

/**
 * The ILS did not answer (down, timed out, the connection broke, a garbled reply).
 * Readers are told "the library system is not answering"; a log line says why.
 * Nothing was half done: a connector throws this only when it cannot know the
 * action happened, and actions are safe to repeat.
 */
export class IlsUnavailableError extends Error {
  readonly code = 'ILS_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IlsUnavailableError';
  }
}

/** A connector that cannot work as configured: thrown at start-up, the process stops. */
export class IlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IlsConfigError';
  }
}
