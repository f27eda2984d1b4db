import { code128 } from './code128.ts';
import { canEncodeCode39, code39 } from './code39.ts';
import { qrMatrix } from './qr.ts';
import { linearSvg, matrixSvg } from './svg.ts';

export type Symbology = 'code128' | 'code39' | 'qr';

/**
 * The e-card: the card barcode as an SVG a desk scanner reads off a phone screen.
 * A barcode Code 39 cannot carry (lower case, other punctuation) falls back to Code 128,
 * which carries all printable ASCII; `symbology` says what was drawn.
 *
 * @example
 * renderEcard('S2024001', 'code39').svg; // '<svg xmlns=…'
 */
export function renderEcard(
  barcode: string,
  symbology: Symbology,
): { svg: string; symbology: Symbology } {
  if (symbology === 'qr') return { svg: matrixSvg(qrMatrix(barcode), barcode), symbology };
  if (symbology === 'code39' && canEncodeCode39(barcode)) {
    return { svg: linearSvg(code39(barcode), barcode), symbology };
  }
  return { svg: linearSvg(code128(barcode), barcode), symbology: 'code128' };
}
