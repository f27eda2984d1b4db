/**
 * What `/api/v1/search`, `/api/v1/records/:id`, `/api/v1/autocomplete` and
 * `/api/v1/new-arrivals` answer: types only, shared with the reader pages. The pages' type
 * check reads every file this one imports, so it imports types only, and only from files
 * without server dependencies (`record.ts`, `search/types.ts`).
 */
import type { FacetName, FacetValue } from './search/types.ts';
import type { BibRecord, Item, MarcRecord } from './record.ts';

export type { FacetName, FacetValue, Item, MarcRecord };

/** A search hit as readers and the API see it (`CatalogService` builds it). */
export interface HitView {
  readonly id: number;
  /** The record's control number in the library's system (001). */
  readonly controlNumber: string;
  readonly title: string;
  readonly subtitle: string | null;
  readonly authors: readonly string[];
  readonly publisher: string | null;
  readonly year: number | null;
  readonly isbns: readonly string[];
  readonly language: string | null;
  readonly materialType: string;
  readonly callNumber: string | null;
  readonly items: { readonly total: number; readonly available: number };
  readonly score: number;
}

/** `GET /api/v1/search`: one page of hits, the facet counts over all of them. */
export interface SearchAnswer {
  readonly total: number;
  readonly hits: readonly HitView[];
  /** Null when the request asked for none (`facets=false`). */
  readonly facets: Readonly<Record<FacetName, readonly FacetValue[]>> | null;
  /** "Did you mean": a better query when there were no or few hits. */
  readonly suggestion: string | null;
  readonly page: number;
  readonly pageSize: number;
}

/**
 * `GET /api/v1/records/:id`: the mapped record with its items, their availability and
 * the source MARC.
 */
export interface RecordView extends Readonly<Omit<BibRecord, 'items' | 'marc' | 'iso2709'>> {
  readonly id: number;
  readonly items: readonly Item[];
  readonly availability: { readonly total: number; readonly available: number };
  /** When the library added the record, ISO 8601. */
  readonly addedAt: string;
  readonly marc: MarcRecord;
}

/** `GET /api/v1/autocomplete`: completions of the prefix `q`. */
export interface AutocompleteAnswer {
  readonly q: string;
  readonly suggestions: readonly string[];
}

/** `GET /api/v1/new-arrivals`: the records added last, newest first. */
export interface NewArrivalsAnswer {
  readonly hits: readonly HitView[];
}
