import { encode } from 'uqr';

/**
 * The QR matrix for a card barcode (`true` dark), error correction M: enough to survive
 * a cracked screen protector, small enough to stay coarse for desk scanners.
 *
 * @example
 * qrMatrix('S2024001').length; // 21 (version 1)
 */
export function qrMatrix(text: string): boolean[][] {
  return encode(text, { ecc: 'M', border: 0 }).data;
}
