import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { BodyTooLarge, readBodyLimited } from '../../platform/http/body.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { AutoReplyService } from './service.ts';
import {
  AutoReplyRuleError,
  MATCH_TYPES,
  MAX_PATTERN_LENGTH,
  type AutoReplyInput,
  type AutoReplyRule,
} from './rules.ts';

export interface AutoReplyRoutesDeps {
  readonly autoReplies: AutoReplyService;
  /**
   * The staff API's bearer token. Without one the routes answer 403: auto-replies speak
   * for the library, so editing them is never open to anyone who finds the URL.
   */
  readonly staffToken: string | undefined;
}

const MAX_BODY_BYTES = 16 * 1024;

const url = z.string().trim().max(1024).nullable().optional();

const ruleBody = z.object({
  matchType: z.enum(MATCH_TYPES),
  pattern: z.string().min(1).max(MAX_PATTERN_LENGTH),
  priority: z.number().int().min(-1000).max(1000).default(0),
  enabled: z.boolean().default(true),
  reply: z.discriminatedUnion('type', [
    z.object({ type: z.literal('text'), content: z.string().min(1).max(2000) }),
    z.object({
      type: z.literal('news'),
      title: z.string().trim().min(1).max(64),
      description: z.string().max(120).nullable().optional(),
      url,
      picUrl: url,
    }),
  ]),
});

function toInput(body: z.infer<typeof ruleBody>): AutoReplyInput {
  const reply = body.reply;
  return {
    matchType: body.matchType,
    pattern: body.pattern,
    priority: body.priority,
    enabled: body.enabled,
    reply:
      reply.type === 'text'
        ? reply
        : {
            type: 'news',
            title: reply.title,
            description: reply.description ?? null,
            url: reply.url || null,
            picUrl: reply.picUrl || null,
          },
  };
}

function present(rule: AutoReplyRule) {
  return {
    id: rule.id,
    matchType: rule.matchType,
    pattern: rule.pattern,
    priority: rule.priority,
    enabled: rule.enabled,
    reply: rule.reply,
    createdAt: new Date(rule.createdAt).toISOString(),
    updatedAt: new Date(rule.updatedAt).toISOString(),
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function bearer(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!token) {
      throw new HttpProblem(403, 'STAFF_API_DISABLED', 'The staff API has no token configured');
    }
    const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    // Hashed first so that the comparison takes as long whatever the lengths.
    if (!given || !timingSafeEqual(digest(given), digest(token))) {
      c.header('www-authenticate', 'Bearer realm="shulin-staff"');
      throw new HttpProblem(401, 'STAFF_UNAUTHENTICATED', 'A valid staff bearer token is required');
    }
    await next();
  };
}

function idOf(c: Context): number {
  const id = Number(c.req.param('id'));
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpProblem(400, 'INVALID_ID', 'Invalid id');
  return id;
}

async function bodyOf(c: Context): Promise<AutoReplyInput> {
  let json: unknown;
  try {
    json = JSON.parse(await readBodyLimited(c.req.raw, MAX_BODY_BYTES));
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      throw new HttpProblem(413, 'BODY_TOO_LARGE', `The body is over ${MAX_BODY_BYTES} bytes`);
    }
    throw new HttpProblem(400, 'INVALID_BODY', 'The body is not JSON');
  }
  const parsed = ruleBody.safeParse(json);
  if (!parsed.success) {
    throw new HttpProblem(400, 'INVALID_BODY', 'Invalid auto-reply rule', {
      errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  }
  return toInput(parsed.data);
}

async function checked<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AutoReplyRuleError) {
      throw new HttpProblem(422, 'INVALID_RULE', error.message, {
        errors: [{ field: error.field, message: error.message }],
      });
    }
    throw error;
  }
}

/**
 * `/api/v1/auto-replies` (GET list, POST create) and `/api/v1/auto-replies/:id` (GET, PUT,
 * DELETE), all behind the staff bearer token.
 *
 * @example
 * app.route('/api/v1', autoReplyRoutes({ autoReplies, staffToken: config.staffApiToken }));
 */
export function autoReplyRoutes(deps: AutoReplyRoutesDeps) {
  const { autoReplies } = deps;
  const routes = new Hono();
  routes.use('/auto-replies', bearer(deps.staffToken));
  routes.use('/auto-replies/*', bearer(deps.staffToken));

  routes.get('/auto-replies', async (c) =>
    c.json({ rules: (await autoReplies.list()).map(present) }),
  );

  routes.post('/auto-replies', async (c) => {
    const input = await bodyOf(c);
    const rule = await checked(() => autoReplies.create(input));
    return c.json(present(rule), 201, { location: `${c.req.path}/${rule.id}` });
  });

  routes.get('/auto-replies/:id', async (c) => {
    const rule = await autoReplies.get(idOf(c));
    if (!rule) throw new HttpProblem(404, 'RULE_NOT_FOUND', 'No such auto-reply rule');
    return c.json(present(rule));
  });

  routes.put('/auto-replies/:id', async (c) => {
    const id = idOf(c);
    const input = await bodyOf(c);
    const rule = await checked(() => autoReplies.update(id, input));
    if (!rule) throw new HttpProblem(404, 'RULE_NOT_FOUND', 'No such auto-reply rule');
    return c.json(present(rule));
  });

  routes.delete('/auto-replies/:id', async (c) => {
    if (!(await autoReplies.delete(idOf(c)))) {
      throw new HttpProblem(404, 'RULE_NOT_FOUND', 'No such auto-reply rule');
    }
    return c.body(null, 204);
  });

  return routes;
}
