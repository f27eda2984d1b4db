import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error a route may throw on purpose. It becomes an RFC 9457
 * `application/problem+json` answer with a stable `code` clients can act on.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

/** The one place errors become HTTP responses; unexpected errors never leak their text. */
export function problemResponse(c: Context, error: unknown): Response {
  const requestId = c.get('requestId' as never) as string | undefined;
  if (error instanceof HttpProblem) {
    return c.json(
      {
        type: 'about:blank',
        title: error.message,
        status: error.status,
        code: error.code,
        ...(requestId ? { requestId } : {}),
        ...(error.details ?? {}),
      },
      error.status,
      { 'content-type': 'application/problem+json' },
    );
  }
  return c.json(
    {
      type: 'about:blank',
      title: 'Internal error',
      status: 500,
      code: 'INTERNAL',
      ...(requestId ? { requestId } : {}),
    },
    500,
    { 'content-type': 'application/problem+json' },
  );
}
