/**
 * Posting lists for the in-memory catalogue index. One packed list per term: each
 * entry is `doc << FIELD_BITS | fieldMask`, appended in document order, so a list
 * is sorted by document and intersections can gallop. One list per term (not two)
 * keeps the per-term overhead small: a catalogue of a million records has a few
 * million distinct terms, most with one posting. Those are kept as the bare entry,
 * short lists as plain arrays and only longer ones as Int32Arrays.
 */

export const FIELD_BITS = 6;
const FIELD_MASK = (1 << FIELD_BITS) - 1;
/** Documents are numbered below 2^25 (33 million), which leaves 6 bits for fields. */
export const MAX_DOCS = 1 << (31 - FIELD_BITS);

/** Where a term occurs in a record; one bit each, combined in a posting. */
export const Field = {
  title: 1,
  author: 2,
  subject: 4,
  publisher: 8,
  /** ISBN, ISSN, call number, classification: identifiers a reader types exactly. */
  identifier: 16,
  other: 32,
} as const;
export type FieldName = keyof typeof Field;

/**
 * Lists up to this length are plain arrays of small integers: a typed array carries some
 * 200 bytes of its own (view, buffer, backing store), more than its entries until then.
 */
const SMALL_LIST = 24;

export class PostingList {
  entries: Int32Array | number[];
  length = 0;

  constructor(entries: number[] = []) {
    this.entries = entries;
    this.length = entries.length;
  }

  /** A list of one entry (`doc << FIELD_BITS | fields`). */
  static of(entry: number): PostingList {
    return new PostingList([entry]);
  }

  /** Adds `doc`; a term seen again in the same document only adds fields. */
  add(doc: number, fields: number): void {
    const entries = this.entries;
    const last = this.length - 1;
    if (last >= 0 && entries[last]! >>> FIELD_BITS === doc) {
      entries[last] = entries[last]! | fields;
      return;
    }
    const entry = (doc << FIELD_BITS) | fields;
    if (Array.isArray(entries)) {
      if (this.length < SMALL_LIST) {
        entries.push(entry);
        this.length++;
        return;
      }
      const packed = new Int32Array(SMALL_LIST * 2);
      packed.set(entries);
      this.entries = packed;
    } else if (this.length === entries.length) {
      const grown = new Int32Array(Math.ceil(entries.length * 1.5));
      grown.set(entries);
      this.entries = grown;
    }
    this.entries[this.length++] = entry;
  }

  /** Gives back the spare room left by growing (after an import). */
  trim(): void {
    const entries = this.entries;
    if (Array.isArray(entries) || entries.length - this.length < 16) return;
    this.entries = entries.slice(0, this.length);
  }
}

/**
 * A term's postings as the index keeps them: most terms of a large catalogue occur in one
 * record only, and those are kept as their one entry instead of a list.
 */
export type Postings = PostingList | number;

/** Adds `doc` to a term's postings; returns the postings to keep. */
export function addPosting(postings: Postings | undefined, doc: number, fields: number): Postings {
  if (postings === undefined) return (doc << FIELD_BITS) | fields;
  if (typeof postings !== 'number') {
    postings.add(doc, fields);
    return postings;
  }
  if (postings >>> FIELD_BITS === doc) return postings | fields;
  const list = PostingList.of(postings);
  list.add(doc, fields);
  return list;
}

/** The postings as a list. */
export function asList(postings: Postings): PostingList {
  return typeof postings === 'number' ? PostingList.of(postings) : postings;
}

/** How many records the term occurs in. */
export function documentFrequency(postings: Postings | undefined): number {
  return postings === undefined ? 0 : typeof postings === 'number' ? 1 : postings.length;
}

export function docOf(entry: number): number {
  return entry >>> FIELD_BITS;
}

export function fieldsOf(entry: number): number {
  return entry & FIELD_MASK;
}

/**
 * A query group's matches: sorted documents with the fields the group's terms
 * hit in each. Built by merging the alternatives of one query word (the word,
 * its pinyin, its traditional form…).
 */
export interface Matches {
  docs: Int32Array;
  fields: Uint8Array;
  /** Per document, the weight of the best alternative that matched (null: all 1). */
  weights: Float32Array | null;
  length: number;
}

/**
 * The documents where every list's term occurs (one alternative of a clause: e.g.
 * the bigrams of a long word). The fields are those all terms share, or, when they
 * share none, any of them.
 */
export function allOf(lists: readonly PostingList[], fieldFilter: number): Matches {
  if (lists.length === 1) return union(lists, fieldFilter);
  const parts = lists.map((l) => union([l], 63));
  const found = intersect(parts);
  const fields = new Uint8Array(found.length);
  let n = 0;
  const docs = new Int32Array(found.length);
  for (let i = 0; i < found.length; i++) {
    let common = 63;
    let any = 0;
    for (const f of found.fields) {
      common &= f[i]!;
      any |= f[i]!;
    }
    const mask = (common || any) & fieldFilter;
    if (mask === 0) continue;
    docs[n] = found.docs[i]!;
    fields[n++] = mask;
  }
  return { docs, fields, weights: null, length: n };
}

/** The documents matching any alternative, each with its fields and best weight. */
export function anyOf(alternatives: ReadonlyArray<{ matches: Matches; weight: number }>): Matches {
  const live = alternatives.filter((a) => a.matches.length > 0);
  if (live.length === 0)
    return { docs: new Int32Array(0), fields: new Uint8Array(0), weights: null, length: 0 };
  if (live.length === 1 && live[0]!.weight === 1) return live[0]!.matches;
  let total = 0;
  for (const a of live) total += a.matches.length;
  const docs = new Int32Array(total);
  const fields = new Uint8Array(total);
  const weights = new Float32Array(total);
  const pos = new Int32Array(live.length);
  let n = 0;
  for (;;) {
    let min = -1;
    for (let k = 0; k < live.length; k++) {
      const m = live[k]!.matches;
      if (pos[k]! < m.length && (min === -1 || m.docs[pos[k]!]! < min)) min = m.docs[pos[k]!]!;
    }
    if (min === -1) break;
    let f = 0;
    let w = 0;
    for (let k = 0; k < live.length; k++) {
      const m = live[k]!.matches;
      const at = pos[k]!;
      if (at < m.length && m.docs[at] === min) {
        f |= m.fields[at]!;
        const weight = live[k]!.weight * (m.weights ? m.weights[at]! : 1);
        if (weight > w) w = weight;
        pos[k] = at + 1;
      }
    }
    docs[n] = min;
    fields[n] = f;
    weights[n++] = w;
  }
  return { docs, fields, weights, length: n };
}

/** Index of `doc` in `m.docs[from…)`, or -1; `from` is advanced for the next call. */
export function find(m: Matches, cursor: { at: number }, doc: number): number {
  const at = seek(m.docs, m.length, cursor.at, doc);
  cursor.at = at;
  return at < m.length && m.docs[at] === doc ? at : -1;
}

/** One list's entries as matches; the two loops keep each element access monomorphic. */
function unpack(entries: Int32Array | number[], length: number, fieldFilter: number): Matches {
  const docs = new Int32Array(length);
  const fields = new Uint8Array(length);
  let n = 0;
  if (Array.isArray(entries)) {
    for (let i = 0; i < length; i++) {
      const e = entries[i]!;
      const f = e & FIELD_MASK & fieldFilter;
      if (f === 0) continue;
      docs[n] = e >>> FIELD_BITS;
      fields[n++] = f;
    }
  } else {
    for (let i = 0; i < length; i++) {
      const e = entries[i]!;
      const f = e & FIELD_MASK & fieldFilter;
      if (f === 0) continue;
      docs[n] = e >>> FIELD_BITS;
      fields[n++] = f;
    }
  }
  return { docs, fields, weights: null, length: n };
}

/** The union of several posting lists (OR), fields combined per document. */
export function union(lists: readonly PostingList[], fieldFilter: number): Matches {
  const live = lists.filter((l) => l.length > 0);
  if (live.length === 1) {
    const only = live[0]!;
    return unpack(only.entries, only.length, fieldFilter);
  }
  let total = 0;
  for (const l of live) total += l.length;
  const docs = new Int32Array(total);
  const fields = new Uint8Array(total);
  let n = 0;
  // k-way merge by repeated minimum; k is small (a word and a few alternatives).
  const pos = new Int32Array(live.length);
  for (;;) {
    let min = -1;
    for (let k = 0; k < live.length; k++) {
      if (pos[k]! < live[k]!.length) {
        const d = live[k]!.entries[pos[k]!]! >>> FIELD_BITS;
        if (min === -1 || d < min) min = d;
      }
    }
    if (min === -1) break;
    let f = 0;
    for (let k = 0; k < live.length; k++) {
      const list = live[k]!;
      if (pos[k]! < list.length && list.entries[pos[k]!]! >>> FIELD_BITS === min) {
        f |= list.entries[pos[k]!]! & FIELD_MASK;
        pos[k]!++;
      }
    }
    f &= fieldFilter;
    if (f !== 0) {
      docs[n] = min;
      fields[n++] = f;
    }
  }
  return { docs, fields, weights: null, length: n };
}

/** First index in `docs[from, length)` whose value is ≥ target (galloping, then binary). */
function seek(docs: Int32Array, length: number, from: number, target: number): number {
  let step = 1;
  let hi = from;
  while (hi < length && docs[hi]! < target) {
    from = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > length) hi = length;
  let lo = from;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Intersects groups (AND). Returns the matching documents and, per group, the
 * fields that group hit in each of them (for scoring).
 */
export function intersect(groups: readonly Matches[]): {
  docs: Int32Array;
  length: number;
  fields: Uint8Array[];
  /** Per group, the matched alternative's weight per document (null: all 1). */
  weights: Array<Float32Array | null>;
} {
  if (groups.length === 0) return { docs: new Int32Array(0), length: 0, fields: [], weights: [] };
  // One group (a one-word query, the commonest kind): its arrays are the answer.
  if (groups.length === 1) {
    const only = groups[0]!;
    return { docs: only.docs, length: only.length, fields: [only.fields], weights: [only.weights] };
  }
  const order = groups.map((_, i) => i).sort((a, b) => groups[a]!.length - groups[b]!.length);
  const smallest = groups[order[0]!]!;
  const docs = new Int32Array(smallest.length);
  const fields = groups.map(() => new Uint8Array(smallest.length));
  const weights = groups.map((g) => (g.weights ? new Float32Array(smallest.length) : null));
  const cursor = new Int32Array(groups.length);
  let n = 0;
  outer: for (let i = 0; i < smallest.length; i++) {
    const d = smallest.docs[i]!;
    for (let k = 1; k < order.length; k++) {
      const g = groups[order[k]!]!;
      const at = seek(g.docs, g.length, cursor[k]!, d);
      cursor[k] = at;
      if (at >= g.length) break outer;
      if (g.docs[at] !== d) continue outer;
    }
    docs[n] = d;
    for (let k = 0; k < order.length; k++) {
      const gi = order[k]!;
      const g = groups[gi]!;
      const at = k === 0 ? i : cursor[k]!;
      fields[gi]![n] = g.fields[at]!;
      const w = weights[gi];
      if (w) w[n] = g.weights![at]!;
    }
    n++;
  }
  return { docs, length: n, fields, weights };
}
