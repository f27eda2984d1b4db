/** Facet values in the reader's words, and facets as URL filters. */
import type { Locale, MessageKey, Translate } from './i18n.tsx';
import { branchName } from './library.ts';
import type { FacetName, LibraryHours } from './types.ts';

/** The order facets are offered in, and the URL parameter each sets. */
export const FACETS: readonly { name: FacetName; param: string; label: MessageKey }[] = [
  { name: 'availability', param: 'available', label: 'facet.availability' },
  { name: 'materialType', param: 'materialType', label: 'facet.materialType' },
  { name: 'language', param: 'language', label: 'facet.language' },
  { name: 'branch', param: 'branch', label: 'facet.branch' },
  { name: 'year', param: 'year', label: 'facet.year' },
  { name: 'clc', param: 'clc', label: 'facet.clc' },
  { name: 'subject', param: 'subject', label: 'facet.subject' },
];

/** Parameters of the page URL that filter the search. */
export const FILTER_PARAMS = FACETS.map((f) => f.param);

const LANGUAGES = ['chi', 'eng', 'jpn', 'fre', 'ger', 'rus', 'kor', 'spa'] as const;
const MATERIAL_TYPES = [
  'book',
  'serial',
  'map',
  'score',
  'audio',
  'video',
  'electronic',
  'mixed',
  'other',
] as const;

/** A facet value as shown on its chip. */
export function facetLabel(
  facet: FacetName,
  value: string,
  t: Translate,
  locale: Locale,
  library: LibraryHours | null,
): string {
  switch (facet) {
    case 'availability':
      return value === 'available' ? t('facet.available') : t('facet.unavailable');
    case 'materialType':
      return (MATERIAL_TYPES as readonly string[]).includes(value)
        ? t(`material.${value}` as MessageKey)
        : value;
    case 'language':
      return (LANGUAGES as readonly string[]).includes(value)
        ? t(`language.${value}` as MessageKey)
        : value;
    case 'branch':
      return branchName(library, value, locale);
    default:
      return value;
  }
}

/** The value a facet's chip puts in the page URL (availability becomes true/false). */
export function paramValue(facet: FacetName, value: string): string {
  if (facet === 'availability') return value === 'available' ? 'true' : 'false';
  return value;
}

/** The search API's query for the page's URL parameters. */
export function searchQuery(params: URLSearchParams, page: number, pageSize: number): string {
  const query = new URLSearchParams();
  query.set('q', params.get('q') ?? '');
  query.set('page', String(page));
  query.set('pageSize', String(pageSize));
  query.set('facets', page === 1 ? 'true' : 'false');
  for (const param of ['materialType', 'language', 'branch', 'clc', 'subject', 'available']) {
    const value = params.get(param);
    if (value) query.set(param, value);
  }
  const year = params.get('year');
  const range = year ? /^(\d{1,4})-(\d{1,4})$/.exec(year) : null;
  if (range) {
    query.set('yearFrom', range[1]!);
    query.set('yearTo', range[2]!);
  }
  return query.toString();
}
