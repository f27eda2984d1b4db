/** 意见反馈: a message to the library with an optional photo, and the library's replies. */
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../api.ts';
import { useI18n, useTitle } from '../i18n.tsx';
import { libraryHours } from '../library.ts';
import { RequireCard } from '../require-card.tsx';
import type { FeedbackMessageView, FeedbackThreadAnswer } from '../types.ts';
import { ErrorMessage, errorText, Loading, useAsync, useToast } from '../ui.tsx';

const MAX_CHARS = 1000;
const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/** A phone photo is made smaller than this on its longer side before it is sent. */
const PHOTO_EDGE = 1600;

/**
 * A photo small enough to send: one within the limit goes as it is; a larger one (a
 * phone camera's) is scaled down and sent as JPEG.
 */
async function shrink(file: File): Promise<Blob> {
  if (file.size <= MAX_PHOTO_BYTES && PHOTO_TYPES.includes(file.type)) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) =>
    canvas.toBlob(resolve, 'image/jpeg', 0.85),
  );
  if (!blob) throw new Error('the photo could not be read');
  return blob;
}

/**
 * The reader's messages and the library's replies, their times in the library's time zone
 * (the device's only when the library's could not be had): a reader abroad reads the
 * times the library's staff do.
 */
function Conversation(props: {
  messages: readonly FeedbackMessageView[];
  timeZone: string | undefined;
}) {
  const { t, locale } = useI18n();
  const time = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: props.timeZone,
  });
  if (props.messages.length === 0) return <p className="empty-note">{t('feedback.none')}</p>;
  return (
    <ol className="feedback-thread">
      {props.messages.map((m) => (
        <li key={m.id} className={`feedback-message feedback-message_${m.from}`}>
          <p className="feedback-message__who">
            {m.from === 'reader' ? t('feedback.fromMe') : t('feedback.fromLibrary')}
            {' · '}
            <time dateTime={m.at}>{time.format(new Date(m.at))}</time>
          </p>
          {m.text ? <p className="feedback-message__text">{m.text}</p> : null}
          {m.photo ? (
            <img
              className="feedback-message__photo"
              src={`/api/v1/me/feedback/photos/${m.photo.id}`}
              alt={t('feedback.photoAlt')}
              loading="lazy"
            />
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function FeedbackBody() {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const ids = { text: useId(), photo: useId(), count: useId() };
  const { show, toast } = useToast();
  const [thread, reload] = useAsync(async (signal) => {
    const [feedback, library] = await Promise.all([
      api<FeedbackThreadAnswer>('/me/feedback', { signal }),
      libraryHours().catch(() => null),
    ]);
    return { messages: feedback.messages, timeZone: library?.timezone };
  }, []);

  useEffect(() => {
    if (!photo) return;
    const url = URL.createObjectURL(photo);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [photo]);

  const clearPhoto = () => {
    setPhoto(null);
    setPreview(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim() && !photo) {
      setError(t('feedback.empty'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const form = new FormData();
      form.set('text', text.trim());
      if (photo) form.set('photo', await shrink(photo), photo.name || 'photo');
      await api('/me/feedback', { method: 'POST', body: form });
      setText('');
      clearPhoto();
      show(t('feedback.sent'));
      reload();
    } catch (caught) {
      setError(errorText(caught, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <header className="page-head">
        <h1>{t('feedback.title')}</h1>
        <p>{t('feedback.intro')}</p>
      </header>
      <form className="request-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="weui-cells weui-cells_form">
          <div className="weui-cell">
            <div className="weui-cell__bd">
              <label className="visually-hidden" htmlFor={ids.text}>
                {t('feedback.message')}
              </label>
              <textarea
                id={ids.text}
                className="weui-textarea"
                rows={4}
                maxLength={MAX_CHARS}
                placeholder={t('feedback.placeholder')}
                aria-describedby={ids.count}
                value={text}
                onChange={(e) => setText(e.target.value)}
              />
              <div className="weui-textarea-counter" id={ids.count}>
                {t('feedback.count', { count: [...text].length, max: MAX_CHARS })}
              </div>
            </div>
          </div>
          <div className="weui-cell photo-pick">
            <div className="weui-cell__bd">
              <label className="weui-btn weui-btn_default weui-btn_mini" htmlFor={ids.photo}>
                {t('feedback.addPhoto')}
              </label>
              <input
                ref={fileInput}
                id={ids.photo}
                className="visually-hidden"
                type="file"
                accept="image/jpeg,image/png,image/webp"
                onChange={(e) => {
                  const file = e.target.files?.[0] ?? null;
                  setError(null);
                  setPhoto(file);
                  if (!file) setPreview(null);
                }}
              />
              {preview ? (
                <div className="photo-preview">
                  <img src={preview} alt={t('feedback.previewAlt')} />
                  <button
                    type="button"
                    className="weui-btn weui-btn_default weui-btn_mini"
                    onClick={clearPhoto}
                  >
                    {t('feedback.removePhoto')}
                  </button>
                </div>
              ) : null}
            </div>
          </div>
        </div>
        {error ? (
          <p className="request-result request-result_error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="weui-btn-area">
          <button type="submit" className="weui-btn weui-btn_primary" disabled={busy}>
            {t('feedback.submit')}
          </button>
        </div>
      </form>
      <section aria-labelledby="my-feedback">
        <div className="weui-cells__title section-title">
          <h2 id="my-feedback">{t('feedback.mine')}</h2>
        </div>
        {thread.state === 'loading' ? (
          <Loading />
        ) : thread.state === 'error' ? (
          <ErrorMessage error={thread.error} onRetry={reload} />
        ) : (
          <Conversation messages={thread.value.messages} timeZone={thread.value.timeZone} />
        )}
      </section>
      {toast}
    </>
  );
}

export default function FeedbackPage() {
  const { t } = useI18n();
  useTitle(t('feedback.title'));
  return <RequireCard>{() => <FeedbackBody />}</RequireCard>;
}
