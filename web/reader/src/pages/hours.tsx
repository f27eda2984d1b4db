import { useI18n, useTitle } from '../i18n.tsx';
import { formatDate, libraryHours } from '../library.ts';
import type { Holiday, LibraryHours } from '../types.ts';
import { ErrorMessage, Loading, useAsync } from '../ui.tsx';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

function HolidayRow(props: { holiday: Holiday; hours: LibraryHours }) {
  const { t, locale } = useI18n();
  const h = props.holiday;
  const date = (d: string) => formatDate(d, locale, props.hours.timezone);
  const note = (locale === 'en' ? (h.noteEn ?? h.note) : h.note) ?? t('hours.special');
  const where =
    h.branches === null
      ? t('hours.allBranches')
      : h.branches
          .map((code) => {
            const b = props.hours.branches.find((x) => x.code === code);
            return b ? (locale === 'en' ? (b.nameEn ?? b.name) : b.name) : code;
          })
          .join(locale === 'en' ? ', ' : '、');
  return (
    <li className="weui-cell">
      <div className="weui-cell__bd">
        <p>{note}</p>
        <p className="loan__meta">
          {h.from === h.to ? date(h.from) : t('hours.span', { from: date(h.from), to: date(h.to) })}{' '}
          · {where}
        </p>
      </div>
      <div className="weui-cell__ft">
        {h.closed
          ? t('hours.closed')
          : h.opens && h.closes
            ? t('hours.range', { opens: h.opens, closes: h.closes })
            : t('hours.special')}
      </div>
    </li>
  );
}

export function HoursPage() {
  const { t, locale } = useI18n();
  useTitle(t('hours.title'));
  const [hours, reload] = useAsync<LibraryHours>(() => libraryHours(), []);
  if (hours.state === 'loading') return <Loading />;
  if (hours.state === 'error') return <ErrorMessage error={hours.error} onRetry={reload} />;
  const info = hours.value;
  return (
    <>
      <header className="form-head">
        <h1>{t('hours.title')}</h1>
      </header>
      {info.branches.map((b) => (
        <section key={b.code} aria-labelledby={`branch-${b.code}`} className="branch-hours">
          <div className="weui-cells__title section-title">
            <h2 id={`branch-${b.code}`}>{locale === 'en' ? (b.nameEn ?? b.name) : b.name}</h2>
            <span className={b.openNow ? 'badge-open' : 'badge-closed'}>
              {b.openNow ? t('hours.openNow') : t('hours.closedNow')}
            </span>
          </div>
          {b.address ? <p className="branch-hours__address">{b.address}</p> : null}
          <table className="week">
            <caption className="visually-hidden">
              {t('hours.weekOf', { branch: locale === 'en' ? (b.nameEn ?? b.name) : b.name })}
            </caption>
            <tbody>
              {b.days.map((d) => {
                const note = locale === 'en' ? (d.noteEn ?? d.note) : d.note;
                return (
                  <tr
                    key={d.date}
                    className={d.date === info.today ? 'week__today' : undefined}
                    aria-current={d.date === info.today ? 'date' : undefined}
                  >
                    <th scope="row">
                      {t(`weekday.${WEEKDAYS[d.weekday] ?? 'sun'}`)}{' '}
                      <span className="week__date">
                        {formatDate(d.date, locale, info.timezone)}
                      </span>
                    </th>
                    <td>
                      {d.open && d.opens && d.closes
                        ? t('hours.range', { opens: d.opens, closes: d.closes })
                        : t('hours.closed')}
                      {note ? <span className="hours-note"> · {note}</span> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ))}
      <section aria-labelledby="holidays-title">
        <div className="weui-cells__title section-title">
          <h2 id="holidays-title">{t('hours.holidays')}</h2>
        </div>
        {info.holidays.length === 0 ? (
          <p className="empty">{t('hours.noHolidays')}</p>
        ) : (
          <ul className="weui-cells">
            {info.holidays.map((h) => (
              <HolidayRow
                key={`${h.from}-${h.note ?? ''}-${(h.branches ?? []).join()}`}
                holiday={h}
                hours={info}
              />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
