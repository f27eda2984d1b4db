import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/**
 * Keys for one purpose each, derived from `config.secret.key` with HKDF-SHA256, so that
 * the key that seals card passwords never signs a cookie and vice versa.
 *
 * @example
 * const key = deriveKey(config.secret.key, 'accounts/session-cookie'); // 32 bytes
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'shulin', `shulin/${purpose}/v1`, 32));
}

/** The sealed text is not ours, was altered, or was sealed with another key. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals card passwords with AES-256-GCM: `v1.<iv>.<ciphertext+tag>` (base64url), a
 * fresh random IV every time. The barcode is bound in as associated data, so a sealed
 * password copied onto another card's row does not open. The version prefix lets a
 * later format (or key) be introduced while old values are still read.
 */
export class PasswordSealer {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = deriveKey(secret, 'accounts/patron-password');
  }

  /**
   * @example
   * const sealed = sealer.seal('123456', 'S2024001'); // 'v1.Xk3…'
   */
  seal(password: string, barcode: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(barcode, 'utf8'));
    const body = Buffer.concat([
      cipher.update(password, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /**
   * Opens what `seal` made for the same barcode; throws SealError otherwise.
   *
   * @example
   * sealer.open(sealed, 'S2024001'); // '123456'
   */
  open(sealed: string, barcode: string): string {
    const [version, ivText, bodyText, ...rest] = sealed.split('.');
    if (version !== VERSION || ivText === undefined || bodyText === undefined || rest.length) {
      throw new SealError('not a sealed password of a known version');
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
      throw new SealError('sealed password is truncated');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(Buffer.from(barcode, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SealError('sealed password does not authenticate');
    }
  }
}

/**
 * HMAC-SHA256 signatures for values handed to browsers (cookie values): `value.sig`.
 * `verify` compares in constant time and returns the value, or null.
 *
 * @example
 * const signer = new ValueSigner(config.secret.key, 'accounts/session-cookie');
 * signer.verify(signer.sign('abc')); // 'abc'
 */
export class ValueSigner {
  readonly #key: Buffer;

  constructor(secret: string, purpose: string) {
    this.#key = deriveKey(secret, purpose);
  }

  #mac(value: string): Buffer {
    return createHmac('sha256', this.#key).update(value).digest();
  }

  sign(value: string): string {
    return `${value}.${this.#mac(value).toString('base64url')}`;
  }

  verify(signed: string | undefined | null): string | null {
    if (!signed) return null;
    const dot = signed.lastIndexOf('.');
    if (dot <= 0) return null;
    const value = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1), 'base64url');
    const expected = this.#mac(value);
    return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
  }
}
