/**
 * The peer: node-webot's `wechat` middleware (the most used Node implementation)
 * on Express 5, answering the same pushes with the same reply. One middleware
 * serves plaintext (signature) and safe mode (encrypt_type=aes, msg_signature).
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
// @ts-expect-error the peer ships no types
import wechat from 'wechat';
import { BENCH_ACCOUNT } from './common.ts';

const app = express();
app.use(
  '/wechat',

  wechat(
    {
      token: BENCH_ACCOUNT.token,
      appid: BENCH_ACCOUNT.appid,
      encodingAESKey: BENCH_ACCOUNT.aesKey,
    },

    wechat.text((message: { Content: string }, _req: unknown, res: { reply(s: string): void }) => {
      res.reply(`收到：${message.Content}`);
    }),
  ),
);
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: true, port: (server.address() as AddressInfo).port });
});
process.on('message', (msg: { stop?: boolean }) => {
  if (msg.stop) server.close(() => process.exit(0));
});
