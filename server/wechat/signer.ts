/**
 * WeChat's side of the callback: builds a signed (and, in compatible or safe
 * mode, encrypted) push exactly as WeChat's servers send it, and opens an
 * encrypted reply as WeChat would. The simulator, the tests and the benchmark
 * use it to talk to `/wechat` like the real thing.
 */
import { randomInt } from 'node:crypto';
import {
  decryptMessage,
  encryptMessage,
  parseEncodingAesKey,
  sha1Signature,
  verifyMsgSignature,
} from './crypto.ts';
import { cdata, parseXml, xmlChildText } from './xml.ts';

export interface SignPushInput {
  /** The plaintext push XML. */
  readonly xml: string;
  readonly token: string;
  readonly mode: 'plain' | 'compat' | 'safe';
  readonly aesKey?: string;
  readonly appid?: string;
  /** Unix seconds; default now. */
  readonly timestamp?: string;
  readonly nonce?: string;
  /** The reader's openid, which WeChat also puts in the query. */
  readonly openid?: string;
}

/**
 * @example
 * const { query, body } = signPush({ xml, token: 'AAAAA', mode: 'safe', aesKey, appid });
 * await fetch(`${base}/wechat?${query}`, { method: 'POST', body });
 */
export function signPush(input: SignPushInput): { query: URLSearchParams; body: string } {
  const timestamp = input.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = input.nonce ?? String(randomInt(100_000_000, 2_000_000_000));
  const query = new URLSearchParams({
    signature: sha1Signature(input.token, timestamp, nonce),
    timestamp,
    nonce,
  });
  if (input.openid) query.set('openid', input.openid);
  if (input.mode === 'plain') return { query, body: input.xml };
  if (!input.aesKey || !input.appid)
    throw new Error('compatible and safe mode need aesKey and appid');
  const encrypt = encryptMessage(parseEncodingAesKey(input.aesKey), input.xml, input.appid);
  query.set('encrypt_type', 'aes');
  query.set('msg_signature', sha1Signature(input.token, timestamp, nonce, encrypt));
  const toUser = /<ToUserName><!\[CDATA\[(.*?)\]\]><\/ToUserName>/.exec(input.xml)?.[1] ?? '';
  const body =
    input.mode === 'safe'
      ? `<xml><ToUserName>${cdata(toUser)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`
      : input.xml.replace(/<\/xml>\s*$/, `<Encrypt>${cdata(encrypt)}</Encrypt></xml>`);
  return { query, body };
}

/** A GET URL-verification request as WeChat sends it when the server URL is saved. */
export function signVerification(
  token: string,
  echostr: string,
  timestamp?: string,
): URLSearchParams {
  const ts = timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  return new URLSearchParams({
    signature: sha1Signature(token, ts, nonce),
    timestamp: ts,
    nonce,
    echostr,
  });
}

/**
 * Opens a reply: plaintext as is; an encrypted envelope is checked (MsgSignature,
 * appid) and decrypted. `success` and an empty body come back as `null`.
 */
export function openReply(
  body: string,
  keys: { token: string; aesKey?: string; appid?: string },
): { xml: string; encrypted: boolean } | null {
  if (body === 'success' || body === '') return null;
  const envelope = parseXml(body).value;
  const encrypt = xmlChildText(envelope, 'Encrypt');
  if (encrypt === undefined) return { xml: body, encrypted: false };
  const timestamp = xmlChildText(envelope, 'TimeStamp') ?? '';
  const nonce = xmlChildText(envelope, 'Nonce') ?? '';
  if (
    !verifyMsgSignature(
      xmlChildText(envelope, 'MsgSignature'),
      keys.token,
      timestamp,
      nonce,
      encrypt,
    )
  ) {
    throw new Error('reply MsgSignature does not verify');
  }
  if (!keys.aesKey) throw new Error('an encrypted reply needs the aesKey');
  const opened = decryptMessage(parseEncodingAesKey(keys.aesKey), encrypt);
  if (keys.appid && opened.appid !== keys.appid)
    throw new Error(`reply appid ${opened.appid} is not ${keys.appid}`);
  return { xml: opened.message, encrypted: true };
}
