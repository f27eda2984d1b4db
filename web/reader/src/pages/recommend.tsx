/** 荐购: suggest a purchase by ISBN (typed or scanned) or by title, and see what became of it. */
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'wouter';
import { api, ApiError } from '../api.ts';
import { useI18n, useTitle, type MessageKey } from '../i18n.tsx';
import { RequireCard } from '../require-card.tsx';
import { useScanner } from '../scan.tsx';
import type {
  SuggestAnswer,
  SuggestionsAnswer,
  SuggestionStatus,
  SuggestionView,
} from '../types.ts';
import { ErrorMessage, errorText, Loading, useAsync } from '../ui.tsx';

const STATUS: Record<SuggestionStatus, MessageKey> = {
  open: 'recommend.status.open',
  ordered: 'recommend.status.ordered',
  declined: 'recommend.status.declined',
};

type Outcome =
  | { readonly kind: 'done'; readonly text: string }
  | { readonly kind: 'held'; readonly text: string; readonly recordId: number }
  | { readonly kind: 'error'; readonly text: string };

/** The ISBN in a scanned code (an EAN-13 on a back cover), else the text as it came. */
function isbnIn(text: string): string {
  const digits = text.replace(/[-\s]/g, '');
  return /^(97[89]\d{10}|\d{9}[\dXx])$/.test(digits) ? digits : text.trim();
}

function SuggestionList(props: { suggestions: readonly SuggestionView[] }) {
  const { t, locale } = useI18n();
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  if (props.suggestions.length === 0) {
    return <p className="empty-note">{t('recommend.none')}</p>;
  }
  return (
    <ul className="weui-cells request-list">
      {props.suggestions.map((s) => (
        <li key={s.id} className="weui-cell request-item">
          <div className="weui-cell__bd">
            <p className="request-item__title">{s.title ?? t('recommend.isbnOnly')}</p>
            <p className="request-item__meta">
              {[s.author, s.isbn ? `ISBN ${s.isbn}` : null].filter(Boolean).join(' · ')}
            </p>
            <p className="request-item__meta">
              {t('recommend.asked', { date: date.format(new Date(s.suggestedAt)) })}
              {' · '}
              {t('recommend.supporters', { count: s.supporters })}
            </p>
            {s.note ? <p className="request-item__note">{s.note}</p> : null}
          </div>
          <div className="weui-cell__ft">
            <span className={`status-badge status-badge_${s.status}`}>{t(STATUS[s.status])}</span>
          </div>
        </li>
      ))}
    </ul>
  );
}

function RecommendBody() {
  const { t } = useI18n();
  const [isbn, setIsbn] = useState('');
  const [title, setTitle] = useState('');
  const [author, setAuthor] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const ids = { isbn: useId(), title: useId(), author: useId(), note: useId() };
  const [mine, reload] = useAsync(
    (signal) => api<SuggestionsAnswer>('/me/suggestions', { signal }),
    [],
  );
  const { scan, sheet } = useScanner((text) => setIsbn(isbnIn(text)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!isbn.trim() && !title.trim()) {
      setOutcome({ kind: 'error', text: t('recommend.needIsbnOrTitle') });
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      const answer = await api<SuggestAnswer>('/me/suggestions', {
        method: 'POST',
        body: {
          ...(isbn.trim() ? { isbn: isbn.trim() } : {}),
          ...(title.trim() ? { title: title.trim() } : {}),
          ...(author.trim() ? { author: author.trim() } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      });
      setOutcome({ kind: 'done', text: answer.message });
      setIsbn('');
      setTitle('');
      setAuthor('');
      setNote('');
      reload();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'ALREADY_HELD') {
        setOutcome({
          kind: 'held',
          text: errorText(error, t),
          recordId: Number(error.body.recordId),
        });
      } else {
        setOutcome({ kind: 'error', text: errorText(error, t) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <header className="page-head">
        <h1>{t('recommend.title')}</h1>
        <p>{t('recommend.intro')}</p>
      </header>
      <form className="request-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="weui-cells weui-cells_form">
          <div className="weui-cell weui-cell_active">
            <div className="weui-cell__hd">
              <label className="weui-label" htmlFor={ids.isbn}>
                {t('recommend.isbn')}
              </label>
            </div>
            <div className="weui-cell__bd">
              <input
                id={ids.isbn}
                className="weui-input"
                inputMode="numeric"
                autoComplete="off"
                placeholder={t('recommend.isbnPlaceholder')}
                value={isbn}
                onChange={(e) => setIsbn(e.target.value)}
              />
            </div>
            <div className="weui-cell__ft">
              <button
                type="button"
                className="scan-button scan-button_inline"
                onClick={scan}
                aria-label={t('recommend.scan')}
              >
                <span className="scan-icon" aria-hidden="true" />
              </button>
            </div>
          </div>
          <p className="form-or">{t('recommend.or')}</p>
          <div className="weui-cell weui-cell_active">
            <div className="weui-cell__hd">
              <label className="weui-label" htmlFor={ids.title}>
                {t('recommend.bookTitle')}
              </label>
            </div>
            <div className="weui-cell__bd">
              <input
                id={ids.title}
                className="weui-input"
                maxLength={300}
                value={title}
                onChange={(e) => setTitle(e.target.value)}
              />
            </div>
          </div>
          <div className="weui-cell weui-cell_active">
            <div className="weui-cell__hd">
              <label className="weui-label" htmlFor={ids.author}>
                {t('recommend.author')}
              </label>
            </div>
            <div className="weui-cell__bd">
              <input
                id={ids.author}
                className="weui-input"
                maxLength={200}
                value={author}
                onChange={(e) => setAuthor(e.target.value)}
              />
            </div>
          </div>
          <div className="weui-cell weui-cell_active">
            <div className="weui-cell__bd">
              <label className="visually-hidden" htmlFor={ids.note}>
                {t('recommend.note')}
              </label>
              <textarea
                id={ids.note}
                className="weui-textarea"
                rows={2}
                maxLength={500}
                placeholder={t('recommend.note')}
                value={note}
                onChange={(e) => setNote(e.target.value)}
              />
            </div>
          </div>
        </div>
        <div className="weui-btn-area">
          <button type="submit" className="weui-btn weui-btn_primary" disabled={busy}>
            {t('recommend.submit')}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {outcome ? (
          <div
            className={`request-result request-result_${outcome.kind}`}
            role={outcome.kind === 'error' ? 'alert' : 'status'}
          >
            <p>{outcome.text}</p>
            {outcome.kind === 'held' ? (
              <Link href={`/records/${outcome.recordId}`}>{t('recommend.seeRecord')}</Link>
            ) : null}
          </div>
        ) : null}
      </div>
      <section aria-labelledby="my-suggestions">
        <div className="weui-cells__title section-title">
          <h2 id="my-suggestions">{t('recommend.mine')}</h2>
        </div>
        {mine.state === 'loading' ? (
          <Loading />
        ) : mine.state === 'error' ? (
          <ErrorMessage error={mine.error} onRetry={reload} />
        ) : (
          <SuggestionList suggestions={mine.value.suggestions} />
        )}
      </section>
      {sheet}
    </>
  );
}

export default function RecommendPage() {
  const { t } = useI18n();
  useTitle(t('recommend.title'));
  return <RequireCard>{() => <RecommendBody />}</RequireCard>;
}
