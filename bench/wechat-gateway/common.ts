import { randomBytes } from 'node:crypto';
import { signPush } from '../../server/wechat/signer.ts';

/** One Official Account both servers are configured with. */
export const BENCH_ACCOUNT = {
  appid: 'wxbench0000000001',
  token: 'benchToken2026',
  aesKey: 'BenchEncodingAESKey0123456789abcdefghijklmn',
  originalId: 'gh_bench00000001',
} as const;

const WORDS = [
  '三体',
  '红楼梦',
  '数学分析',
  '机器学习',
  '开馆时间',
  '我的借阅',
  'The Great Gatsby',
  '续借',
  '中国近代史纲要',
  'hongloumeng',
];

/**
 * `count` distinct, correctly signed text pushes: each with its own MsgId,
 * openid and nonce, so the dedupe and the message log do real work.
 */
export function makePushes(count: number, mode: 'plain' | 'safe', timestamp: number) {
  const pushes: Array<{ path: string; body: string }> = [];
  for (let i = 0; i < count; i++) {
    const openid = `oBench${randomBytes(10).toString('base64url')}`;
    const msgId = String(
      7_000_000_000_000_000_000n + BigInt(i) + (mode === 'safe' ? 500_000n : 0n),
    );
    const content = `${WORDS[i % WORDS.length]} ${i}`;
    // One line, so that wrk's Lua can read the pushes line by line.
    const xml =
      `<xml><ToUserName><![CDATA[${BENCH_ACCOUNT.originalId}]]></ToUserName>` +
      `<FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${timestamp}</CreateTime>` +
      `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
    const { query, body } = signPush({
      xml,
      token: BENCH_ACCOUNT.token,
      mode,
      aesKey: BENCH_ACCOUNT.aesKey,
      appid: BENCH_ACCOUNT.appid,
      timestamp: String(timestamp),
      openid,
    });
    pushes.push({ path: `?${query.toString()}`, body });
  }
  return pushes;
}
