/**
 * The bibliographic model the catalog works with: what search indexes, what readers see
 * and what the importer stores. It is built from MARC by `marc/map.ts` (MARC 21, UNIMARC,
 * CNMARC) and keeps the source record so nothing the mapping left out is lost.
 */
import type { MarcRecord } from './marc/record.ts';

export type { MarcRecord } from './marc/record.ts';

export type MaterialType =
  'book' | 'serial' | 'map' | 'score' | 'audio' | 'video' | 'electronic' | 'mixed' | 'other';

export interface Author {
  /** Display form: Chinese names as written, Western names "Surname, Forename". */
  name: string;
  /** 'author', 'editor', 'translator', 'illustrator' … when known, else the source's relator text. */
  role: string | null;
  /** Romanised form: CNMARC 7XX $9/$A, or the MARC 21 field an 880 vernacular name is linked to. */
  pinyin?: string;
}

export interface Item {
  barcode: string;
  branch: string | null;
  location: string | null;
  callNumber: string | null;
  /**
   * 'available' unless the source says otherwise: 'checked-out', 'lost', 'withdrawn',
   * 'damaged', 'not-for-loan' (from Koha's item subfields). Live status comes from the ILS.
   */
  status: string;
  loanType: string | null;
  volume?: string | null;
}

export interface BibRecord {
  /** 001, else 035 $a, else `isbn:<ISBN-13>`, else `sha1:<hash of the fields>` (stable). */
  controlNumber: string;
  /** Source flavour; CNMARC counts as unimarc. */
  format: 'marc21' | 'unimarc';
  title: string;
  subtitle: string | null;
  parallelTitles: string[];
  titlePinyin: string | null;
  /** Statement of responsibility (245 $c; 200 $f ; $g). */
  responsibility: string | null;
  /** Relator words (著 编著 主编 译 …) stripped from names; ISBD punctuation trimmed. */
  authors: Author[];
  publisher: string | null;
  place: string | null;
  year: number | null;
  edition: string | null;
  series: string[];
  /** Valid ISBNs as 13 digits (invalid ones from 020 $z / 010 $z are not here). */
  isbns: string[];
  /** The ISBN-10 forms of the same ISBNs (978- only). */
  isbn10s: string[];
  issn: string | null;
  /** ISO 639-2/B: 'chi', 'eng' … */
  language: string | null;
  /** Headings with subdivisions joined by ' -- '. */
  subjects: string[];
  /** 中图法 class: UNIMARC 690 $a, MARC 21 084 $a with $2 clc. */
  clc: string | null;
  callNumber: string | null;
  summary: string | null;
  materialType: MaterialType;
  items: Item[];
  /** The source record, kept. */
  marc: MarcRecord;
  /**
   * The source record as ISO 2709 text, when it was read as clean UTF-8 ISO 2709: stored
   * as it came instead of serialising `marc` again.
   */
  iso2709?: string;
}

/**
 * A record as the catalogue stores it: the source MARC may come as its ISO 2709 text
 * alone (`iso2709`), without the parsed `marc` (an import's worker sends no more).
 */
export type StorableRecord = Omit<BibRecord, 'marc'> & { marc?: MarcRecord };
