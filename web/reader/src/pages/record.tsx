import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api.ts';
import { facetLabel } from '../facets.ts';
import { useI18n, useTitle, type MessageKey } from '../i18n.tsx';
import { branchName, libraryHours } from '../library.ts';
import { hasCard, inWeChat, useSession } from '../session.tsx';
import type {
  BranchRef,
  Hold,
  HoldPlacedAnswer,
  Item,
  LibraryHours,
  PickupLocationsAnswer,
  RecordView,
} from '../types.ts';
import { Dialog, ErrorMessage, Loading, errorText, useAsync, useToast } from '../ui.tsx';

const STATUSES = [
  'available',
  'checked-out',
  'on-hold-shelf',
  'in-transit',
  'on-order',
  'in-process',
  'awaiting-reshelving',
  'claimed-returned',
  'lost',
  'missing',
  'not-for-loan',
  'withdrawn',
  'damaged',
];

export function statusText(status: string, t: (key: MessageKey) => string): string {
  return STATUSES.includes(status) ? t(`status.${status}` as MessageKey) : t('status.unknown');
}

function ItemsByBranch(props: { items: readonly Item[]; library: LibraryHours | null }) {
  const { t, locale } = useI18n();
  const groups = new Map<string, Item[]>();
  for (const item of props.items) {
    const key = item.branch ?? '';
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return (
    <>
      {[...groups].map(([branch, items]) => (
        <section
          key={branch}
          aria-label={branchName(props.library, branch, locale) || t('record.noBranch')}
        >
          <div className="weui-cells__title">
            {branchName(props.library, branch, locale) || t('record.noBranch')}
          </div>
          <ul className="weui-cells items">
            {items.map((item) => (
              <li key={item.barcode} className="weui-cell item">
                <div className="weui-cell__bd">
                  <p className="item__call">
                    {item.callNumber ?? ''}
                    {item.volume ? ` ${item.volume}` : ''}
                  </p>
                  <p className="item__where">{item.location ?? ''}</p>
                </div>
                <div className={`weui-cell__ft item__status item__status_${item.status}`}>
                  {statusText(item.status, t)}
                </div>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}

function HoldButton(props: { record: RecordView; library: LibraryHours | null }) {
  const { t, locale } = useI18n();
  const { me, identity } = useSession();
  const [pickups, setPickups] = useState<readonly BranchRef[] | null>(null);
  const [choice, setChoice] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [placed, setPlaced] = useState<Hold | null>(null);
  const { show, toast } = useToast();

  const place = async (pickupBranch?: string) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api<HoldPlacedAnswer>('/me/holds', {
        method: 'POST',
        body: { recordId: props.record.controlNumber, ...(pickupBranch ? { pickupBranch } : {}) },
      });
      setPlaced(answer.hold);
      setPickups(null);
      show(t('hold.placed'));
    } catch (e) {
      setError(errorText(e, t));
      setPickups(null);
    } finally {
      setBusy(false);
    }
  };

  const start = async () => {
    setError(null);
    try {
      const { locations } = await api<PickupLocationsAnswer>('/pickup-locations');
      if (locations.length > 1) {
        setChoice(locations[0]?.code ?? '');
        setPickups(locations);
      } else await place(locations[0]?.code);
    } catch (e) {
      setError(errorText(e, t));
    }
  };

  if (identity.status === 'loading') return null;
  if (!hasCard(me)) {
    const here = `/records/${props.record.id}`;
    return (
      <p className="hold-hint">
        <Link href={`/bind?next=${encodeURIComponent(here)}`} className="weui-btn weui-btn_default">
          {me || inWeChat ? t('hold.bindFirst') : t('hold.signInFirst')}
        </Link>
      </p>
    );
  }
  return (
    <div className="hold">
      {placed ? (
        <p className="hold__done" role="status">
          {t('hold.placedAt', {
            branch: placed.pickupBranch
              ? branchName(props.library, placed.pickupBranch.code, locale)
              : '',
          })}
          {placed.queuePosition ? ` ${t('hold.queue', { position: placed.queuePosition })}` : ''}
        </p>
      ) : (
        <button
          type="button"
          className="weui-btn weui-btn_primary"
          disabled={busy}
          onClick={() => void start()}
        >
          {t('hold.place')}
        </button>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {pickups ? (
        <Dialog
          title={t('hold.pickupTitle')}
          onClose={() => setPickups(null)}
          actions={[
            { label: t('common.cancel'), onClick: () => setPickups(null) },
            {
              label: t('hold.confirm'),
              primary: true,
              disabled: busy,
              onClick: () => void place(choice),
            },
          ]}
        >
          <fieldset className="pickup-choice">
            <legend className="visually-hidden">{t('hold.pickupTitle')}</legend>
            {pickups.map((p) => (
              <label key={p.code} className="pickup-choice__option">
                <input
                  type="radio"
                  name="pickup"
                  value={p.code}
                  checked={choice === p.code}
                  onChange={() => setChoice(p.code)}
                />
                <span>{locale === 'en' ? (p.nameEn ?? p.name) : p.name}</span>
              </label>
            ))}
          </fieldset>
        </Dialog>
      ) : null}
      {toast}
    </div>
  );
}

function ShareButton(props: { title: string }) {
  const { t } = useI18n();
  const { show, toast } = useToast();
  const [hint, setHint] = useState(false);
  const share = async () => {
    const url = location.href.split('#')[0] ?? location.href;
    if (inWeChat) {
      // WeChat shares through its own ··· menu.
      setHint(true);
      return;
    }
    if (navigator.share) {
      try {
        await navigator.share({ title: props.title, url });
      } catch {
        // Cancelled.
      }
      return;
    }
    try {
      await navigator.clipboard.writeText(url);
      show(t('share.copied'));
    } catch {
      setHint(true);
    }
  };
  return (
    <>
      <button type="button" className="weui-btn weui-btn_default" onClick={() => void share()}>
        {t('share.button')}
      </button>
      {hint ? (
        <p className="share-hint" role="status">
          {inWeChat ? t('share.wechatHint') : t('share.copyHint')}
        </p>
      ) : null}
      {toast}
    </>
  );
}

export function RecordPage(props: { id: string }) {
  const { t, locale } = useI18n();
  const [library, setLibrary] = useState<LibraryHours | null>(null);
  const [record, reload] = useAsync<RecordView>(
    (signal) => api<RecordView>(`/records/${encodeURIComponent(props.id)}`, { signal }),
    [props.id],
  );
  useTitle(record.state === 'done' ? record.value.title : t('record.title'));
  useEffect(() => {
    libraryHours().then(setLibrary, () => undefined);
  }, []);

  if (record.state === 'loading') return <Loading />;
  if (record.state === 'error') return <ErrorMessage error={record.error} onRetry={reload} />;
  const r = record.value;
  const rows: [MessageKey, string][] = [];
  const push = (key: MessageKey, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') rows.push([key, String(value)]);
  };
  push('record.authors', r.responsibility ?? r.authors.map((a) => a.name).join('; '));
  push('record.publisher', [r.place, r.publisher].filter(Boolean).join(': '));
  push('record.year', r.year);
  push('record.edition', r.edition);
  push('record.series', r.series.join('; '));
  push('record.isbn', r.isbns.join(', '));
  push('record.issn', r.issn);
  push(
    'record.language',
    r.language ? facetLabel('language', r.language, t, locale, library) : null,
  );
  push('record.materialType', facetLabel('materialType', r.materialType, t, locale, library));
  push('record.callNumber', r.callNumber);
  push('record.clc', r.clc);
  push('record.subjects', r.subjects.join('; '));

  return (
    <article className="record">
      <header className="record__head">
        <h1>{r.title}</h1>
        {r.subtitle ? <p className="record__subtitle">{r.subtitle}</p> : null}
        <p
          className={`availability ${r.availability.available > 0 ? 'availability_yes' : 'availability_no'}`}
        >
          {r.availability.total === 0
            ? t('availability.none')
            : r.availability.available > 0
              ? t('availability.some', {
                  available: r.availability.available,
                  total: r.availability.total,
                })
              : t('availability.out', { total: r.availability.total })}
        </p>
      </header>
      <dl className="weui-cells record__fields">
        {rows.map(([key, value]) => (
          <div key={key} className="weui-cell">
            <dt className="weui-cell__hd">{t(key)}</dt>
            <dd className="weui-cell__bd">{value}</dd>
          </div>
        ))}
      </dl>
      {r.summary ? (
        <section>
          <h2 className="weui-cells__title">{t('record.summary')}</h2>
          <p className="record__summary">{r.summary}</p>
        </section>
      ) : null}
      <h2 className="weui-cells__title section-heading">{t('record.items')}</h2>
      {r.items.length > 0 ? (
        <ItemsByBranch items={r.items} library={library} />
      ) : (
        <p className="empty">{t('record.noItems')}</p>
      )}
      <div className="record__actions">
        <HoldButton record={r} library={library} />
        <ShareButton title={r.title} />
      </div>
    </article>
  );
}
