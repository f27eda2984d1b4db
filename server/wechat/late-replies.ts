/**
 * Replies that missed WeChat's 5-second window go out through the
 * customer-service API as a retryable job, within WeChat's quotas: after a
 * reader's message, 5 messages in 48 hours; after a menu click, scan or
 * follow, 3 in one minute.
 */
import type { Logger } from 'pino';
import type { Jobs } from '../platform/jobs/types.ts';
import { PermanentJobError } from '../platform/jobs/types.ts';
import type { Kv } from '../platform/kv/types.ts';
import type { WeChatApiClient } from './api/client.ts';
import { WeChatApiError } from './api/errors.ts';
import type { CustomMessage } from './api/types.ts';
import type { LateReplies } from './gateway.ts';
import { toCustomerServiceMessage } from './replies.ts';

export const LATE_REPLY_JOB = 'wechat.late-reply';

export const CUSTOMER_SERVICE_QUOTA = {
  message: { limit: 5, windowMs: 48 * 3600 * 1000 },
  event: { limit: 3, windowMs: 60 * 1000 },
} as const;

interface LateReplyPayload {
  openid: string;
  trigger: 'message' | 'event';
  body: Record<string, unknown>;
}

// Errors WeChat will give again however often we ask: the reader's window closed,
// the quota is used up, the reader unfollowed or the openid is not ours.
const FINAL_ERRCODES = new Set([40003, 43004, 45015, 45047, 45008, 48001, 40164]);

/**
 * Registers the job and returns the `LateReplies` the gateway uses.
 *
 * @example
 * const lateReplies = defineLateReplies({ jobs, api, kv, logger });
 * new WeChatGateway({ …, lateReplies });
 */
export function defineLateReplies(deps: {
  jobs: Jobs;
  api: Pick<WeChatApiClient, 'sendCustomMessage'>;
  kv: Kv;
  logger: Logger;
}): LateReplies {
  const { jobs, api, kv, logger } = deps;
  jobs.define<LateReplyPayload>({
    name: LATE_REPLY_JOB,
    maxAttempts: 4,
    backoffMs: (retry) => 500 * 2 ** (retry - 1),
    handler: async (payload, context) => {
      if (context.attempt === 1) {
        const quota = CUSTOMER_SERVICE_QUOTA[payload.trigger];
        const used = await kv.incr(
          `wx:cs-quota:${payload.trigger}:${payload.openid}`,
          quota.windowMs,
        );
        if (used > quota.limit) {
          throw new PermanentJobError(
            `customer-service quota for ${payload.trigger} used up (${quota.limit}); reply not sent`,
          );
        }
      }
      try {
        // The body was built by toCustomerServiceMessage from a validated reply.
        await api.sendCustomMessage(payload.body as unknown as CustomMessage);
      } catch (error) {
        if (error instanceof WeChatApiError && FINAL_ERRCODES.has(error.errcode)) {
          throw new PermanentJobError(
            `WeChat refused the reply: ${error.errcode} ${error.errmsg}`,
            {
              cause: error,
            },
          );
        }
        throw error;
      }
      logger.debug({ openid: payload.openid }, 'late reply delivered');
    },
  });
  return {
    async deliver({ openid, reply, key, trigger }) {
      const body = toCustomerServiceMessage(reply, openid);
      if (!body) return;
      await jobs.enqueue<LateReplyPayload>(
        LATE_REPLY_JOB,
        { openid, trigger, body },
        { key: `late:${key}` },
      );
    },
  };
}
