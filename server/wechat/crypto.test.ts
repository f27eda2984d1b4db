import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  WeChatCryptoError,
  decryptMessage,
  encryptMessage,
  jsapiSignature,
  parseEncodingAesKey,
  safeEqual,
  sha1Signature,
  verifyMsgSignature,
  verifySignature,
} from './crypto.ts';
import { EXTRA_VECTORS, VECTORS } from './test-vectors.ts';

function cryptoError(fn: () => unknown): WeChatCryptoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WeChatCryptoError);
    return error as WeChatCryptoError;
  }
  throw new Error('expected a WeChatCryptoError, nothing was thrown');
}

// Encrypts an arbitrary, already padded plaintext, to build buffers encryptMessage never would.
function rawEncrypt(key: Buffer, plain: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

// The pad byte is the last plaintext byte; decrypting without unpadding shows it.
function padOf(key: Buffer, encrypted: string): number {
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(encrypted, 'base64'), decipher.final()]);
  return plain[plain.length - 1] ?? -1;
}

describe('sha1Signature and verifySignature', () => {
  it('P1: the official plain-mode example', () => {
    const v = VECTORS.official_doc_plain_push;
    expect(sha1Signature(v.token, v.timestamp, v.nonce)).toBe(v.expected_signature);
    expect(verifySignature(v.expected_signature, v.token, v.timestamp, v.nonce)).toBe(true);
  });

  it('P2: the official GET verification example', () => {
    const v = VECTORS.official_doc_url_verify_get;
    expect(verifySignature(v.expected_signature, v.token, v.timestamp, v.nonce)).toBe(true);
    expect(verifySignature(v.expected_signature, v.token, v.timestamp, v.echostr)).toBe(false);
  });

  it('C: the plain signature of the compatible-mode request', () => {
    const v = VECTORS.official_sample_decrypt_C;
    const expected = EXTRA_VECTORS.official_sample_decrypt_C_plain_signature;
    expect(sha1Signature(v.token, v.timestamp, v.nonce)).toBe(expected);
    expect(verifySignature(expected, v.token, v.timestamp, v.nonce)).toBe(true);
  });

  it('chanxuehong_sign: signature and msg_signature', () => {
    const v = VECTORS.chanxuehong_sign;
    expect(verifySignature(v.expected_signature, v.token, v.timestamp, v.nonce)).toBe(true);
    expect(
      verifyMsgSignature(v.expected_msg_signature, v.token, v.timestamp, v.nonce, v.encrypt),
    ).toBe(true);
  });

  it('wechat_crypto_sig: msg_signature over literal words', () => {
    const v = VECTORS.wechat_crypto_sig;
    expect(sha1Signature(v.token, v.timestamp, v.nonce, v.encrypt)).toBe(v.expected_msg_signature);
  });

  it('sorts as plain strings, whatever the argument order (WxJava, silenceper)', () => {
    expect(sha1Signature(...EXTRA_VECTORS.wxjava_sha1.parts)).toBe(
      EXTRA_VECTORS.wxjava_sha1.expected,
    );
    expect(sha1Signature('345', '123')).toBe(EXTRA_VECTORS.wxjava_sha1.expected);
    expect(sha1Signature('c', 'a', 'b')).toBe(EXTRA_VECTORS.silenceper_sha1.expected);
    // '10' < '9' as strings: a numeric sort would give a different digest.
    expect(sha1Signature('9', '10')).toBe(sha1Signature('10', '9'));
    expect(sha1Signature('9', '10')).toBe(createHash('sha1').update('109').digest('hex'));
  });

  it('rejects missing, tampered, truncated and case-changed signatures', () => {
    const v = VECTORS.official_doc_plain_push;
    const good = v.expected_signature;
    expect(verifySignature(undefined, v.token, v.timestamp, v.nonce)).toBe(false);
    expect(verifySignature('', v.token, v.timestamp, v.nonce)).toBe(false);
    expect(verifySignature(good.slice(0, -1), v.token, v.timestamp, v.nonce)).toBe(false);
    expect(verifySignature(good + '0', v.token, v.timestamp, v.nonce)).toBe(false);
    expect(verifySignature(good.toUpperCase(), v.token, v.timestamp, v.nonce)).toBe(false);
    expect(verifySignature(good, 'other', v.timestamp, v.nonce)).toBe(false);
    expect(verifyMsgSignature(undefined, v.token, v.timestamp, v.nonce, 'x')).toBe(false);
  });
});

describe('safeEqual', () => {
  it('compares without throwing on different lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    // Same UTF-16 length, different UTF-8 length.
    expect(safeEqual('é', 'e')).toBe(false);
  });
});

describe('parseEncodingAesKey', () => {
  it('decodes the 43-character key to 32 bytes', () => {
    const key = parseEncodingAesKey(VECTORS.official_sample_encrypt_A1.encodingAESKey);
    expect(key.toString('hex')).toBe(
      '69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051',
    );
    expect(parseEncodingAesKey('A'.repeat(43)).equals(Buffer.alloc(32))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['42 characters', 'A'.repeat(42)],
    ['44 characters', 'A'.repeat(44)],
    ['base64 "+"', 'A'.repeat(42) + '+'],
    ['padding', 'A'.repeat(42) + '='],
    ['whitespace', ' ' + 'A'.repeat(42)],
  ])('rejects %s with IllegalAesKey', (_name, text) => {
    const error = cryptoError(() => parseEncodingAesKey(text));
    expect(error.code).toBe('IllegalAesKey');
    expect(error.errcode).toBe(-40004);
  });
});

describe('encryptMessage', () => {
  it('A1: exact ciphertext with a fixed random, UTF-8 length prefix', () => {
    const v = VECTORS.official_sample_encrypt_A1;
    const key = parseEncodingAesKey(v.encodingAESKey);
    expect(encryptMessage(key, v.plaintext, v.appid, Buffer.from(v.random))).toBe(
      v.expected_encrypt,
    );
  });

  it('A2: the video reply, and its msg_signature', () => {
    const v = VECTORS.official_sample_encrypt_A2;
    const key = parseEncodingAesKey(v.encodingAESKey);
    const encrypt = encryptMessage(key, v.plaintext, v.appid, Buffer.from(v.random));
    expect(encrypt).toBe(v.expected_encrypt);
    expect(sha1Signature(v.token, v.timestamp, v.nonce, encrypt)).toBe(
      v.expected_msg_signature_computed,
    );
    expect(decryptMessage(key, encrypt)).toEqual({ message: v.plaintext, appid: v.appid });
  });

  it('E: the official encrypted reply (random 999951349e8ee746) and its MsgSignature', () => {
    const v = VECTORS.official_doc_safe_mode_E;
    const key = parseEncodingAesKey(v.encodingAESKey);
    const encrypt = encryptMessage(key, v.reply.plaintext, v.appid, Buffer.from(v.reply.random));
    expect(encrypt).toBe(v.reply.expected_encrypt);
    expect(sha1Signature(v.token, v.reply.timestamp, v.reply.nonce, encrypt)).toBe(
      v.reply.expected_msg_signature,
    );
  });

  it('uses a fresh random prefix by default', () => {
    const key = parseEncodingAesKey(VECTORS.official_sample_encrypt_A1.encodingAESKey);
    const a = encryptMessage(key, 'hello', 'wxappid');
    const b = encryptMessage(key, 'hello', 'wxappid');
    expect(a).not.toBe(b);
    expect(decryptMessage(key, a)).toEqual({ message: 'hello', appid: 'wxappid' });
    expect(decryptMessage(key, b)).toEqual({ message: 'hello', appid: 'wxappid' });
  });

  it('round-trips every padding length 1..32, including empty and multi-byte messages', () => {
    const key = parseEncodingAesKey(VECTORS.official_doc_safe_mode_E.encodingAESKey);
    const pads = new Set<number>();
    for (let n = 0; n < 64; n++) {
      const message = '书'.repeat(n % 7) + 'x'.repeat(n);
      const encrypt = encryptMessage(key, message, 'wx134c8103faa5a59e');
      pads.add(padOf(key, encrypt));
      expect(decryptMessage(key, encrypt)).toEqual({ message, appid: 'wx134c8103faa5a59e' });
    }
    expect(pads.size).toBe(32);
    expect(Math.min(...pads)).toBe(1);
    expect(Math.max(...pads)).toBe(32);
  });

  it('refuses a random that is not 16 bytes and a key that is not 32 bytes', () => {
    const key = parseEncodingAesKey('A'.repeat(43));
    expect(() => encryptMessage(key, 'x', 'wx', Buffer.alloc(15))).toThrow(RangeError);
    expect(cryptoError(() => encryptMessage(Buffer.alloc(16), 'x', 'wx')).code).toBe(
      'IllegalAesKey',
    );
  });
});

describe('decryptMessage', () => {
  it('B: msg_signature over the echostr, decrypt and receiveId', () => {
    const v = VECTORS.official_sample_verifyurl_B;
    const key = parseEncodingAesKey(v.encodingAESKey);
    expect(
      verifyMsgSignature(v.expected_msg_signature, v.token, v.timestamp, v.nonce, v.echostr),
    ).toBe(true);
    expect(decryptMessage(key, v.echostr)).toEqual({
      message: v.expected_plain,
      appid: v.receiveId,
    });
  });

  it('C: compatible-mode body with newlines between elements', () => {
    const v = VECTORS.official_sample_decrypt_C;
    const key = parseEncodingAesKey(v.encodingAESKey);
    expect(
      verifyMsgSignature(v.expected_msg_signature, v.token, v.timestamp, v.nonce, v.encrypt),
    ).toBe(true);
    expect(decryptMessage(key, v.encrypt)).toEqual({
      message: v.expected_plaintext,
      appid: v.appid,
    });
  });

  it('E: the official safe-mode push, pad 22 (breaks node default padding)', () => {
    const v = VECTORS.official_doc_safe_mode_E;
    const key = parseEncodingAesKey(v.encodingAESKey);
    expect(padOf(key, v.encrypt)).toBe(22);
    expect(
      verifyMsgSignature(v.expected_msg_signature, v.token, v.timestamp, v.nonce, v.encrypt),
    ).toBe(true);
    const { message, appid } = decryptMessage(key, v.encrypt);
    expect(message).toBe(v.expected_plaintext);
    expect(Buffer.byteLength(message)).toBe(292);
    expect(appid).toBe(v.appid);
  });

  it('easywechat: pad 21', () => {
    const v = VECTORS.easywechat_decrypt;
    const key = parseEncodingAesKey(v.encodingAESKey);
    expect(padOf(key, v.encrypt)).toBe(21);
    expect(
      verifyMsgSignature(v.expected_msg_signature, v.token, v.timestamp, v.nonce, v.encrypt),
    ).toBe(true);
    expect(decryptMessage(key, v.encrypt)).toEqual({
      message: v.expected_plaintext,
      appid: v.appid,
    });
  });

  it('PowerWeChat: decrypts, but the appid is the corp id, not the 1000005 the SDK test passes', () => {
    const v = VECTORS.powerwechat_wecom_decrypt;
    const key = parseEncodingAesKey(v.encodingAESKey);
    expect(
      verifyMsgSignature(v.expected_msg_signature, v.token, v.timestamp, v.nonce, v.encrypt),
    ).toBe(true);
    const { message, appid } = decryptMessage(key, v.encrypt);
    expect(message).toBe(v.expected_plaintext);
    expect(appid).toBe(v.actual_receiveId);
    expect(appid).toBe('wwedab3d5fc43636d8');
    // A strict caller configured with 1000005 must reject this push.
    expect(appid).not.toBe('1000005');
    const error = new WeChatCryptoError('ValidateAppidError', 'appid mismatch');
    expect(error.errcode).toBe(-40005);
  });

  describe('bad input never escapes as a raw node error', () => {
    const v = VECTORS.official_sample_decrypt_C;
    const key = parseEncodingAesKey(v.encodingAESKey);

    it.each([
      ['a space', v.encrypt.slice(0, 8) + ' ' + v.encrypt.slice(9)],
      ['a newline', v.encrypt.slice(0, 64) + '\n' + v.encrypt.slice(64)],
      ['URL-safe alphabet', v.encrypt.replace(/\+/g, '-').replace(/\//g, '_')],
      ['a length not a multiple of 4', v.encrypt.slice(0, -1)],
      ['padding in the middle', v.encrypt.slice(0, 20) + '==' + v.encrypt.slice(22)],
      ['three padding characters', v.encrypt.slice(0, -4) + 'A==='],
      ['non-ASCII', '书'.repeat(8)],
    ])('broken base64 (%s) → DecodeBase64Error', (_name, text) => {
      const error = cryptoError(() => decryptMessage(key, text));
      expect(error.code).toBe('DecodeBase64Error');
      expect(error.errcode).toBe(-40010);
    });

    it('empty ciphertext → DecryptAESError', () => {
      expect(cryptoError(() => decryptMessage(key, '')).code).toBe('DecryptAESError');
    });

    it('ciphertext not a multiple of 16 bytes → DecryptAESError', () => {
      const cut = Buffer.from(v.encrypt, 'base64').subarray(0, 100).toString('base64');
      const error = cryptoError(() => decryptMessage(key, cut));
      expect(error.code).toBe('DecryptAESError');
      expect(error.errcode).toBe(-40007);
    });

    it('ciphertext cut at a block boundary → IllegalBuffer', () => {
      const cut = Buffer.from(v.encrypt, 'base64').subarray(0, 96).toString('base64');
      expect(cryptoError(() => decryptMessage(key, cut)).code).toBe('IllegalBuffer');
    });

    it('wrong key → IllegalBuffer', () => {
      for (const wrong of [
        'A'.repeat(43),
        'B'.repeat(43),
        VECTORS.official_sample_verifyurl_B.encodingAESKey,
      ]) {
        const error = cryptoError(() => decryptMessage(parseEncodingAesKey(wrong), v.encrypt));
        expect(error.code).toBe('IllegalBuffer');
        expect(error.errcode).toBe(-40008);
      }
    });

    it('any wrong key or flipped bit gives a WeChatCryptoError, never a raw error', () => {
      // Seeded, so a failure reproduces.
      let seed = 0x9e3779b9;
      const next = (): number => {
        seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
        return seed;
      };
      const bytes = Buffer.from(v.encrypt, 'base64');
      for (let round = 0; round < 500; round++) {
        const mutated = Buffer.from(bytes);
        const at = next() % mutated.length;
        mutated[at] = (mutated[at] ?? 0) ^ (1 + (next() % 255));
        try {
          decryptMessage(key, mutated.toString('base64'));
        } catch (error) {
          expect(error).toBeInstanceOf(WeChatCryptoError);
        }
      }
    });

    it.each([
      ['pad byte 0', 0],
      ['pad byte 33', 33],
      ['pad byte 255', 255],
    ])('%s → IllegalBuffer', (_name, pad) => {
      const plain = Buffer.alloc(64, 7);
      plain[63] = pad;
      expect(cryptoError(() => decryptMessage(key, rawEncrypt(key, plain))).code).toBe(
        'IllegalBuffer',
      );
    });

    it('inconsistent pad bytes → IllegalBuffer', () => {
      const plain = Buffer.alloc(64, 0);
      plain.fill(4, 60);
      plain[61] = 3;
      expect(cryptoError(() => decryptMessage(key, rawEncrypt(key, plain))).code).toBe(
        'IllegalBuffer',
      );
    });

    it('plaintext shorter than 20 bytes → IllegalBuffer', () => {
      const plain = Buffer.alloc(32, 0);
      plain.fill(13, 19); // 19 bytes of data, pad 13
      expect(cryptoError(() => decryptMessage(key, rawEncrypt(key, plain))).code).toBe(
        'IllegalBuffer',
      );
    });

    it('length prefix beyond the plaintext → IllegalBuffer', () => {
      const plain = Buffer.alloc(64, 0x61);
      plain.writeUInt32BE(41, 16); // 20 + 41 > 64 - 4
      plain.fill(4, 60);
      expect(cryptoError(() => decryptMessage(key, rawEncrypt(key, plain))).code).toBe(
        'IllegalBuffer',
      );
      plain.writeUInt32BE(0xffffffff, 16);
      expect(cryptoError(() => decryptMessage(key, rawEncrypt(key, plain))).code).toBe(
        'IllegalBuffer',
      );
    });

    it('a full block of padding (pad 32) is accepted', () => {
      const plain = Buffer.alloc(64, 0x61);
      plain.writeUInt32BE(4, 16);
      plain.fill(32, 32);
      expect(decryptMessage(key, rawEncrypt(key, plain))).toEqual({
        message: 'aaaa',
        appid: 'aaaaaaaa',
      });
    });

    it('a key that is not 32 bytes → IllegalAesKey', () => {
      expect(cryptoError(() => decryptMessage(Buffer.alloc(24), v.encrypt)).code).toBe(
        'IllegalAesKey',
      );
    });
  });
});

describe('jsapiSignature', () => {
  it('J: the official JS-SDK example, with and without a #fragment', () => {
    const v = VECTORS.official_jssdk;
    const input = { ticket: v.jsapi_ticket, nonceStr: v.noncestr, timestamp: v.timestamp };
    expect(jsapiSignature({ ...input, url: v.url })).toBe(v.expected_signature);
    expect(jsapiSignature({ ...input, url: v.url + '#xxxx' })).toBe(v.expected_signature);
    expect(jsapiSignature({ ...input, url: v.url + '#' })).toBe(v.expected_signature);
    expect(jsapiSignature({ ...input, timestamp: Number(v.timestamp), url: v.url })).toBe(
      v.expected_signature,
    );
    expect(sha1Signature(v.expected_string1)).toBe(v.expected_signature);
  });

  it('easywechat: numeric timestamp', () => {
    const v = VECTORS.easywechat_jssdk;
    expect(
      jsapiSignature({
        ticket: v.jsapi_ticket,
        nonceStr: v.noncestr,
        timestamp: v.timestamp,
        url: v.url,
      }),
    ).toBe(v.expected_signature);
  });

  it('does not URL-escape: an escaped URL signs differently', () => {
    const v = VECTORS.official_jssdk;
    const input = { ticket: v.jsapi_ticket, nonceStr: v.noncestr, timestamp: v.timestamp };
    expect(jsapiSignature({ ...input, url: encodeURIComponent(v.url) })).not.toBe(
      v.expected_signature,
    );
  });
});
