import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api } from '../api.ts';
import { FACETS, facetLabel, paramValue, searchQuery } from '../facets.ts';
import { useI18n, useTitle } from '../i18n.tsx';
import { libraryHours } from '../library.ts';
import { destinationOf, useScanner } from '../scan.tsx';
import type { AutocompleteAnswer, HitView, LibraryHours, SearchAnswer } from '../types.ts';
import { ErrorMessage } from '../ui.tsx';

const PAGE_SIZE = 20;
const SKELETONS = 6;

interface Results {
  readonly key: string;
  readonly hits: readonly HitView[];
  readonly total: number;
  readonly facets: SearchAnswer['facets'];
  readonly suggestion: string | null;
  readonly page: number;
  readonly loading: boolean;
  readonly error: unknown;
}

export function HitRow(props: { hit: HitView }) {
  const { t } = useI18n();
  const { hit } = props;
  const meta = [hit.authors.slice(0, 2).join('; '), hit.publisher, hit.year]
    .filter(Boolean)
    .join(' · ');
  const { available, total } = hit.items;
  return (
    <li className="hit">
      <Link href={`/records/${hit.id}`} className="hit__link">
        <h3 className="hit__title">
          {hit.title}
          {hit.subtitle ? <span className="hit__subtitle">: {hit.subtitle}</span> : null}
        </h3>
        <p className="hit__meta">{meta}</p>
        <p className="hit__foot">
          <span className="hit__call">{hit.callNumber ?? ''}</span>
          <span
            className={`availability ${available > 0 ? 'availability_yes' : 'availability_no'}`}
          >
            {total === 0
              ? t('availability.none')
              : available > 0
                ? t('availability.some', { available, total })
                : t('availability.out', { total })}
          </span>
        </p>
      </Link>
    </li>
  );
}

function Skeletons(props: { count: number }) {
  return (
    <>
      {Array.from({ length: props.count }, (_, i) => (
        <li key={i} className="hit hit_skeleton" aria-hidden="true">
          <span />
          <span />
          <span />
        </li>
      ))}
    </>
  );
}

/** The search box with autocomplete (a WAI-ARIA combobox). */
function SearchBox(props: { value: string; onSearch: (q: string) => void; onScan: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState(props.value);
  const [suggestions, setSuggestions] = useState<readonly string[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const inputId = useId();
  const listId = useId();

  useEffect(() => setText(props.value), [props.value]);

  useEffect(() => {
    const prefix = text.trim();
    if (!open || prefix === '' || prefix === props.value) {
      setSuggestions([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<AutocompleteAnswer>(`/autocomplete?q=${encodeURIComponent(prefix)}&limit=6`, {
        signal: controller.signal,
      }).then(
        (answer) => {
          setSuggestions(answer.suggestions);
          setActive(-1);
        },
        () => setSuggestions([]),
      );
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text, open, props.value]);

  const choose = (q: string) => {
    setText(q);
    setOpen(false);
    setSuggestions([]);
    props.onSearch(q);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const picked = active >= 0 ? suggestions[active] : undefined;
    choose(picked ?? text.trim());
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (suggestions.length === 0) return;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((a) => (a + 1) % suggestions.length);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((a) => (a <= 0 ? suggestions.length - 1 : a - 1));
    } else if (event.key === 'Escape') {
      setSuggestions([]);
    }
  };
  const expanded = open && suggestions.length > 0;

  return (
    <form
      className="weui-search-bar weui-search-bar_focusing search-form search-form_sticky"
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
            autoComplete="off"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={expanded}
            aria-controls={listId}
            aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setOpen(true);
            }}
            onFocus={() => setOpen(true)}
            onBlur={() => setTimeout(() => setOpen(false), 150)}
            onKeyDown={onKeyDown}
          />
        </div>
        <ul
          id={listId}
          role="listbox"
          className="autocomplete"
          hidden={!expanded}
          aria-label={t('search.suggestions')}
        >
          {suggestions.map((s, i) => (
            <li
              key={s}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={
                i === active ? 'autocomplete__item autocomplete__item_active' : 'autocomplete__item'
              }
              onMouseDown={(e) => {
                e.preventDefault();
                choose(s);
              }}
            >
              {s}
            </li>
          ))}
        </ul>
      </div>
      <button
        type="button"
        className="scan-button"
        onClick={props.onScan}
        aria-label={t('scan.button')}
      >
        <span className="scan-icon" aria-hidden="true" />
      </button>
    </form>
  );
}

export function SearchPage(props: { initialQuery?: string }) {
  const { t, locale } = useI18n();
  const [, navigate] = useLocation();
  const search = useSearch();
  const params = useMemo(() => {
    const p = new URLSearchParams(search);
    if (props.initialQuery && !p.has('q')) p.set('q', props.initialQuery);
    return p;
  }, [search, props.initialQuery]);
  const q = params.get('q') ?? '';
  const key = searchQuery(params, 1, PAGE_SIZE);
  const [library, setLibrary] = useState<LibraryHours | null>(null);
  const [showFilters, setShowFilters] = useState(false);
  const [results, setResults] = useState<Results>({
    key,
    hits: [],
    total: 0,
    facets: null,
    suggestion: null,
    page: 0,
    loading: true,
    error: null,
  });
  const sentinel = useRef<HTMLLIElement>(null);
  const filtersId = useId();
  const { scan, sheet } = useScanner((text) => navigate(destinationOf(text)));
  useTitle(q ? t('search.titleFor', { q }) : t('search.title'));

  useEffect(() => {
    libraryHours().then(setLibrary, () => undefined);
  }, []);

  const load = useCallback(
    (page: number, signal?: AbortSignal) => {
      const query = searchQuery(params, page, PAGE_SIZE);
      setResults((r) =>
        page === 1
          ? {
              key,
              hits: [],
              total: r.key === key ? r.total : 0,
              facets: r.key === key ? r.facets : r.facets,
              suggestion: null,
              page: 0,
              loading: true,
              error: null,
            }
          : { ...r, loading: true, error: null },
      );
      api<SearchAnswer>(`/search?${query}`, signal ? { signal } : {}).then(
        (answer) =>
          setResults((r) => ({
            key,
            hits: page === 1 ? answer.hits : [...r.hits, ...answer.hits],
            total: answer.total,
            facets: page === 1 ? answer.facets : r.facets,
            suggestion: page === 1 ? answer.suggestion : r.suggestion,
            page,
            loading: false,
            error: null,
          })),
        (error: unknown) => {
          if ((error as Error).name === 'AbortError') return;
          setResults((r) => ({ ...r, loading: false, error }));
        },
      );
    },
    [params, key],
  );

  useEffect(() => {
    const controller = new AbortController();
    load(1, controller.signal);
    return () => controller.abort();
  }, [load]);

  const more = !results.loading && !results.error && results.hits.length < results.total;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !more) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) load(results.page + 1);
      },
      { rootMargin: '400px 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [more, load, results.page]);

  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(name);
    else next.set(name, value);
    navigate(`/search?${next.toString()}`);
  };

  const active = FACETS.filter((f) => params.get(f.param));
  const firstLoad = results.loading && results.page === 0;

  return (
    <>
      <SearchBox value={q} onSearch={(value) => setParam('q', value)} onScan={scan} />

      <div className="result-bar">
        <p className="result-bar__count" role="status" aria-live="polite">
          {firstLoad
            ? t('search.searching')
            : results.error
              ? ''
              : t('search.count', { total: results.total })}
        </p>
        <button
          type="button"
          className="filter-toggle"
          aria-expanded={showFilters}
          aria-controls={filtersId}
          onClick={() => setShowFilters((s) => !s)}
        >
          {active.length > 0
            ? t('search.filtersCount', { count: active.length })
            : t('search.filters')}
        </button>
      </div>

      {active.length > 0 ? (
        <ul className="chips chips_active" aria-label={t('search.activeFilters')}>
          {active.map((f) => {
            const raw = params.get(f.param) ?? '';
            const value =
              f.name === 'availability' ? (raw === 'true' ? 'available' : 'unavailable') : raw;
            return (
              <li key={f.param}>
                <button
                  type="button"
                  className="chip chip_on"
                  aria-label={t('search.removeFilter', {
                    filter: `${t(f.label)}: ${facetLabel(f.name, value, t, locale, library)}`,
                  })}
                  onClick={() => setParam(f.param, null)}
                >
                  {facetLabel(f.name, value, t, locale, library)} ×
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}

      <div id={filtersId} className="filters" hidden={!showFilters}>
        {results.facets
          ? FACETS.map((f) => {
              const values = results.facets?.[f.name] ?? [];
              if (values.length === 0) return null;
              return (
                <fieldset key={f.name} className="filters__group">
                  <legend>{t(f.label)}</legend>
                  <ul className="chips">
                    {values.slice(0, 10).map((v) => {
                      const value = paramValue(f.name, v.value);
                      const on = params.get(f.param) === value;
                      return (
                        <li key={v.value}>
                          <button
                            type="button"
                            className={on ? 'chip chip_on' : 'chip'}
                            aria-pressed={on}
                            onClick={() => setParam(f.param, on ? null : value)}
                          >
                            {facetLabel(f.name, v.value, t, locale, library)}
                            <span className="chip__count">{v.count}</span>
                          </button>
                        </li>
                      );
                    })}
                  </ul>
                </fieldset>
              );
            })
          : null}
      </div>

      {results.suggestion ? (
        <p className="did-you-mean">
          {t('search.didYouMean')}{' '}
          <Link href={`/search?q=${encodeURIComponent(results.suggestion)}`}>
            {results.suggestion}
          </Link>
        </p>
      ) : null}

      <ul className="hits" aria-busy={results.loading} aria-label={t('search.results')}>
        {results.hits.map((hit) => (
          <HitRow key={hit.id} hit={hit} />
        ))}
        {firstLoad ? <Skeletons count={SKELETONS} /> : null}
        {!firstLoad && results.loading ? <Skeletons count={2} /> : null}
        {more ? <li ref={sentinel} className="hits__sentinel" aria-hidden="true" /> : null}
      </ul>

      {results.error ? (
        <ErrorMessage error={results.error} onRetry={() => load(results.page + 1)} />
      ) : null}
      {!results.loading && !results.error && results.total === 0 ? (
        <p className="empty">{t('search.none')}</p>
      ) : null}
      {!results.loading && results.total > 0 && !more ? (
        <p className="end-of-list">{t('search.end')}</p>
      ) : null}
      {sheet}
    </>
  );
}
