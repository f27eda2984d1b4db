import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, ApiError } from '../api.ts';
import { useI18n, useTitle } from '../i18n.tsx';
import { inWeChat, useSession } from '../session.tsx';
import { Loading, errorText } from '../ui.tsx';

/** Where to go after binding: a reader page path only. */
function nextOf(search: string): string {
  const next = new URLSearchParams(search).get('next') ?? '';
  return /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : '/account';
}

/**
 * Inside WeChat: binds the card to the reader's WeChat (`POST /me/binding`). Outside: signs
 * in with card and password for this browser only (`POST /auth/login`).
 */
export function BindPage() {
  const { t } = useI18n();
  const { identity, me, refresh } = useSession();
  const [, navigate] = useLocation();
  const search = useSearch();
  const [barcode, setBarcode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ text: string; locked: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const barcodeId = useId();
  const passwordId = useId();
  const errorId = useId();
  // A WeChat session binds; a browser session (or none) signs in.
  const binding = me?.inWeChat ?? inWeChat;
  useTitle(binding ? t('bind.title') : t('login.title'));

  if (identity.status === 'loading') return <Loading />;
  if (me?.bound) {
    return (
      <div className="weui-msg">
        <div className="weui-msg__text-area">
          <h1 className="weui-msg__title">
            {t('bind.already', { barcode: me.patron?.barcode ?? '' })}
          </h1>
        </div>
        <div className="weui-msg__opr-area">
          <Link href="/account" className="weui-btn weui-btn_primary">
            {t('account.title')}
          </Link>
        </div>
      </div>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!barcode.trim() || !password) {
      setError({ text: t('bind.missing'), locked: false });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api(binding ? '/me/binding' : '/auth/login', {
        method: 'POST',
        body: { barcode: barcode.trim(), password },
      });
      setPassword('');
      await refresh();
      navigate(nextOf(search));
    } catch (e) {
      const locked = e instanceof ApiError && e.code === 'BIND_LOCKED';
      setError({ text: errorText(e, t), locked });
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="bind-form" onSubmit={(e) => void submit(e)} noValidate>
      <header className="form-head">
        <h1>{binding ? t('bind.title') : t('login.title')}</h1>
        <p>{binding ? t('bind.intro') : t('login.intro')}</p>
      </header>
      <div className="weui-cells weui-cells_form">
        <div className={`weui-cell${error && !error.locked ? ' weui-cell_warn' : ''}`}>
          <div className="weui-cell__hd">
            <label className="weui-label" htmlFor={barcodeId}>
              {t('bind.barcode')}
            </label>
          </div>
          <div className="weui-cell__bd">
            <input
              id={barcodeId}
              className="weui-input"
              name="barcode"
              inputMode="numeric"
              autoComplete="username"
              placeholder={t('bind.barcodePlaceholder')}
              value={barcode}
              aria-invalid={error !== null && !error.locked}
              aria-describedby={error ? errorId : undefined}
              onChange={(e) => setBarcode(e.target.value)}
            />
          </div>
        </div>
        <div className={`weui-cell${error && !error.locked ? ' weui-cell_warn' : ''}`}>
          <div className="weui-cell__hd">
            <label className="weui-label" htmlFor={passwordId}>
              {t('bind.password')}
            </label>
          </div>
          <div className="weui-cell__bd">
            <input
              id={passwordId}
              className="weui-input"
              name="password"
              type="password"
              autoComplete="current-password"
              placeholder={t('bind.passwordPlaceholder')}
              value={password}
              aria-invalid={error !== null && !error.locked}
              aria-describedby={error ? errorId : undefined}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
        </div>
      </div>
      <p
        id={errorId}
        className={error?.locked ? 'form-error form-error_locked' : 'form-error'}
        role="alert"
      >
        {error?.text ?? ''}
      </p>
      <p className="hint">{t('bind.passwordHint')}</p>
      <div className="form-actions">
        <button
          type="submit"
          className="weui-btn weui-btn_primary"
          disabled={busy || error?.locked === true}
        >
          {binding ? t('bind.submit') : t('login.submit')}
        </button>
      </div>
      <p className="hint privacy">{binding ? t('bind.privacy') : t('login.privacy')}</p>
    </form>
  );
}
