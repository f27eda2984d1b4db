import { api } from '../api.ts';
import { useI18n, useTitle } from '../i18n.tsx';
import type { NewArrivalsAnswer } from '../types.ts';
import { ErrorMessage, Loading, useAsync } from '../ui.tsx';
import { HitRow } from './search.tsx';

export function NewArrivalsPage() {
  const { t } = useI18n();
  useTitle(t('new.title'));
  const [hits, reload] = useAsync<NewArrivalsAnswer>(
    (signal) => api<NewArrivalsAnswer>('/new-arrivals?limit=30', { signal }),
    [],
  );
  return (
    <>
      <header className="form-head">
        <h1>{t('new.title')}</h1>
      </header>
      {hits.state === 'loading' ? <Loading /> : null}
      {hits.state === 'error' ? <ErrorMessage error={hits.error} onRetry={reload} /> : null}
      {hits.state === 'done' ? (
        <ul className="hits">
          {hits.value.hits.map((hit) => (
            <HitRow key={hit.id} hit={hit} />
          ))}
        </ul>
      ) : null}
    </>
  );
}
