/**
 * Parses a WeChat API response body like JSON.parse, except that integers beyond
 * Number.MAX_SAFE_INTEGER become their exact decimal strings. WeChat's msgid is a
 * 64-bit number written bare (node-webot/co-wechat-api#89); JSON.parse would round it
 * and the TEMPLATESENDJOBFINISH event could never be matched. Safe integers, decimals
 * and anything inside string literals are left as they are.
 *
 * @example
 * parseWeChatJson('{"errcode":0,"errmsg":"ok","msgid":4611686018427388905}');
 * // → { errcode: 0, errmsg: 'ok', msgid: '4611686018427388905' }
 * parseWeChatJson('{"n":42,"s":"99999999999999999999"}'); // → { n: 42, s: '99999999999999999999' }
 */
export function parseWeChatJson(text: string): unknown {
  // Nothing with 16+ consecutive digits means nothing to protect: skip the scan.
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  return JSON.parse(quoteUnsafeIntegers(text));
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Characters that can continue a JSON number token. */
function isNumberPart(code: number): boolean {
  return (
    isDigit(code) ||
    code === 0x2e ||
    code === 0x65 ||
    code === 0x45 ||
    code === 0x2b ||
    code === MINUS
  );
}

function isUnsafeInteger(token: string): boolean {
  // Only well-formed integers; a malformed token is left for JSON.parse to reject.
  if (!/^-?(?:0|[1-9]\d*)$/.test(token)) return false;
  // Every integer above 2^53 − 1 rounds to a double of at least 2^53, so this is exact.
  return !Number.isSafeInteger(Number(token));
}

/** Rewrites unsafe integer literals outside strings as string literals. */
function quoteUnsafeIntegers(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i += 1;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH) i += 2;
        else if (c === QUOTE) {
          i += 1;
          break;
        } else i += 1;
      }
      continue;
    }
    if (code === MINUS || isDigit(code)) {
      const start = i;
      i += 1;
      while (i < n && isNumberPart(text.charCodeAt(i))) i += 1;
      const token = text.slice(start, i);
      if (isUnsafeInteger(token)) {
        parts.push(text.slice(copied, start), '"', token, '"');
        copied = i;
      }
      continue;
    }
    i += 1;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}
