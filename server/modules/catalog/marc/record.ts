/**
 * The in-memory MARC record every reader produces and every mapper consumes. It is
 * flavour-neutral (MARC 21, UNIMARC and CNMARC share ISO 2709's shape) and holds
 * decoded text only: byte offsets and character sets stop at the readers.
 */

/** A `00X` field: one unstructured value (fixed-length data such as 008 or 001). */
export interface ControlField {
  tag: string;
  value: string;
}

export interface Subfield {
  code: string;
  value: string;
}

/** A variable data field: two indicators (blank is `' '`) and ordered subfields. */
export interface DataField {
  tag: string;
  ind1: string;
  ind2: string;
  subfields: Subfield[];
}

export type MarcField = ControlField | DataField;

export interface MarcRecord {
  /** 24 characters; positions are the ISO 2709 leader's (record length, status, type …). */
  leader: string;
  /** In source order; repeated tags stay repeated. */
  fields: MarcField[];
}

/**
 * Narrows a field to a data field.
 *
 * @example
 * for (const f of record.fields) if (isDataField(f)) console.log(f.ind1, f.subfields.length);
 */
export function isDataField(field: MarcField): field is DataField {
  return 'subfields' in field;
}

/**
 * Narrows a field to a control field.
 *
 * @example
 * const f001 = field(record, '001'); if (f001 && isControlField(f001)) console.log(f001.value);
 */
export function isControlField(field: MarcField): field is ControlField {
  return !('subfields' in field);
}

/**
 * The first field with this tag, or undefined.
 *
 * @example
 * field(record, '245'); // { tag: '245', ind1: '1', ind2: '0', subfields: [...] }
 */
export function field(record: MarcRecord, tag: string): MarcField | undefined {
  for (const f of record.fields) if (f.tag === tag) return f;
  return undefined;
}

/**
 * Every field with one of these tags, in record order.
 *
 * @example
 * fields(record, '650', '651').length; // 3
 */
export function fields(record: MarcRecord, ...tags: string[]): MarcField[] {
  return record.fields.filter((f) => tags.includes(f.tag));
}

/**
 * Every data field with one of these tags (control fields with the tag are skipped).
 *
 * @example
 * dataFields(record, '700', '701', '702').map((f) => subfield(f, 'a'));
 */
export function dataFields(record: MarcRecord, ...tags: string[]): DataField[] {
  const out: DataField[] = [];
  for (const f of record.fields) if (tags.includes(f.tag) && isDataField(f)) out.push(f);
  return out;
}

/**
 * The value of a control field (001, 005, 008 …), or undefined.
 *
 * @example
 * controlValue(record, '001'); // '   92005291 '
 */
export function controlValue(record: MarcRecord, tag: string): string | undefined {
  for (const f of record.fields) if (f.tag === tag && !isDataField(f)) return f.value;
  return undefined;
}

/**
 * The first value of a subfield; undefined for a control field or a missing code.
 *
 * @example
 * subfield(f245, 'a'); // 'How to program a computer /'
 */
export function subfield(f: MarcField | undefined, code: string): string | undefined {
  if (!f || !isDataField(f)) return undefined;
  for (const s of f.subfields) if (s.code === code) return s.value;
  return undefined;
}

/**
 * Every value of the listed subfield codes, in field order (no codes: all of them).
 *
 * @example
 * subfields(f650, 'x', 'y', 'z'); // ['History', '20th century']
 */
export function subfields(f: MarcField | undefined, ...codes: string[]): string[] {
  if (!f || !isDataField(f)) return [];
  const out: string[] = [];
  for (const s of f.subfields) if (codes.length === 0 || codes.includes(s.code)) out.push(s.value);
  return out;
}

/**
 * A one-line text form like yaz-marcdump's, for logs and test failure messages.
 *
 * @example
 * formatField({ tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: 'Ici' }] });
 * // '245 10 $a Ici'
 */
export function formatField(f: MarcField): string {
  if (!isDataField(f)) return `${f.tag}    ${f.value}`;
  return `${f.tag} ${f.ind1}${f.ind2} ${f.subfields.map((s) => `$${s.code} ${s.value}`).join(' ')}`;
}
