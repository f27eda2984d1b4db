/**
 * One "instance" in the cross-process token race test (token-race.test.ts): its own
 * RedisKv and WeChatApiClient, pointed at the shared fake WeChat API and Redis prefix.
 *
 *   node --import tsx token-race-child.ts <fakeUrl> <redisUrl> <prefix> <appid> <secret> <count> <label>
 *
 * Prints `ready` once Redis answers, waits for a `go` line on stdin (the common start
 * signal, so both processes fire together whatever their start-up time), fires
 * <count> concurrent 客服 sends to distinct openids, prints one JSON result line, exits.
 */
import { createInterface } from 'node:readline';
import { RedisKv } from '../../../platform/kv/redis.ts';
import { WeChatApiClient } from '../client.ts';
import { WeChatApiError } from '../errors.ts';

const [fakeUrl, redisUrl, prefix, appid, secret, countArg, label] = process.argv.slice(2);
if (!fakeUrl || !redisUrl || !prefix || !appid || !secret || !countArg || !label) {
  process.stderr.write(
    'usage: token-race-child <fakeUrl> <redisUrl> <prefix> <appid> <secret> <count> <label>\n',
  );
  process.exit(2);
}

const kv = new RedisKv(redisUrl, { prefix });
const client = new WeChatApiClient({
  appid,
  secret,
  baseUrl: fakeUrl,
  kv,
  retryDelaysMs: [20, 40, 80],
});
await kv.ping();

const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => {
  lines.on('line', (line) => {
    if (line.trim() === 'go') resolve();
  });
});
process.stdout.write('ready\n');
await go;
lines.close();

const results = await Promise.allSettled(
  Array.from({ length: Number(countArg) }, (_, i) =>
    client.sendCustomMessage({
      touser: `o${label}${i}`,
      msgtype: 'text',
      text: { content: `race ${label} ${i}` },
    }),
  ),
);
const errors = results.flatMap((r) =>
  r.status === 'rejected'
    ? [
        r.reason instanceof WeChatApiError
          ? `${r.reason.errcode} ${r.reason.errmsg}`
          : String(r.reason),
      ]
    : [],
);
process.stdout.write(`${JSON.stringify({ ok: results.length - errors.length, errors })}\n`);
await kv.close();
