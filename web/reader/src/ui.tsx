/** Small WeUI pieces the pages share. */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from './api.ts';
import { useI18n, type Translate } from './i18n.tsx';

/** The reader's text for an API error: the server's own words when it gave any. */
export function errorText(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.detail) return error.detail;
    if (error.status === 0) return t('error.network');
    if (error.status === 404) return t('error.notFound');
  }
  return t('error.generic');
}

export type Async<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly error: unknown }
  | { readonly state: 'done'; readonly value: T };

/** Runs `load` when `deps` change; the answer of a superseded run is dropped. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [result, setResult] = useState<Async<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setResult({ state: 'loading' });
    load(controller.signal).then(
      (value) => {
        if (!controller.signal.aborted) setResult({ state: 'done', value });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setResult({ state: 'error', error });
      },
    );
    return () => controller.abort();
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return [result, reload, setResult] as const;
}

export function Loading(props: { label?: string }) {
  const { t } = useI18n();
  return (
    <div className="weui-loadmore" role="status">
      <i className="weui-loading" aria-hidden="true" />
      <span className="weui-loadmore__tips">{props.label ?? t('common.loading')}</span>
    </div>
  );
}

export function ErrorMessage(props: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="error-box" role="alert">
      <p>{errorText(props.error, t)}</p>
      {props.onRetry ? (
        <button
          type="button"
          className="weui-btn weui-btn_default weui-btn_mini"
          onClick={props.onRetry}
        >
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}

/** A short confirmation that goes away by itself. */
export function useToast() {
  const [text, setText] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const show = useCallback((message: string) => {
    clearTimeout(timer.current);
    setText(message);
    timer.current = setTimeout(() => setText(null), 2500);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  const toast =
    text === null ? null : (
      <div className="toast" role="status" aria-live="polite">
        <div className="weui-toast toast__box">
          <i className="weui-icon-success-no-circle weui-icon_toast" aria-hidden="true" />
          <p className="weui-toast__content">{text}</p>
        </div>
      </div>
    );
  return { show, toast };
}

/** A WeUI dialog; focus moves into it and Escape closes it. */
export function Dialog(props: {
  title: string;
  children: ReactNode;
  actions: readonly {
    label: string;
    primary?: boolean;
    warn?: boolean;
    onClick: () => void;
    disabled?: boolean;
  }[];
  onClose: () => void;
}) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  const { onClose } = props;
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    box.current?.querySelector<HTMLElement>('input, button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, [onClose]);
  return (
    <div>
      <div className="weui-mask" onClick={onClose} />
      <div
        className="weui-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={box}
      >
        <div className="weui-dialog__hd">
          <strong className="weui-dialog__title" id={titleId}>
            {props.title}
          </strong>
        </div>
        <div className="weui-dialog__bd">{props.children}</div>
        <div className="weui-dialog__ft">
          {props.actions.map((action) => (
            <button
              key={action.label}
              type="button"
              disabled={action.disabled}
              className={`weui-dialog__btn ${action.primary ? 'weui-dialog__btn_primary' : 'weui-dialog__btn_default'}${action.warn ? ' dialog-warn' : ''}`}
              onClick={action.onClick}
            >
              {action.label}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
