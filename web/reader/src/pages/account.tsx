import { useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../api.ts';
import { useI18n, useTitle } from '../i18n.tsx';
import { branchName, formatDate, libraryHours } from '../library.ts';
import { RequireCard } from '../require-card.tsx';
import { useSession } from '../session.tsx';
import type { Account, HistoryPage, Hold, LibraryHours, Loan, Me, Renewals } from '../types.ts';
import { Dialog, ErrorMessage, Loading, errorText, useAsync, useToast } from '../ui.tsx';

type Outcome = { ok: true; text: string } | { ok: false; text: string };

function LoanRow(props: {
  loan: Loan;
  outcome: Outcome | undefined;
  busy: boolean;
  onRenew: () => void;
  library: LibraryHours | null;
}) {
  const { t, locale } = useI18n();
  const { loan, outcome } = props;
  const tz = props.library?.timezone;
  return (
    <li className="weui-cell loan" data-barcode={loan.itemBarcode}>
      <div className="weui-cell__bd">
        <h3 className="loan__title">{loan.title}</h3>
        <p className={loan.overdue ? 'loan__due loan__due_overdue' : 'loan__due'}>
          {loan.overdue
            ? t('loans.overdue', { date: formatDate(loan.dueAt, locale, tz) })
            : t('loans.due', { date: formatDate(loan.dueAt, locale, tz) })}
        </p>
        <p className="loan__meta">
          {[
            loan.callNumber,
            loan.branch ? branchName(props.library, loan.branch.code, locale) : null,
          ]
            .filter(Boolean)
            .join(' · ')}
          {loan.renewalsAllowed != null
            ? ` · ${t('loans.renewals', { used: loan.renewals ?? 0, allowed: loan.renewalsAllowed })}`
            : ''}
        </p>
        {outcome ? (
          <p
            className={outcome.ok ? 'outcome outcome_ok' : 'outcome outcome_refused'}
            role={outcome.ok ? 'status' : 'alert'}
          >
            {outcome.text}
          </p>
        ) : loan.renewable === false && loan.renewBlockedText ? (
          <p className="loan__blocked">{loan.renewBlockedText}</p>
        ) : null}
      </div>
      <div className="weui-cell__ft">
        <button
          type="button"
          className="weui-btn weui-btn_mini weui-btn_default"
          disabled={props.busy}
          aria-label={t('loans.renewOne', { title: loan.title })}
          onClick={props.onRenew}
        >
          {t('loans.renew')}
        </button>
      </div>
    </li>
  );
}

function Loans(props: { account: Account; library: LibraryHours | null; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [summary, setSummary] = useState<string | null>(null);
  const tz = props.library?.timezone;

  const apply = (answer: Renewals) => {
    const next: Record<string, Outcome> = {};
    for (const o of answer.outcomes) {
      next[o.itemBarcode] = o.ok
        ? { ok: true, text: t('loans.renewed', { date: formatDate(o.dueAt, locale, tz) }) }
        : {
            ok: false,
            text: o.ilsMessage && o.ilsMessage !== o.text ? `${o.text} (${o.ilsMessage})` : o.text,
          };
    }
    setOutcomes((current) => ({ ...current, ...next }));
    return next;
  };

  const renew = async (items: string[] | 'all') => {
    setBusy(true);
    setError(null);
    setSummary(null);
    try {
      const answer =
        items === 'all'
          ? await api<Renewals>('/me/renewals/all', { method: 'POST' })
          : await api<Renewals>('/me/renewals', { method: 'POST', body: { items } });
      apply(answer);
      if (items === 'all') {
        setSummary(t('loans.allSummary', { renewed: answer.renewed, refused: answer.refused }));
      }
      if (answer.renewed > 0) props.onChanged();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  const { loans } = props.account;
  return (
    <section aria-labelledby="loans-title" id="renew">
      <div className="weui-cells__title section-title">
        <h2 id="loans-title">{t('loans.title', { count: loans.length })}</h2>
        {loans.length > 1 ? (
          <button
            type="button"
            className="link-button"
            disabled={busy}
            onClick={() => void renew('all')}
          >
            {t('loans.renewAll')}
          </button>
        ) : null}
      </div>
      {summary ? (
        <p className="renew-summary" role="status">
          {summary}
        </p>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {loans.length === 0 ? (
        <p className="empty">{t('loans.none')}</p>
      ) : (
        <ul className="weui-cells loans">
          {loans.map((loan) => (
            <LoanRow
              key={loan.id}
              loan={loan}
              outcome={outcomes[loan.itemBarcode]}
              busy={busy}
              library={props.library}
              onRenew={() => void renew([loan.itemBarcode])}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function holdStatus(
  hold: Hold,
  t: ReturnType<typeof useI18n>['t'],
  date: (v?: string | null) => string,
) {
  if (hold.status === 'awaiting-pickup') {
    return hold.pickupBy ? t('holds.ready', { date: date(hold.pickupBy) }) : t('holds.readyNoDate');
  }
  if (hold.status === 'in-transit') return t('holds.inTransit');
  if (hold.queuePosition !== null) {
    return hold.queueLength
      ? t('holds.queueOf', { position: hold.queuePosition, length: hold.queueLength })
      : t('holds.queue', { position: hold.queuePosition });
  }
  return t('holds.waiting');
}

function Holds(props: {
  holds: readonly Hold[];
  library: LibraryHours | null;
  onChanged: () => void;
}) {
  const { t, locale } = useI18n();
  const [cancelling, setCancelling] = useState<Hold | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { show, toast } = useToast();
  const date = (v?: string | null) => formatDate(v, locale, props.library?.timezone);

  const cancel = async (hold: Hold) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/me/holds/${encodeURIComponent(hold.id)}`, { method: 'DELETE' });
      setCancelling(null);
      show(t('holds.cancelled'));
      props.onChanged();
    } catch (e) {
      setCancelling(null);
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="holds-title">
      <div className="weui-cells__title section-title">
        <h2 id="holds-title">{t('holds.title', { count: props.holds.length })}</h2>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {props.holds.length === 0 ? (
        <p className="empty">{t('holds.none')}</p>
      ) : (
        <ul className="weui-cells">
          {props.holds.map((hold) => (
            <li key={hold.id} className="weui-cell hold-row">
              <div className="weui-cell__bd">
                <h3 className="loan__title">{hold.title}</h3>
                <p
                  className={
                    hold.status === 'awaiting-pickup'
                      ? 'hold-row__status hold-row__status_ready'
                      : 'hold-row__status'
                  }
                >
                  {holdStatus(hold, t, date)}
                </p>
                {hold.pickupBranch ? (
                  <p className="loan__meta">
                    {t('holds.pickupAt', {
                      branch: branchName(props.library, hold.pickupBranch.code, locale),
                    })}
                  </p>
                ) : null}
              </div>
              <div className="weui-cell__ft">
                <button
                  type="button"
                  className="weui-btn weui-btn_mini weui-btn_default"
                  aria-label={t('holds.cancelOne', { title: hold.title })}
                  onClick={() => setCancelling(hold)}
                >
                  {t('holds.cancel')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {cancelling ? (
        <Dialog
          title={t('holds.cancelTitle')}
          onClose={() => setCancelling(null)}
          actions={[
            { label: t('common.keep'), onClick: () => setCancelling(null) },
            {
              label: t('holds.cancel'),
              primary: true,
              warn: true,
              disabled: busy,
              onClick: () => void cancel(cancelling),
            },
          ]}
        >
          {t('holds.cancelText', { title: cancelling.title })}
        </Dialog>
      ) : null}
      {toast}
    </section>
  );
}

function Fines(props: { account: Account }) {
  const { t, locale } = useI18n();
  const money = (amount: number) =>
    new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
      style: 'currency',
      currency: props.account.currency || 'CNY',
    }).format(amount);
  if (props.account.fines.length === 0) return null;
  return (
    <section aria-labelledby="fines-title">
      <div className="weui-cells__title section-title">
        <h2 id="fines-title">{t('fines.title', { total: money(props.account.finesTotal) })}</h2>
      </div>
      <ul className="weui-cells">
        {props.account.fines.map((fine) => (
          <li key={fine.id} className="weui-cell">
            <div className="weui-cell__bd">
              <p>{fine.title ?? fine.description ?? t('fines.other')}</p>
              {fine.title && fine.description ? (
                <p className="loan__meta">{fine.description}</p>
              ) : null}
            </div>
            <div className="weui-cell__ft fine-amount">{money(fine.amount)}</div>
          </li>
        ))}
      </ul>
      <p className="hint">{t('fines.payHint')}</p>
    </section>
  );
}

function HistorySwitch() {
  const { t } = useI18n();
  const [state, , setState] = useAsync<HistoryPage>(
    (signal) => api<HistoryPage>('/me/history?pageSize=5', { signal }),
    [],
  );
  const [error, setError] = useState<string | null>(null);
  if (state.state !== 'done') return null;
  const page = state.value;
  const toggle = async (enabled: boolean) => {
    setError(null);
    try {
      await api('/me/history', { method: 'PUT', body: { enabled } });
      setState({
        state: 'done',
        value: enabled
          ? await api<HistoryPage>('/me/history?pageSize=5')
          : { ...page, enabled: false, items: [], total: 0 },
      });
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  return (
    <section aria-labelledby="history-title">
      <div className="weui-cells__title section-title">
        <h2 id="history-title">{t('history.title')}</h2>
      </div>
      <div className="weui-cells weui-cells_form">
        <label className="weui-cell weui-cell_switch">
          <span className="weui-cell__bd">{t('history.switch')}</span>
          <span className="weui-cell__ft">
            <input
              className="weui-switch"
              type="checkbox"
              role="switch"
              checked={page.enabled}
              onChange={(e) => void toggle(e.target.checked)}
            />
          </span>
        </label>
      </div>
      <p className="hint">{t('history.hint')}</p>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {page.enabled && page.items.length > 0 ? (
        <ul className="weui-cells">
          {page.items.map((item) => (
            <li key={`${item.itemBarcode}-${item.loanedAt}`} className="weui-cell">
              <div className="weui-cell__bd">{item.title}</div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Leave(props: { me: Me }) {
  const { t } = useI18n();
  const { refresh, signOut } = useSession();
  const [, navigate] = useLocation();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const unbind = async () => {
    try {
      await api('/me/binding', { method: 'DELETE' });
      setConfirming(false);
      await refresh();
      navigate('/');
    } catch (e) {
      setConfirming(false);
      setError(errorText(e, t));
    }
  };
  return (
    <div className="leave">
      {props.me.bound ? (
        <button
          type="button"
          className="weui-btn weui-btn_warn"
          onClick={() => setConfirming(true)}
        >
          {t('account.unbind')}
        </button>
      ) : (
        <button
          type="button"
          className="weui-btn weui-btn_default"
          onClick={() => void signOut().then(() => navigate('/'))}
        >
          {t('account.signOut')}
        </button>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {confirming ? (
        <Dialog
          title={t('account.unbindTitle')}
          onClose={() => setConfirming(false)}
          actions={[
            { label: t('common.cancel'), onClick: () => setConfirming(false) },
            { label: t('account.unbind'), primary: true, warn: true, onClick: () => void unbind() },
          ]}
        >
          {t('account.unbindText')}
        </Dialog>
      ) : null}
    </div>
  );
}

function AccountBody(props: { me: Me }) {
  const { t } = useI18n();
  const [library, setLibrary] = useState<LibraryHours | null>(null);
  const [account, reload, setAccount] = useAsync<Account>(
    (signal) => api<Account>('/me/account', { signal }),
    [],
  );
  // After a renewal or a cancelled hold the page stays as it is while the new account comes.
  const refresh = () => {
    api<Account>('/me/account').then(
      (value) => setAccount({ state: 'done', value }),
      () => undefined,
    );
  };
  useEffect(() => {
    libraryHours().then(setLibrary, () => undefined);
  }, []);
  if (account.state === 'loading') return <Loading />;
  if (account.state === 'error') return <ErrorMessage error={account.error} onRetry={reload} />;
  const a = account.value;
  return (
    <>
      <header className="account-head">
        <h1>{a.patron.name}</h1>
        <p>{t('account.card', { barcode: a.patron.barcode })}</p>
        <Link href="/ecard" className="weui-btn weui-btn_mini weui-btn_primary">
          {t('account.ecard')}
        </Link>
      </header>
      {a.blocks.length > 0 || a.messages.length > 0 ? (
        <div className="notice" role="note">
          {a.blocks.map((b) => (
            <p key={b.code}>{b.message ?? t('account.blocked')}</p>
          ))}
          {a.messages.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      ) : null}
      <Loans account={a} library={library} onChanged={refresh} />
      <Holds holds={a.holds} library={library} onChanged={refresh} />
      <Fines account={a} />
      {props.me.bound ? <HistorySwitch /> : null}
      <nav aria-labelledby="more-services">
        <div className="weui-cells__title section-title">
          <h2 id="more-services">{t('account.more')}</h2>
        </div>
        <div className="weui-cells">
          <Link href="/recommend" className="weui-cell weui-cell_access">
            <span className="weui-cell__bd">{t('home.link.recommend')}</span>
            <span className="weui-cell__ft" aria-hidden="true" />
          </Link>
          <Link href="/feedback" className="weui-cell weui-cell_access">
            <span className="weui-cell__bd">{t('home.link.feedback')}</span>
            <span className="weui-cell__ft" aria-hidden="true" />
          </Link>
        </div>
      </nav>
      <Leave me={props.me} />
    </>
  );
}

export function AccountPage() {
  const { t } = useI18n();
  useTitle(t('account.title'));
  return <RequireCard>{(me) => <AccountBody me={me} />}</RequireCard>;
}
