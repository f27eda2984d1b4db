/**
 * The conversation's handlers on the WeChat message router: thin, each hands one push to
 * the ChatService. Registered after any handlers already on the router (tests and the
 * simulator may add their own first).
 */
import type { MessageRouter } from '../../wechat/router.ts';
import type { WeChatEvent } from '../../wechat/messages.ts';
import { parseBindScene } from '../accounts/index.ts';
import { MENU_KEY } from './menu.ts';
import { voiceText } from './intents.ts';
import type { ChatService } from './service.ts';

function scanned(message: WeChatEvent): string | null {
  return 'scanCodeInfo' in message ? message.scanCodeInfo.code.trim() || null : null;
}

/**
 * Registers the conversation on the router: texts and voice (auto-replies, then intents,
 * then the catalogue), images and other messages as feedback, location, the menu's keys,
 * follows and binding QR codes.
 *
 * @example
 * configureChat(services.router, conversation.chat);
 */
export function configureChat(router: MessageRouter, chat: ChatService): MessageRouter {
  return (
    router
      .onMessage('text', (m, c) => chat.text(c.openid, m.content, { msgId: m.msgId, kind: 'text' }))
      .onMessage('voice', (m, c) => {
        const words = m.recognition === undefined ? '' : voiceText(m.recognition);
        return words === ''
          ? chat.voiceUnrecognized(c.openid)
          : chat.text(c.openid, words, { msgId: m.msgId, kind: 'voice' });
      })
      .onMessage('image', (m, c) =>
        chat.feedback(c.openid, {
          kind: 'image',
          body: null,
          mediaId: m.mediaId,
          picUrl: m.picUrl,
          msgId: m.msgId,
        }),
      )
      .onMessage('video', (m, c) =>
        chat.feedback(c.openid, { kind: 'video', body: null, mediaId: m.mediaId, msgId: m.msgId }),
      )
      .onMessage('shortvideo', (m, c) =>
        chat.feedback(c.openid, {
          kind: 'shortvideo',
          body: null,
          mediaId: m.mediaId,
          msgId: m.msgId,
        }),
      )
      .onMessage('link', (m, c) =>
        chat.feedback(c.openid, {
          kind: 'link',
          body: [m.title, m.description, m.url].filter(Boolean).join('\n'),
          msgId: m.msgId,
        }),
      )
      .onMessage('location', (m, c) => chat.location(c.openid, m.locationX, m.locationY))
      .onMenuKey(MENU_KEY.MY_LOANS, (_, c) => chat.loans(c.openid))
      .onMenuKey(MENU_KEY.HOURS, (_, c) => chat.hours(c.openid))
      .onMenuKey(MENU_KEY.SCAN_SEARCH, (m, c) => {
        const code = scanned(m);
        return code ? chat.scanSearch(c.openid, code) : chat.scanHint(c.openid, false);
      })
      .onMenuKey(MENU_KEY.SCAN_RENEW, (m, c) => {
        const code = scanned(m);
        return code ? chat.scanRenew(c.openid, code) : chat.scanHint(c.openid, true);
      })
      .onMenuKey(MENU_KEY.SCAN_RECOMMEND, (m, c) => {
        const code = scanned(m);
        return code ? chat.scanRecommend(c.openid, code) : chat.scanHint(c.openid, false);
      })
      .onEvent('subscribe', (m, c) => {
        const scene = m.eventKey ? parseBindScene(m.eventKey) : null;
        return chat.welcome(c.openid, scene ?? undefined);
      })
      .onEvent('SCAN', (m, c) => {
        const scene = parseBindScene(m.eventKey);
        return scene ? chat.bindFlow(c.openid, scene.desk) : undefined;
      })
      // Nothing can reach a reader who has left; the router answers `success`.
      .onEvent('unsubscribe', () => undefined)
  );
}
