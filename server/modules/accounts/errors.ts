import type { RefusalCode } from '../../ils/errors.ts';
import { IlsRefusal } from '../../ils/errors.ts';

/** The closed set of the accounts module's own reasons; each has an `accounts.` text. */
export const ACCOUNTS_ERROR_CODES = [
  'UNAUTHENTICATED',
  'NOT_BOUND',
  'NOT_IN_WECHAT',
  'REBIND_REQUIRED',
  'BIND_LOCKED',
  'OAUTH_STATE_INVALID',
  'OAUTH_CODE_INVALID',
  'OAUTH_SNAPSHOT_USER',
  'WECHAT_UNAVAILABLE',
  'INVALID_REQUEST',
  'FORBIDDEN_ORIGIN',
] as const;

export type AccountsErrorCode = (typeof ACCOUNTS_ERROR_CODES)[number];

/**
 * A reason the accounts module refuses, with the values its reader text needs
 * (BIND_LOCKED carries `minutes`).
 *
 * @example
 * throw new AccountsError('BIND_LOCKED', { minutes: 12 });
 */
export class AccountsError extends Error {
  constructor(
    readonly code: AccountsErrorCode,
    readonly params: Record<string, string | number> = {},
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'AccountsError';
  }
}

/**
 * The ILS refused the card and password during binding or sign-in; `attemptsLeft` says
 * how many tries remain before the lockout.
 */
export class BindRefusal extends IlsRefusal {
  constructor(
    code: RefusalCode,
    ilsMessage: string | null | undefined,
    readonly attemptsLeft: number,
  ) {
    super(code, ilsMessage);
    this.name = 'BindRefusal';
  }
}
