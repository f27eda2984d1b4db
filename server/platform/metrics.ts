import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric Shulin exports, on a registry of its own (no global default), so
 * that tests and several apps in one process never share counters.
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'shulin_' });
  const httpRequests = new Counter({
    name: 'shulin_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const wechatMessages = new Counter({
    name: 'shulin_wechat_messages_total',
    help: 'WeChat pushes handled, by message type (event name for events) and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const wechatReplyLatency = new Histogram({
    name: 'shulin_wechat_reply_seconds',
    help: 'Time from receiving a WeChat push to answering it',
    labelNames: ['mode'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 4.5, 5],
    registers: [registry],
  });
  const wechatRejected = new Counter({
    name: 'shulin_wechat_rejected_total',
    help: 'WeChat callback requests refused, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const wechatDedupeHits = new Counter({
    name: 'shulin_wechat_dedupe_hits_total',
    help: 'Retried WeChat pushes recognised as duplicates',
    registers: [registry],
  });
  const wechatTokenRefreshes = new Counter({
    name: 'shulin_wechat_token_refreshes_total',
    help: 'access_token and jsapi_ticket fetches from WeChat',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const jobOutcomes = new Counter({
    name: 'shulin_jobs_total',
    help: 'Background job attempts, by job name and outcome',
    labelNames: ['name', 'outcome'] as const,
    registers: [registry],
  });
  const jobsPending = new Gauge({
    name: 'shulin_jobs_pending',
    help: 'Jobs waiting to run (in-process backend)',
    registers: [registry],
  });
  return {
    registry,
    httpRequests,
    wechatMessages,
    wechatReplyLatency,
    wechatRejected,
    wechatDedupeHits,
    wechatTokenRefreshes,
    jobOutcomes,
    jobsPending,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
