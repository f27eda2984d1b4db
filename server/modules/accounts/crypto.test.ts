import { describe, expect, it } from 'vitest';
import { deriveKey, PasswordSealer, SealError, ValueSigner } from './crypto.ts';

const SECRET = 'a-secret-key-of-at-least-32-characters!!';

function flip(text: string, at: number): string {
  const bytes = Buffer.from(text, 'base64url');
  bytes[at] = bytes[at]! ^ 0x01;
  return bytes.toString('base64url');
}

describe('password sealing', () => {
  const sealer = new PasswordSealer(SECRET);

  it('round-trips, with a fresh IV every time and the password nowhere in the text', () => {
    const a = sealer.seal('密码 pa55', 'S2024001');
    const b = sealer.seal('密码 pa55', 'S2024001');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/);
    expect(a).not.toContain('pa55');
    expect(sealer.open(a, 'S2024001')).toBe('密码 pa55');
    expect(sealer.open(b, 'S2024001')).toBe('密码 pa55');
  });

  it('detects tampering with the IV, the ciphertext or the tag', () => {
    const sealed = sealer.seal('123456', 'S2024001');
    const [version, iv, body] = sealed.split('.') as [string, string, string];
    expect(() => sealer.open(`${version}.${flip(iv, 0)}.${body}`, 'S2024001')).toThrow(SealError);
    expect(() => sealer.open(`${version}.${iv}.${flip(body, 0)}`, 'S2024001')).toThrow(SealError);
    const tagAt = Buffer.from(body, 'base64url').length - 1;
    expect(() => sealer.open(`${version}.${iv}.${flip(body, tagAt)}`, 'S2024001')).toThrow(
      SealError,
    );
  });

  it('opens only for the card it was sealed for, under the same key and version', () => {
    const sealed = sealer.seal('123456', 'S2024001');
    expect(() => sealer.open(sealed, 'T1002')).toThrow(SealError);
    expect(() => new PasswordSealer(`${SECRET}-other`).open(sealed, 'S2024001')).toThrow(SealError);
    expect(() => sealer.open(sealed.replace(/^v1/, 'v2'), 'S2024001')).toThrow(SealError);
    expect(() => sealer.open('v1.AAAA.AAAA', 'S2024001')).toThrow(SealError);
    expect(() => sealer.open('plain-text', 'S2024001')).toThrow(SealError);
  });
});

describe('derived keys and signed values', () => {
  it('derives a different key per purpose', () => {
    expect(deriveKey(SECRET, 'a')).toHaveLength(32);
    expect(deriveKey(SECRET, 'a').equals(deriveKey(SECRET, 'b'))).toBe(false);
  });

  it('accepts its own signatures and nothing else', () => {
    const signer = new ValueSigner(SECRET, 'accounts/session-cookie');
    const signed = signer.sign('session-id');
    expect(signer.verify(signed)).toBe('session-id');
    expect(signer.verify(`other-id${signed.slice('session-id'.length)}`)).toBeNull();
    expect(signer.verify('session-id')).toBeNull();
    expect(signer.verify(`${signed}x`)).toBeNull();
    expect(signer.verify(undefined)).toBeNull();
    expect(new ValueSigner(SECRET, 'another purpose').verify(signed)).toBeNull();
  });
});
