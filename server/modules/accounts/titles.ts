/**
 * The catalogue's titles for loans and holds that the ILS named by identifier alone.
 *
 * SIP2's patron information lists holds by item or title identifier, without a title: the
 * SIP2 connector then puts that identifier where the title goes (a title-level hold shows
 * as its record's control number, a copy the ILS says nothing about as its barcode). The
 * catalogue knows both: an item barcode leads to its record (`catalog_items.barcode`), a
 * title identifier is the record's control number (MARC 001, `control_number`), which is
 * what the embedded ILS and the usual third-party ILS (its bib number) put there. Every
 * stand-in of an account is looked up in one query; what the catalogue does not know keeps
 * the ILS's text.
 */
import type { Hold, Loan } from '../../ils/types.ts';
import type { TitleKeys, TitleLookup } from '../catalog/repository.ts';

/** What the accounts module asks of the catalogue; `CatalogRepository` answers it. */
export interface CatalogueTitles {
  titlesOf(keys: TitleKeys): Promise<TitleLookup>;
}

/** A loan or a hold: what the look-up reads of either. */
export type TitledEntry = Pick<Loan | Hold, 'id' | 'title' | 'itemBarcode' | 'recordId'>;

/** An identifier to look a title up by, best first. */
interface Key {
  readonly by: 'barcode' | 'controlNumber';
  readonly value: string;
}

/**
 * Text that can only be an identifier, not a title: printable ASCII without spaces, with a
 * digit, at most 64 characters. `12345`, `b1000234`, `CAL-0120` are; 活着 and `Dune` are not.
 */
const IDENTIFIER = /^(?=.*\d)[!-~]{1,64}$/;

/**
 * The identifiers to look the entry's title up by, or an empty list when the ILS gave a
 * real title. A title is a stand-in when it is blank or is the entry's own barcode or
 * record id; an entry with neither (a SIP2 title-level hold) is looked up by its text when
 * that text looks like an identifier, as a control number first and then as a barcode.
 */
export function titleKeys(entry: TitledEntry): Key[] {
  const title = entry.title.trim();
  const barcode = entry.itemBarcode?.trim() || null;
  const record = entry.recordId?.trim() || null;
  if (barcode === null && record === null) {
    return IDENTIFIER.test(title)
      ? [
          { by: 'controlNumber', value: title },
          { by: 'barcode', value: title },
        ]
      : [];
  }
  if (title !== '' && title !== barcode && title !== record) return [];
  const keys: Key[] = [];
  // The copy first: its record is the one the reader has, whatever the record id says.
  if (barcode !== null) keys.push({ by: 'barcode', value: barcode });
  if (record !== null) keys.push({ by: 'controlNumber', value: record });
  return keys;
}

function retitled<T extends TitledEntry>(entry: T, keys: readonly Key[], found: TitleLookup): T {
  for (const key of keys) {
    const title = (key.by === 'barcode' ? found.byBarcode : found.byControlNumber).get(key.value);
    if (title?.trim()) return { ...entry, title };
  }
  return entry;
}

/**
 * The loans and holds with the catalogue's title wherever the ILS gave only an identifier
 * (see `titleKeys`), in one query for all of them and none when every title is real.
 * Entries the catalogue does not know come back as they were.
 *
 * @example
 * const { loans, holds } = await withCatalogueTitles(catalogue, account.loans, account.holds);
 */
export async function withCatalogueTitles<L extends TitledEntry, H extends TitledEntry>(
  catalogue: CatalogueTitles,
  loans: readonly L[],
  holds: readonly H[],
): Promise<{ loans: L[]; holds: H[] }> {
  const loanKeys = loans.map(titleKeys);
  const holdKeys = holds.map(titleKeys);
  const wanted = [...loanKeys, ...holdKeys].flat();
  if (wanted.length === 0) return { loans: [...loans], holds: [...holds] };
  const found = await catalogue.titlesOf({
    barcodes: wanted.filter((k) => k.by === 'barcode').map((k) => k.value),
    controlNumbers: wanted.filter((k) => k.by === 'controlNumber').map((k) => k.value),
  });
  return {
    loans: loans.map((loan, i) => retitled(loan, loanKeys[i]!, found)),
    holds: holds.map((hold, i) => retitled(hold, holdKeys[i]!, found)),
  };
}
