/**
 * Signatures and message encryption of the WeChat Official Account callback protocol
 * (research/wechat-protocol.md §1.2–1.4), on node:crypto alone.
 *
 * Nothing secret is cached at module level: callers pass the token and the key on every
 * call, so two accounts (or a rotated key) can never leak into each other.
 */
import {
  createCipheriv,
  createDecipheriv,
  hash,
  randomFillSync,
  timingSafeEqual,
} from 'node:crypto';

/** The closed set of failures, named as in WeChat's official sample code. */
export type WeChatCryptoErrorCode =
  | 'IllegalAesKey'
  | 'DecodeBase64Error'
  | 'DecryptAESError'
  | 'IllegalBuffer'
  | 'ValidateAppidError';

// The official samples' numeric codes (research §1.3), kept so logs match WeChat's docs.
const ERRCODES: Record<WeChatCryptoErrorCode, number> = {
  IllegalAesKey: -40004,
  ValidateAppidError: -40005,
  DecryptAESError: -40007,
  IllegalBuffer: -40008,
  DecodeBase64Error: -40010,
};

/**
 * A failed key parse or decryption. `code` is the closed name, `errcode` the official number.
 * Messages never contain the key or plaintext.
 *
 * @example
 * try {
 *   decryptMessage(key, body.Encrypt);
 * } catch (error) {
 *   if (error instanceof WeChatCryptoError) log.warn({ code: error.code }, 'undecryptable push');
 * }
 */
export class WeChatCryptoError extends Error {
  readonly code: WeChatCryptoErrorCode;
  readonly errcode: number;

  constructor(code: WeChatCryptoErrorCode, message: string) {
    super(message);
    this.name = 'WeChatCryptoError';
    this.code = code;
    this.errcode = ERRCODES[code];
  }
}

/**
 * WeChat's signature: hex SHA-1 of the parts sorted as plain strings and joined with nothing.
 * Three parts (token, timestamp, nonce) give `signature`; adding `Encrypt` gives `msg_signature`.
 *
 * @example
 * sha1Signature('AAAAA', '1714037059', '486452656');
 * // → '899cf89e464efb63f54ddac96b0a0a235f53aa78'
 */
export function sha1Signature(...parts: string[]): string {
  // The rest array is ours, so sorting it in place copies nothing the caller can see.
  return hash('sha1', parts.sort().join(''), 'hex');
}

/**
 * Compares two strings in time that does not depend on where they differ, so a forged
 * signature cannot be found byte by byte. Strings of different lengths are simply unequal.
 *
 * @example
 * safeEqual(given, expected); // true only for identical strings
 */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual throws on unequal lengths; the length of a hex digest is public anyway.
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks the plain `signature` query parameter every WeChat request carries (GET and POST).
 *
 * @example
 * verifySignature(query.signature, token, query.timestamp, query.nonce); // → boolean
 */
export function verifySignature(
  given: string | undefined,
  token: string,
  timestamp: string,
  nonce: string,
): boolean {
  if (given === undefined) return false;
  return safeEqual(given, sha1Signature(token, timestamp, nonce));
}

/**
 * Checks `msg_signature`, which covers the `<Encrypt>` text exactly as it arrived.
 *
 * @example
 * verifyMsgSignature(query.msg_signature, token, query.timestamp, query.nonce, envelope.Encrypt);
 */
export function verifyMsgSignature(
  given: string | undefined,
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
): boolean {
  if (given === undefined) return false;
  return safeEqual(given, sha1Signature(token, timestamp, nonce, encrypt));
}

const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;

/**
 * Turns the console's 43-character EncodingAESKey into the 32-byte AES key. Parse it once at
 * start-up and keep the Buffer in the account's config, not in a module-level cache.
 *
 * @example
 * parseEncodingAesKey('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG').toString('hex');
 * // → '69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051'
 */
export function parseEncodingAesKey(encodingAesKey: string): Buffer {
  if (!ENCODING_AES_KEY.test(encodingAesKey)) {
    throw new WeChatCryptoError(
      'IllegalAesKey',
      'EncodingAESKey must be 43 characters [A-Za-z0-9]',
    );
  }
  return Buffer.from(encodingAesKey + '=', 'base64');
}

function checkKey(key: Buffer): void {
  // A wrong-sized key would otherwise surface as node's own "Invalid key length".
  if (key.length !== 32) {
    throw new WeChatCryptoError('IllegalAesKey', 'AES key must be 32 bytes');
  }
}

/**
 * The 16 random bytes that open every encrypted reply, drawn from a pool that one call to the
 * CSPRNG refills 256 replies at a time: a call per reply costs more than the AES itself. The
 * same pooling node's own randomUUID does; every byte handed out is fresh and used once.
 */
const RANDOM_POOL = Buffer.alloc(16 * 256);
let randomPoolAt = RANDOM_POOL.length;

function fillRandomPrefix(target: Buffer): void {
  if (randomPoolAt === RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomPoolAt = 0;
  }
  RANDOM_POOL.copy(target, 0, randomPoolAt, randomPoolAt + 16);
  randomPoolAt += 16;
}

// WeChat pads to 32-byte blocks although AES blocks are 16 bytes, which is why node's own
// PKCS#7 (16-byte) padding must stay off in both directions.
const PAD_BLOCK = 32;

/**
 * Encrypts a reply for safe mode: `random(16) ‖ uint32BE(byte length) ‖ message ‖ appid`,
 * PKCS#7-padded to 32 bytes, AES-256-CBC with iv = key[0..16), base64.
 *
 * @example
 * const key = parseEncodingAesKey('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
 * encryptMessage(key, '我是中文abcd123', 'wxb11529c136998cb6', Buffer.from('aaaabbbbccccdddd'));
 * // → 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=='
 */
export function encryptMessage(
  key: Buffer,
  message: string,
  appid: string,
  random?: Buffer,
): string {
  checkKey(key);
  if (random !== undefined && random.length !== 16) {
    throw new RangeError('random must be 16 bytes');
  }
  const messageLength = Buffer.byteLength(message, 'utf8');
  const unpadded = 20 + messageLength + Buffer.byteLength(appid, 'utf8');
  const pad = PAD_BLOCK - (unpadded % PAD_BLOCK);
  // One buffer written in place: no concat of random, length, message and appid.
  const plain = Buffer.allocUnsafe(unpadded + pad);
  if (random === undefined) fillRandomPrefix(plain);
  else random.copy(plain, 0);
  plain.writeUInt32BE(messageLength, 16);
  plain.write(message, 20, 'utf8');
  plain.write(appid, 20 + messageLength, 'utf8');
  plain.fill(pad, unpadded);

  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  const head = cipher.update(plain);
  const tail = cipher.final();
  return (tail.length === 0 ? head : Buffer.concat([head, tail])).toString('base64');
}

// Canonical alphabet only: Buffer.from(…, 'base64') silently skips junk, which would let a
// mangled body reach AES and fail there with a less useful error.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decrypts an `<Encrypt>` value and returns the message and the appid it was sealed for.
 * The caller must compare `appid` with its own AppID (and throw `ValidateAppidError` if not).
 * Unlike the official samples, bad padding is an error, not silently treated as zero.
 *
 * @example
 * const { message, appid } = decryptMessage(key, envelope.Encrypt);
 * if (appid !== config.appid) throw new WeChatCryptoError('ValidateAppidError', 'appid mismatch');
 */
export function decryptMessage(key: Buffer, encrypted: string): { message: string; appid: string } {
  checkKey(key);
  const ciphertext = Buffer.from(encrypted, 'base64');
  // Canonical base64 encodes back to itself (the cheap check); anything else must at least
  // be made of the alphabet, which Buffer.from does not check.
  if (
    ciphertext.toString('base64') !== encrypted &&
    (encrypted.length % 4 !== 0 || !BASE64.test(encrypted))
  ) {
    throw new WeChatCryptoError('DecodeBase64Error', 'Encrypt is not base64');
  }
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new WeChatCryptoError(
      'DecryptAESError',
      'ciphertext is not a whole number of AES blocks',
    );
  }

  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const head = decipher.update(ciphertext);
    const tail = decipher.final();
    plain = tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    throw new WeChatCryptoError('DecryptAESError', 'AES decryption failed');
  }

  // A wrong key yields random bytes, so the padding check is what catches it (≈ always).
  const end = plain.length;
  const pad = plain[end - 1] ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || pad > end) {
    throw new WeChatCryptoError('IllegalBuffer', 'bad padding');
  }
  for (let i = end - pad; i < end - 1; i++) {
    if (plain[i] !== pad) throw new WeChatCryptoError('IllegalBuffer', 'bad padding');
  }
  const unpadded = end - pad;
  if (unpadded < 20) throw new WeChatCryptoError('IllegalBuffer', 'plaintext too short');
  const messageEnd = 20 + plain.readUInt32BE(16);
  if (messageEnd > unpadded) {
    throw new WeChatCryptoError('IllegalBuffer', 'length prefix beyond plaintext');
  }
  return {
    message: plain.toString('utf8', 20, messageEnd),
    appid: plain.toString('utf8', messageEnd, unpadded),
  };
}

/**
 * The JS-SDK `wx.config` signature. The URL's `#fragment` is dropped, as the page's own
 * `location.href.split('#')[0]` would be; nothing is URL-escaped.
 *
 * @example
 * jsapiSignature({
 *   ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
 *   nonceStr: 'Wm3WZYTPz0wzccnW',
 *   timestamp: 1414587457,
 *   url: 'http://mp.weixin.qq.com?params=value#xxxx',
 * }); // → '0f9de62fce790f9a083d5c99e95740ceb90c27ed'
 */
export function jsapiSignature(input: {
  ticket: string;
  nonceStr: string;
  timestamp: string | number;
  url: string;
}): string {
  const hashAt = input.url.indexOf('#');
  const url = hashAt === -1 ? input.url : input.url.slice(0, hashAt);
  const string1 = `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}&timestamp=${input.timestamp}&url=${url}`;
  return hash('sha1', string1, 'hex');
}
