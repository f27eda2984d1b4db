import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/support/app.ts';
import { dialects } from '../../../test/support/databases.ts';
import { cardKey } from '../accounts/reader-context.ts';
import { signIn, startReaderApp } from '../suggestions/reader.test-util.ts';
import { MAX_PHOTO_BYTES, photoType } from './routes.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const WEBP = new Uint8Array([...'RIFF\x10\0\0\0WEBPVP8 '].map((ch) => ch.charCodeAt(0)));

interface Thread {
  messages: {
    id: number;
    from: string;
    text: string | null;
    photo: { id: number; url: string } | null;
    at: string;
  }[];
  awaitingReply: boolean;
}

describe('photoType', () => {
  it('knows JPEG, PNG and WebP by their first bytes and nothing else', () => {
    expect(photoType(JPEG)).toBe('image/jpeg');
    expect(photoType(PNG)).toBe('image/png');
    expect(photoType(WEBP)).toBe('image/webp');
    expect(photoType(new TextEncoder().encode('GIF89a……'))).toBeNull();
    expect(photoType(new TextEncoder().encode('RIFF\0\0\0\0WAVE'))).toBeNull();
    expect(photoType(new Uint8Array())).toBeNull();
  });
});

describe.each(dialects)('the reader feedback API on %s', (dialect) => {
  let t: TestApp;
  let carol: string;
  let dave: string;
  const send = (cookie: string, form: FormData, headers: Record<string, string> = {}) =>
    t.request('/api/v1/me/feedback', {
      method: 'POST',
      headers: { cookie, 'accept-language': 'en', ...headers },
      body: form,
    });
  const form = (text: string, photo?: Uint8Array, type = 'image/png') => {
    const body = new FormData();
    body.set('text', text);
    if (photo) body.set('photo', new Blob([new Uint8Array(photo)], { type }), 'photo');
    return body;
  };
  const thread = async (cookie: string): Promise<Thread> => {
    const response = await t.request('/api/v1/me/feedback', { headers: { cookie } });
    expect(response.status).toBe(200);
    return (await response.json()) as Thread;
  };

  beforeAll(async () => {
    t = await startReaderApp(dialect);
    carol = await signIn(t, '20260003');
    dave = await signIn(t, '20260004');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('turns away readers who are not signed in', async () => {
    const response = await t.request('/api/v1/me/feedback', { method: 'POST', body: form('x') });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('keeps a message with a photo, shows it to its sender only, and shows the reply', async () => {
    expect(await thread(carol)).toEqual({ messages: [], awaitingReply: false });
    const sent = await send(carol, form('三楼空调太冷', PNG));
    expect(sent.status).toBe(201);
    const json = await send(carol, form(''), { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    const base64 = await t.request('/api/v1/me/feedback', {
      method: 'POST',
      headers: { cookie: carol, 'content-type': 'application/json' },
      body: JSON.stringify({ photo: Buffer.from(JPEG).toString('base64') }),
    });
    expect(base64.status).toBe(201);

    const mine = await thread(carol);
    expect(mine.awaitingReply).toBe(true);
    expect(mine.messages.map((m) => [m.from, m.text, m.photo !== null])).toEqual([
      ['reader', '三楼空调太冷', true],
      ['reader', null, true],
    ]);
    const [first, second] = mine.messages;
    const photo = await t.request(`/api/v1/me/feedback/${first!.photo!.url}`, {
      headers: { cookie: carol },
    });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(photo.headers.get('cache-control')).toMatch(/^private/);
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(PNG);
    const jpeg = await t.request(`/api/v1/me/feedback/photos/${second!.photo!.id}`, {
      headers: { cookie: carol },
    });
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');

    const stolen = await t.request(`/api/v1/me/feedback/photos/${first!.photo!.id}`, {
      headers: { cookie: dave },
    });
    expect(stolen.status).toBe(404);
    expect(await stolen.json()).toMatchObject({ code: 'PHOTO_NOT_FOUND' });
    expect((await thread(dave)).messages).toEqual([]);

    const { feedback } = t.shulin.services.conversation;
    expect(await feedback.recordReply(cardKey('20260003'), '已调高温度')).not.toBeNull();
    const answered = await thread(carol);
    expect(answered.awaitingReply).toBe(false);
    expect(answered.messages.at(-1)).toMatchObject({
      from: 'library',
      text: '已调高温度',
      photo: null,
    });
  });

  it('refuses other files, large photos, long texts and empty messages', async () => {
    const gif = await send(dave, form('look', new TextEncoder().encode('GIF89a....'), 'image/png'));
    expect(gif.status).toBe(415);
    expect(await gif.json()).toMatchObject({
      code: 'PHOTO_TYPE',
      detail: 'The photo must be a JPEG, PNG or WebP image.',
    });
    const big = new Uint8Array(MAX_PHOTO_BYTES + 1);
    big.set(JPEG);
    const large = await send(dave, form('big', big));
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ code: 'PHOTO_TOO_LARGE' });
    const exactly = new Uint8Array(MAX_PHOTO_BYTES);
    exactly.set(JPEG);
    expect((await send(dave, form('', exactly))).status).toBe(201);

    expect((await send(dave, form('字'.repeat(1000)))).status).toBe(201);
    const long = await send(dave, form('字'.repeat(1001)));
    expect(long.status).toBe(400);
    const empty = await send(dave, form('   '));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 'MESSAGE_EMPTY' });
    expect((await thread(dave)).messages.map((m) => m.text)).toEqual([null, '字'.repeat(1000)]);
  });

  it('refuses writes from another origin', async () => {
    const response = await send(carol, form('x'), { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
  });
});
