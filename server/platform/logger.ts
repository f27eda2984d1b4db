import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout. Secrets that may travel in objects are redacted by key,
 * so a careless `log.info({ config })` cannot leak the AppSecret or a card password.
 */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'shulin' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          '*.secret',
          '*.password',
          '*.aesKey',
          '*.aesKeys',
          '*.token',
          '*.tokens',
          '*.access_token',
          'secret',
          'password',
          'access_token',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
