/**
 * Code 128 (ISO/IEC 15417) for card barcodes: printable ASCII in subset B, runs of
 * digits packed in pairs in subset C where that makes the symbol shorter.
 */

// Bar/space widths of symbol values 0–106 (ISO/IEC 15417 Table 1); 106 is the stop.
// prettier-ignore
const WIDTHS: readonly string[] = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
];

const CODE_C = 99;
const CODE_B = 100;
const START_B = 104;
const START_C = 105;
const STOP = 106;

/** Bars and spaces of one symbol value as modules: `1` bar, `0` space. */
export function code128Pattern(value: number): string {
  const widths = WIDTHS[value];
  if (widths === undefined) throw new RangeError(`no Code 128 symbol ${value}`);
  let out = '';
  for (let i = 0; i < widths.length; i += 1)
    out += (i % 2 === 0 ? '1' : '0').repeat(Number(widths[i]));
  return out;
}

function digitRun(text: string, from: number): number {
  let end = from;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end += 1;
  return end - from;
}

/**
 * The symbol values for `text`, start to stop, check character included.
 *
 * @example
 * code128Symbols('AB1234'); // [104, 33, 34, 99, 12, 34, 43, 106]
 */
export function code128Symbols(text: string): number[] {
  if (text.length === 0) throw new RangeError('Code 128 needs at least one character');
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length !== 1 || code < 32 || code > 126) {
      throw new RangeError(`Code 128 subset B cannot encode "${char}"`);
    }
  }
  const values: number[] = [];
  const lead = digitRun(text, 0);
  // Subset C pays for itself from four leading digits, or two when the text is only digits.
  let subset: 'B' | 'C' = lead >= 4 || (lead === text.length && lead % 2 === 0) ? 'C' : 'B';
  values.push(subset === 'C' ? START_C : START_B);
  let i = 0;
  while (i < text.length) {
    const run = digitRun(text, i);
    if (subset === 'C') {
      if (run >= 2) {
        values.push(Number(text.slice(i, i + 2)));
        i += 2;
      } else {
        values.push(CODE_B);
        subset = 'B';
      }
      continue;
    }
    // A switch costs a symbol each way: worth it for six digits inside the text, four at its end.
    if (run >= 6 || (run >= 4 && i + run === text.length)) {
      if (run % 2 === 1) {
        values.push(text.charCodeAt(i) - 32);
        i += 1;
      }
      values.push(CODE_C);
      subset = 'C';
      continue;
    }
    values.push(text.charCodeAt(i) - 32);
    i += 1;
  }
  let sum = values[0]!;
  for (let k = 1; k < values.length; k += 1) sum += values[k]! * k;
  values.push(sum % 103, STOP);
  return values;
}

/**
 * The modules of the whole symbol (`1` bar, `0` space), without quiet zones.
 *
 * @example
 * code128('AIM'); // '11010010000101000110001100010001010111011000101110110001100011101011'
 */
export function code128(text: string): string {
  return code128Symbols(text).map(code128Pattern).join('');
}
