import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { pushXml, type FixtureKind } from './fixtures.ts';
import { parseInboundMessage } from './messages.ts';
import { MessageRouter, type HandlerContext } from './router.ts';
import { parseXml } from './xml.ts';

const context: HandlerContext = {
  openid: 'o1',
  requestId: 'r1',
  logger: pino({ level: 'silent' }),
  signal: new AbortController().signal,
  mode: 'plain',
};

const message = (kind: FixtureKind, overrides: Parameters<typeof pushXml>[1] = {}) =>
  parseInboundMessage(parseXml(pushXml(kind, overrides)).value);

const text = (content: string) => ({ type: 'text' as const, content });

describe('MessageRouter', () => {
  it('answers undefined (success) when nothing is registered', async () => {
    expect(await new MessageRouter().dispatch(message('text'), context)).toBeUndefined();
  });

  it('prefers text rules over the message-type handler, in registration order', async () => {
    const router = new MessageRouter()
      .onMessage('text', (m) => text(`search:${m.content}`))
      .onText(/^(帮助|help)$/i, () => text('help'))
      .onText('帮助', () => text('never: an earlier rule answered'));
    expect(await router.dispatch(message('text', { Content: ' HELP ' }), context)).toEqual(
      text('help'),
    );
    expect(await router.dispatch(message('text', { Content: '帮助' }), context)).toEqual(
      text('help'),
    );
    expect(await router.dispatch(message('text', { Content: '三体' }), context)).toEqual(
      text('search:三体'),
    );
  });

  it('falls through a handler that returns nothing to the next one', async () => {
    const router = new MessageRouter()
      .onText(/.*/, () => undefined)
      .onMessage('text', () => text('second'));
    expect(await router.dispatch(message('text'), context)).toEqual(text('second'));
  });

  it('routes menu keys for clicks and scans, then events, then the fallback', async () => {
    const seen: string[] = [];
    const router = new MessageRouter()
      .onMenuKey('MY_LOANS', () => text('loans'))
      .onMenuKey(/^rselfmenu_/, (m) => {
        seen.push(m.event);
        return text(m.event === 'scancode_waitmsg' ? `scan:${m.scanCodeInfo.code}` : 'other');
      })
      .onEvent('subscribe', (m) => text(`welcome:${m.eventKey ?? ''}`))
      .otherwise(() => text('fallback'));
    expect(await router.dispatch(message('CLICK', { EventKey: 'MY_LOANS' }), context)).toEqual(
      text('loans'),
    );
    expect(await router.dispatch(message('scancode_waitmsg'), context)).toEqual(
      text('scan:6911316223400'),
    );
    expect(await router.dispatch(message('subscribe'), context)).toEqual(text('welcome:'));
    expect(await router.dispatch(message('CLICK', { EventKey: 'UNKNOWN' }), context)).toEqual(
      text('fallback'),
    );
    expect(await router.dispatch(message('unknown_event'), context)).toEqual(text('fallback'));
    expect(seen).toEqual(['scancode_waitmsg']);
  });

  it('runs middleware in order around the handlers; middleware may answer itself', async () => {
    const order: string[] = [];
    const router = new MessageRouter()
      .use(async (_m, _c, next) => {
        order.push('outer:before');
        const reply = await next();
        order.push('outer:after');
        return reply;
      })
      .use((m, _c, next) => (m.kind === 'image' ? text('images go to staff') : next()))
      .onMessage('text', () => {
        order.push('handler');
        return text('ok');
      });
    expect(await router.dispatch(message('text'), context)).toEqual(text('ok'));
    expect(order).toEqual(['outer:before', 'handler', 'outer:after']);
    expect(await router.dispatch(message('image'), context)).toEqual(text('images go to staff'));
  });

  it('lets a handler error reach the caller (the gateway logs it and answers success)', async () => {
    const router = new MessageRouter().onMessage('text', () => {
      throw new Error('bug');
    });
    expect(() => router.dispatch(message('text'), context)).toThrow('bug');
    const later = new MessageRouter().onMessage('text', () => Promise.reject(new Error('late')));
    await expect(later.dispatch(message('text'), context)).rejects.toThrow('late');
  });

  it('answers synchronously when the handlers do, and waits when one of them does not', async () => {
    const sync = new MessageRouter().onMessage('text', () => text('now'));
    expect(sync.dispatch(message('text'), context)).toEqual(text('now'));
    const mixed = new MessageRouter()
      .onText(/.*/, () => Promise.resolve(undefined))
      .onMessage('text', () => text('after'));
    const answer = mixed.dispatch(message('text'), context);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toEqual(text('after'));
  });
});
