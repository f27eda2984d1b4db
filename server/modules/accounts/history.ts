import type { PatronAccount } from '../../ils/types.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AccountsRepository, HistoryEntry } from './repository.ts';

/**
 * Reading history, kept only for readers who opt in (DESIGN §8). It is built from what
 * the reader's own account pages show: a loan seen is recorded, a loan gone is marked
 * returned. Opting out deletes all of it.
 */
export class HistoryService {
  constructor(private readonly deps: { repository: AccountsRepository; clock: Clock }) {}

  /** Turns the history on or off (off deletes it); false when the openid has no binding. */
  setEnabled(openid: string, enabled: boolean): Promise<boolean> {
    return this.deps.repository.setHistoryOptIn(openid, enabled, this.deps.clock.now());
  }

  /** Records the loans of an account the reader just looked at. */
  record(openid: string, account: PatronAccount): Promise<void> {
    return this.deps.repository.recordLoans(
      openid,
      account.loans.map((loan) => {
        const loanedAt = loan.loanedAt ? Date.parse(loan.loanedAt) : NaN;
        return {
          itemBarcode: loan.itemBarcode,
          recordId: loan.recordId ?? null,
          title: loan.title,
          author: loan.author ?? null,
          loanedAt: Number.isFinite(loanedAt) ? loanedAt : null,
        };
      }),
      this.deps.clock.now(),
    );
  }

  list(
    openid: string,
    page: { offset: number; limit: number },
  ): Promise<{ total: number; entries: HistoryEntry[] }> {
    return this.deps.repository.history(openid, page);
  }
}
