/**
 * Who is reading. Inside WeChat a page without a session goes through WeChat's OAuth
 * (`/api/v1/auth/wechat?next=<this page>`) and comes back to the same deep link; outside
 * WeChat the reader is a guest until they sign in with card and password.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { api, ApiError, setApiLocale } from './api.ts';
import { storedLocale, useI18n, type Locale } from './i18n.tsx';
import type { Me } from './types.ts';

export const inWeChat = /MicroMessenger/i.test(navigator.userAgent);

const OAUTH_MARK = 'shulin.oauth-at';
// A second trip through OAuth this soon means the cookie did not stick: stop, or loop.
const OAUTH_RETRY_MS = 60_000;

export type Identity =
  | { readonly status: 'loading' }
  | { readonly status: 'guest'; readonly oauthFailed: boolean }
  | { readonly status: 'signed-in'; readonly me: Me };

interface SessionApi {
  readonly identity: Identity;
  readonly me: Me | null;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
  changeLocale: (locale: Locale) => void;
}

const SessionContext = createContext<SessionApi | null>(null);

/** Sends the browser through WeChat's OAuth, back to this very page. */
export function enterThroughOauth(): boolean {
  try {
    const last = Number(sessionStorage.getItem(OAUTH_MARK) ?? 0);
    if (Date.now() - last < OAUTH_RETRY_MS) return false;
    sessionStorage.setItem(OAUTH_MARK, String(Date.now()));
  } catch {
    // Without sessionStorage the loop guard is gone; go once anyway.
  }
  const next = `${location.pathname}${location.search}`;
  location.replace(`/api/v1/auth/wechat?next=${encodeURIComponent(next)}`);
  return true;
}

export function SessionProvider(props: { children: ReactNode }) {
  const { locale, setLocale } = useI18n();
  const [identity, setIdentity] = useState<Identity>({ status: 'loading' });

  useEffect(() => setApiLocale(locale), [locale]);

  const refresh = useCallback(async () => {
    try {
      const me = await api<Me>('/me');
      setIdentity({ status: 'signed-in', me });
      // The reader's stored language follows them to a new phone; a choice made on this
      // device stays.
      if (!storedLocale() && me.locale !== locale) setLocale(me.locale);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        if (inWeChat && enterThroughOauth()) return;
        setIdentity({ status: 'guest', oauthFailed: inWeChat });
        return;
      }
      setIdentity({ status: 'guest', oauthFailed: false });
    }
    // Only the first answer decides the language; later refreshes keep what the reader chose.
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signOut = useCallback(async () => {
    await api('/auth/logout', { method: 'POST' });
    setIdentity({ status: 'guest', oauthFailed: false });
  }, []);

  const changeLocale = useCallback(
    (next: Locale) => {
      setLocale(next);
      setApiLocale(next);
      if (identity.status === 'signed-in') {
        api('/me/locale', { method: 'PUT', body: { locale: next } }).catch(() => {
          // Remembered on this device already; the server copy can wait for next time.
        });
      }
    },
    [identity.status, setLocale],
  );

  const value = useMemo<SessionApi>(
    () => ({
      identity,
      me: identity.status === 'signed-in' ? identity.me : null,
      refresh,
      signOut,
      changeLocale,
    }),
    [identity, refresh, signOut, changeLocale],
  );
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** A reader whose card the pages know: bound in WeChat, or signed in with card and password. */
export function hasCard(me: Me | null): boolean {
  return me !== null && me.patron !== null;
}
