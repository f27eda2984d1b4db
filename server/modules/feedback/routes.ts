import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { HttpProblem } from '../../platform/http/problem.ts';
import {
  readerContext,
  readerProblem,
  type ReaderContextDeps,
  type RequestReader,
} from '../accounts/reader-context.ts';
import type { FeedbackService } from './service.ts';
import type { FeedbackMessageView, FeedbackSentAnswer, FeedbackThreadAnswer } from './types.ts';

export interface FeedbackRoutesDeps extends ReaderContextDeps {
  readonly feedback: Pick<FeedbackService, 'record' | 'thread' | 'photo'>;
}

export const MAX_FEEDBACK_CHARS = 1000;
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
// A photo in base64 with its text and the multipart framing stays well under this.
const MAX_BODY_BYTES = 3 * 1024 * 1024;

const jsonBody = z.object({
  text: z.string().max(MAX_FEEDBACK_CHARS).optional(),
  photo: z.string().max(MAX_BODY_BYTES).optional(),
});

/**
 * The image type from a file's first bytes (JPEG, PNG or WebP); null for anything else,
 * whatever the name or the declared type says.
 *
 * @example
 * photoType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // → 'image/jpeg'
 */
export function photoType(bytes: Uint8Array): 'image/jpeg' | 'image/png' | 'image/webp' | null {
  const starts = (offset: number, signature: readonly number[]) =>
    signature.every((b, i) => bytes[offset + i] === b);
  if (starts(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  // RIFF....WEBP
  if (starts(0, [0x52, 0x49, 0x46, 0x46]) && starts(8, [0x57, 0x45, 0x42, 0x50])) {
    return 'image/webp';
  }
  return null;
}

/** The request body, refused past `limit` bytes even when no Content-Length was sent. */
async function readBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  const tooLarge = () => new HttpProblem(413, 'BODY_TOO_LARGE', 'Request body too large');
  if (declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * `/api/v1/me/feedback`: the signed-in reader's conversation with the library (GET: their
 * messages and staff's replies, oldest first) and a new message (POST, multipart with
 * `text` and an optional `photo`, or JSON with the photo in base64). Photos are checked
 * by their first bytes, kept in the database, and shown only to their sender at
 * `/api/v1/me/feedback/photos/:id`. What each answers is typed in `types.ts`, which the
 * reader pages import.
 *
 * @example
 * app.route('/api/v1', feedbackRoutes({ feedback, bindings, sessions, publicUrl }));
 * // POST /api/v1/me/feedback (multipart: text=三楼空调太冷, photo=@ac.jpg) → 201 { message }
 */
export function feedbackRoutes(deps: FeedbackRoutesDeps) {
  const { readerOf, originCheck } = readerContext(deps);
  const routes = new Hono();
  routes.use('/me/feedback', originCheck);

  const invalid = (reader: RequestReader) =>
    readerProblem(400, 'INVALID_REQUEST', 'accounts.INVALID_REQUEST', reader.locale);

  const readMessage = async (
    c: Context,
    reader: RequestReader,
  ): Promise<{ text: string; photo: Uint8Array | null }> => {
    const type = c.req.header('content-type') ?? '';
    const raw = await readBytes(c.req.raw, MAX_BODY_BYTES);
    if (/^multipart\/form-data/i.test(type)) {
      let form: FormData;
      try {
        form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      } catch {
        throw invalid(reader);
      }
      const text = form.get('text');
      const photo = form.get('photo');
      if (text !== null && typeof text !== 'string') throw invalid(reader);
      return {
        text: text ?? '',
        photo:
          photo instanceof Blob && photo.size > 0
            ? new Uint8Array(await photo.arrayBuffer())
            : null,
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      throw invalid(reader);
    }
    const parsed = jsonBody.safeParse(json);
    if (!parsed.success) throw invalid(reader);
    return {
      text: parsed.data.text ?? '',
      photo: parsed.data.photo ? new Uint8Array(Buffer.from(parsed.data.photo, 'base64')) : null,
    };
  };

  routes.get('/me/feedback', async (c) => {
    const reader = await readerOf(c);
    const thread = await deps.feedback.thread(reader.key);
    const answer: FeedbackThreadAnswer = {
      messages: (thread?.messages ?? []).map((m): FeedbackMessageView => ({
        id: m.id,
        from: m.direction === 'in' ? 'reader' : 'library',
        kind: m.kind,
        text: m.body,
        photo: m.photoId === null ? null : { id: m.photoId, url: `photos/${m.photoId}` },
        at: new Date(m.createdAt).toISOString(),
      })),
      awaitingReply: thread?.conversation.awaitingReply ?? false,
    };
    return c.json(answer);
  });

  routes.post('/me/feedback', async (c) => {
    const reader = await readerOf(c);
    const message = await readMessage(c, reader);
    const text = message.text.trim();
    // Characters as readers count them, not UTF-16 units.
    if ([...text].length > MAX_FEEDBACK_CHARS) throw invalid(reader);
    let photo: { mime: string; bytes: Uint8Array } | null = null;
    if (message.photo) {
      if (message.photo.byteLength > MAX_PHOTO_BYTES) {
        throw readerProblem(413, 'PHOTO_TOO_LARGE', 'requests.PHOTO_TOO_LARGE', reader.locale);
      }
      const mime = photoType(message.photo);
      if (!mime) throw readerProblem(415, 'PHOTO_TYPE', 'requests.PHOTO_TYPE', reader.locale);
      photo = { mime, bytes: message.photo };
    }
    if (!text && !photo) {
      throw readerProblem(400, 'MESSAGE_EMPTY', 'requests.MESSAGE_EMPTY', reader.locale);
    }
    const { message: stored } = await deps.feedback.record({
      openid: reader.key,
      barcode: reader.barcode,
      kind: photo ? 'image' : 'text',
      body: text || null,
      photo,
    });
    const answer: FeedbackSentAnswer = {
      message: { id: stored.id, at: new Date(stored.createdAt).toISOString() },
    };
    return c.json(answer, 201);
  });

  routes.get('/me/feedback/photos/:id', async (c) => {
    const reader = await readerOf(c);
    const id = Number(c.req.param('id'));
    const photo = Number.isSafeInteger(id) && id > 0 ? await deps.feedback.photo(id) : null;
    // Another reader's photo is answered as if there were none.
    if (!photo || photo.openid !== reader.key) {
      throw readerProblem(404, 'PHOTO_NOT_FOUND', 'requests.PHOTO_NOT_FOUND', reader.locale);
    }
    return c.body(new Uint8Array(photo.bytes), 200, {
      'content-type': photo.mime,
      'cache-control': 'private, max-age=86400',
      'x-content-type-options': 'nosniff',
    });
  });

  return routes;
}
