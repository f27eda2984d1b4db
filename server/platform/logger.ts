import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout, one object a line, time in epoch milliseconds. Secrets
 * that may travel in logged objects are redacted by exact path (wildcard paths
 * cost a scan of every logged object, and every WeChat push is logged).
 */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'shulin' },
      redact: {
        paths: [
          'secret',
          'password',
          'access_token',
          'config.wechat.secret',
          'config.wechat.tokens',
          'config.wechat.aesKeys',
          'wechat.secret',
          'wechat.tokens',
          'wechat.aesKeys',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
