import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { useI18n, useTitle, type MessageKey } from '../i18n.tsx';
import { libraryHours } from '../library.ts';
import { destinationOf, useScanner } from '../scan.tsx';
import { hasCard, useSession } from '../session.tsx';
import type { LibraryHours } from '../types.ts';
import { ErrorMessage } from '../ui.tsx';

export function TodayHours(props: { hours: LibraryHours }) {
  const { t, locale } = useI18n();
  return (
    <ul className="today-hours">
      {props.hours.branches.map((b) => {
        const today = b.days[0];
        const note = today ? (locale === 'en' ? (today.noteEn ?? today.note) : today.note) : null;
        return (
          <li key={b.code} className="weui-cell">
            <div className="weui-cell__bd">{locale === 'en' ? (b.nameEn ?? b.name) : b.name}</div>
            <div className="weui-cell__ft">
              {today?.open && today.opens && today.closes
                ? t('hours.range', { opens: today.opens, closes: today.closes })
                : t('hours.closed')}
              {note ? <span className="hours-note"> · {note}</span> : null}
              {b.openNow ? <span className="badge-open">{t('hours.openNow')}</span> : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

export function HomePage() {
  const { t } = useI18n();
  const { me } = useSession();
  const [, navigate] = useLocation();
  const [q, setQ] = useState('');
  const [hours, setHours] = useState<LibraryHours | null>(null);
  const [hoursError, setHoursError] = useState<unknown>(null);
  const inputId = useId();
  const { scan, sheet } = useScanner((text) => navigate(destinationOf(text)));
  useTitle(t('home.title'));

  useEffect(() => {
    libraryHours().then(setHours, setHoursError);
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };

  const links: readonly { href: string; label: MessageKey; icon: string }[] = [
    { href: '/account', label: 'home.link.account', icon: 'account' },
    { href: '/ecard', label: 'home.link.ecard', icon: 'ecard' },
    { href: '/new', label: 'home.link.new', icon: 'new' },
    { href: '/hours', label: 'home.link.hours', icon: 'hours' },
    { href: '/search', label: 'home.link.search', icon: 'search' },
    hasCard(me)
      ? { href: '/account', label: 'home.link.renew', icon: 'renew' }
      : { href: '/bind', label: me ? 'home.link.bind' : 'home.link.login', icon: 'bind' },
    { href: '/recommend', label: 'home.link.recommend', icon: 'recommend' },
    { href: '/feedback', label: 'home.link.feedback', icon: 'feedback' },
  ];

  return (
    <>
      <header className="home-head">
        <h1 className="home-head__title">{t('app.name')}</h1>
        <p className="home-head__sub">
          {me?.patron?.name ? t('home.hello', { name: me.patron.name }) : t('home.tagline')}
        </p>
      </header>
      <form
        className="weui-search-bar weui-search-bar_focusing search-form"
        role="search"
        onSubmit={submit}
      >
        <div className="weui-search-bar__form">
          <div className="weui-search-bar__box">
            <i className="weui-icon-search" aria-hidden="true" />
            <label htmlFor={inputId} className="visually-hidden">
              {t('search.label')}
            </label>
            <input
              id={inputId}
              type="search"
              enterKeyHint="search"
              className="weui-search-bar__input"
              placeholder={t('search.placeholder')}
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
          </div>
        </div>
        <button type="button" className="scan-button" onClick={scan} aria-label={t('scan.button')}>
          <span className="scan-icon" aria-hidden="true" />
          <span>{t('scan.short')}</span>
        </button>
      </form>

      <nav className="weui-grids quick-links" aria-label={t('home.links')}>
        {links.map((link) => (
          <Link key={link.label} href={link.href} className="weui-grid">
            <div
              className={`weui-grid__icon grid-icon grid-icon_${link.icon}`}
              aria-hidden="true"
            />
            <p className="weui-grid__label">{t(link.label)}</p>
          </Link>
        ))}
      </nav>

      <section aria-labelledby="today-hours">
        <div className="weui-cells__title section-title">
          <h2 id="today-hours">{t('home.todayHours')}</h2>
          <Link href="/hours">{t('home.allHours')}</Link>
        </div>
        <div className="weui-cells today-box">
          {hours ? (
            <TodayHours hours={hours} />
          ) : hoursError ? (
            <ErrorMessage error={hoursError} />
          ) : (
            <div className="skeleton-lines" aria-hidden="true" />
          )}
        </div>
      </section>
      {sheet}
    </>
  );
}
