/** The reader pages: language, identity, routes under `/m/`, the tab bar. */
import { lazy, Suspense } from 'react';
import type { ReactNode } from 'react';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import { I18nProvider, useI18n, type MessageKey } from './i18n.tsx';
import { AccountPage } from './pages/account.tsx';
import { BindPage } from './pages/bind.tsx';
import { HomePage } from './pages/home.tsx';
import { HoursPage } from './pages/hours.tsx';
import { NewArrivalsPage } from './pages/new-arrivals.tsx';
import { RecordPage } from './pages/record.tsx';
import { SearchPage } from './pages/search.tsx';
import { SessionProvider, useSession } from './session.tsx';
import { Loading } from './ui.tsx';

// The e-card is opened at a gate, not on the way in: it need not be in the first script.
const EcardPage = lazy(() => import('./pages/ecard.tsx'));
// Suggestions and feedback are occasional errands: they load when opened.
const RecommendPage = lazy(() => import('./pages/recommend.tsx'));
const FeedbackPage = lazy(() => import('./pages/feedback.tsx'));

const TABS: readonly { path: string; label: MessageKey; icon: string }[] = [
  { path: '/', label: 'tab.home', icon: 'home' },
  { path: '/search', label: 'tab.search', icon: 'search' },
  { path: '/hours', label: 'tab.hours', icon: 'hours' },
  { path: '/account', label: 'tab.account', icon: 'account' },
];

function TabBar() {
  const { t } = useI18n();
  const [location] = useLocation();
  const current = (path: string) =>
    path === '/' ? location === '/' : location === path || location.startsWith(`${path}/`);
  return (
    <nav className="weui-tabbar tabbar" aria-label={t('tab.label')}>
      {TABS.map((tab) => (
        <Link
          key={tab.path}
          href={tab.path}
          className={`weui-tabbar__item${current(tab.path) ? ' weui-bar__item_on' : ''}`}
          aria-current={current(tab.path) ? 'page' : undefined}
        >
          <span className={`tab-icon tab-icon_${tab.icon}`} aria-hidden="true" />
          <p className="weui-tabbar__label">{t(tab.label)}</p>
        </Link>
      ))}
    </nav>
  );
}

function LanguageSwitch() {
  const { t, locale } = useI18n();
  const { changeLocale } = useSession();
  return (
    <div className="language-switch" role="group" aria-label={t('language.label')}>
      <button
        type="button"
        lang="zh-CN"
        aria-pressed={locale === 'zh-CN'}
        onClick={() => changeLocale('zh-CN')}
      >
        中文
      </button>
      <span aria-hidden="true">|</span>
      <button
        type="button"
        lang="en"
        aria-pressed={locale === 'en'}
        onClick={() => changeLocale('en')}
      >
        English
      </button>
    </div>
  );
}

function Shell(props: { children: ReactNode }) {
  const { t } = useI18n();
  const { identity } = useSession();
  return (
    <>
      <main className="page" aria-busy={identity.status === 'loading'}>
        {props.children}
        <footer className="weui-footer page-footer">
          <LanguageSwitch />
          <p className="weui-footer__text">{t('app.footer')}</p>
        </footer>
      </main>
      <TabBar />
    </>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="weui-msg">
      <div className="weui-msg__text-area">
        <h1 className="weui-msg__title">{t('error.pageNotFound')}</h1>
        <p className="weui-msg__desc">
          <Link href="/">{t('common.backHome')}</Link>
        </p>
      </div>
    </div>
  );
}

function Routes() {
  return (
    <Shell>
      <Switch>
        <Route path="/" component={HomePage} />
        <Route path="/search">
          <SearchPage />
        </Route>
        <Route path="/records/:id">{(params) => <RecordPage id={params.id} />}</Route>
        <Route path="/isbn/:isbn">{(params) => <SearchPage initialQuery={params.isbn} />}</Route>
        <Route path="/new" component={NewArrivalsPage} />
        <Route path="/hours" component={HoursPage} />
        <Route path="/account" component={AccountPage} />
        <Route path="/bind" component={BindPage} />
        <Route path="/login" component={BindPage} />
        <Route path="/ecard">
          <Suspense fallback={<Loading />}>
            <EcardPage />
          </Suspense>
        </Route>
        <Route path="/recommend">
          <Suspense fallback={<Loading />}>
            <RecommendPage />
          </Suspense>
        </Route>
        <Route path="/feedback">
          <Suspense fallback={<Loading />}>
            <FeedbackPage />
          </Suspense>
        </Route>
        <Route component={NotFound} />
      </Switch>
    </Shell>
  );
}

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Router base="/m">
          <Routes />
        </Router>
      </SessionProvider>
    </I18nProvider>
  );
}
