/**
 * The character sets SIP2 peers use on the wire. The protocol does not fix one:
 * FOLIO's edge-sip2 defaults to IBM850, Chinese ILSs speak GBK/GB18030 or UTF-8, older
 * self-check machines Latin-1. The choice is made once per deployment (SIP2_CHARSET).
 */
import { Buffer } from 'node:buffer';
import iconv from 'iconv-lite';

export type Sip2Charset = 'utf-8' | 'gbk' | 'gb18030' | 'latin1' | 'ibm850';

export const SIP2_CHARSETS: readonly Sip2Charset[] = [
  'utf-8',
  'gbk',
  'gb18030',
  'latin1',
  'ibm850',
];

const ICONV_NAMES = { gbk: 'gbk', gb18030: 'gb18030', ibm850: 'cp850' } as const;

/**
 * A string as the bytes the peer expects. Characters the set cannot hold become `?`
 * (iconv-lite's substitute), never an exception: a title must not stop a transaction.
 *
 * @example
 * encodeText('红楼梦', 'gbk'); // <Buffer ba ec c2 a5 c3 ce>
 */
export function encodeText(text: string, charset: Sip2Charset): Buffer {
  switch (charset) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'latin1':
      // Buffer's latin1 keeps only the low byte of each code unit; iconv substitutes instead.
      return iconv.encode(text, 'latin1');
    default:
      return iconv.encode(text, ICONV_NAMES[charset]);
  }
}

/**
 * Bytes from the peer as a string. Invalid sequences become U+FFFD rather than failing,
 * so one bad byte in a screen message does not lose the whole reply.
 *
 * @example
 * decodeText(Buffer.from([0xba, 0xec, 0xc2, 0xa5, 0xc3, 0xce]), 'gbk'); // '红楼梦'
 */
export function decodeText(bytes: Uint8Array, charset: Sip2Charset): string {
  const buf = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (charset) {
    case 'utf-8':
      return buf.toString('utf8');
    case 'latin1':
      return buf.toString('latin1');
    default:
      return iconv.decode(buf, ICONV_NAMES[charset]);
  }
}
