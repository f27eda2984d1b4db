/**
 * What kind of input this is, before any parsing: the container from the first bytes,
 * and the MARC flavour from a record's tags. The MARCXML namespace is the same for
 * MARC 21 and UNIMARC (BnF and Koha both use MARC21/slim), so flavour comes from content.
 */

export type Container = 'iso2709' | 'marcxml' | 'gzip' | 'unknown';
export type Flavour = 'marc21' | 'unimarc';

/**
 * The container of an input from its first bytes (a few hundred are plenty). Gzip is
 * reported, not unpacked: the caller decides whether to gunzip (readMarc in index.ts does).
 *
 * @example
 * detectContainer(Buffer.from('00733nam  2200229   4500')); // 'iso2709'
 * detectContainer(Buffer.from('<?xml version="1.0"?><collection>')); // 'marcxml'
 */
export function detectContainer(head: Uint8Array): Container {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  let i = 0;
  // UTF-8 byte order mark, then whitespace (exports often start with a newline).
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && isSpace(head[i] as number)) i++;
  if (head[i] === 0x3c) return 'marcxml';
  let digits = 0;
  while (digits < 5 && isDigit(head[i + digits] ?? 0)) digits++;
  return digits === 5 ? 'iso2709' : 'unknown';
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x00 || b === 0x1a;
}
function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** Tags only UNIMARC/CNMARC uses for these purposes (100 is ambiguous and not listed). */
const UNIMARC_TAGS = new Set([
  '010',
  '011',
  '101',
  '102',
  '105',
  '106',
  '205',
  '215',
  '225',
  '330',
  '606',
  '690',
  '701',
  '702',
  '801',
  '905',
  '995',
]);
/** Tags only MARC 21 uses for these purposes (010 is LCCN here, ISBN there: not listed). */
const MARC21_TAGS = new Set([
  '022',
  '035',
  '040',
  '041',
  '050',
  '082',
  '250',
  '300',
  '490',
  '520',
  '650',
  '670',
  '852',
  '880',
  '952',
]);

/**
 * The flavour of one record from its tags. Defining fields decide first: 200/210/214 for
 * UNIMARC; 245/260/264/020 and 008 (UNIMARC has no 008) for MARC 21. Then a count of
 * flavour-specific tags (010 is ISBN in UNIMARC but LCCN in MARC 21, so it only counts
 * here), then leader/23 ('0' in MARC 21, blank in UNIMARC). Null when nothing tells.
 *
 * @example
 * detectFlavour(['001', '010', '100', '200', '210']); // 'unimarc'
 * detectFlavour(['001', '008', '020', '245', '260']); // 'marc21'
 */
export function detectFlavour(tags: Iterable<string>, leader?: string): Flavour | null {
  let uniDefining = 0;
  let m21Defining = 0;
  let uni = 0;
  let m21 = 0;
  for (const tag of tags) {
    if (tag === '200' || tag === '210' || tag === '214') uniDefining++;
    else if (tag === '245' || tag === '260' || tag === '264' || tag === '020' || tag === '008') {
      m21Defining++;
    }
    if (UNIMARC_TAGS.has(tag)) uni++;
    else if (MARC21_TAGS.has(tag)) m21++;
  }
  if (uniDefining > 0 && m21Defining === 0) return 'unimarc';
  if (m21Defining > 0 && uniDefining === 0) return 'marc21';
  if (uni > m21) return 'unimarc';
  if (m21 > uni) return 'marc21';
  if (leader?.[23] === '0') return 'marc21';
  if (leader?.length === 24 && leader[23] === ' ') return 'unimarc';
  return null;
}
