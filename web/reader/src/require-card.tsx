import type { ReactNode } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useI18n } from './i18n.tsx';
import { enterThroughOauth, hasCard, inWeChat, useSession } from './session.tsx';
import type { Me } from './types.ts';
import { Loading } from './ui.tsx';

/**
 * Renders its children for a reader whose card the pages know; otherwise says what to do:
 * bind the card (inside WeChat), sign in (outside), or try WeChat's sign-in again.
 */
export function RequireCard(props: { children: (me: Me) => ReactNode }) {
  const { t } = useI18n();
  const { identity, me } = useSession();
  const [location] = useLocation();
  const search = useSearch();
  const next = encodeURIComponent(search ? `${location}?${search}` : location);
  if (identity.status === 'loading') return <Loading />;
  if (identity.status === 'guest' && identity.oauthFailed) {
    return (
      <div className="weui-msg">
        <div className="weui-msg__text-area">
          <h1 className="weui-msg__title">{t('identity.oauthFailed')}</h1>
          <p className="weui-msg__desc">{t('identity.oauthFailedHint')}</p>
        </div>
        <div className="weui-msg__opr-area">
          <button
            type="button"
            className="weui-btn weui-btn_primary"
            onClick={() => {
              try {
                sessionStorage.removeItem('shulin.oauth-at');
              } catch {
                // Nothing to clear.
              }
              enterThroughOauth();
            }}
          >
            {t('common.retry')}
          </button>
        </div>
      </div>
    );
  }
  if (me && hasCard(me)) return <>{props.children(me)}</>;
  return (
    <div className="weui-msg">
      <div className="weui-msg__text-area">
        <h1 className="weui-msg__title">
          {me || inWeChat ? t('identity.bindTitle') : t('identity.signInTitle')}
        </h1>
        <p className="weui-msg__desc">
          {me || inWeChat ? t('identity.bindHint') : t('identity.signInHint')}
        </p>
      </div>
      <div className="weui-msg__opr-area">
        <Link href={`/bind?next=${next}`} className="weui-btn weui-btn_primary">
          {me || inWeChat ? t('bind.submit') : t('login.submit')}
        </Link>
      </div>
    </div>
  );
}
