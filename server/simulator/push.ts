/**
 * The pushes a reader's actions make WeChat send, as XML laid out the way WeChat lays them
 * out. The simulator page and `shulin simulate` describe an action (`SimulatedAction`);
 * this turns it into the push document that is then signed and sent.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { cdata } from '../wechat/xml.ts';

/** What a reader does in the chat window. */
export type SimulatedAction =
  | { readonly kind: 'text'; readonly content: string }
  /** A voice message with WeChat's transcript (voice recognition switched on). */
  | { readonly kind: 'voice'; readonly recognition: string }
  /** A scancode menu button (`scancode_waitmsg`): WeChat waits for our answer. */
  | { readonly kind: 'scan'; readonly key: string; readonly code: string }
  | { readonly kind: 'click'; readonly key: string }
  | { readonly kind: 'view'; readonly url: string }
  | {
      readonly kind: 'location';
      readonly latitude: number;
      readonly longitude: number;
      readonly label?: string;
      readonly scale?: number;
    }
  /** A follow; with `scene` it came through a parametric QR code (`qrscene_<scene>`). */
  | { readonly kind: 'follow'; readonly scene?: string }
  | { readonly kind: 'unfollow' };

export type SimulatedKind = SimulatedAction['kind'];

export const SIMULATED_KINDS: readonly SimulatedKind[] = [
  'text',
  'voice',
  'scan',
  'click',
  'view',
  'location',
  'follow',
  'unfollow',
];

export interface PushHeader {
  /** The reader (FromUserName). */
  readonly openid: string;
  /** The account's original id (ToUserName, `gh_…`). */
  readonly account: string;
  /** Unix seconds; default now. */
  readonly createTime?: number;
  /** For messages; default a fresh random 64-bit id. */
  readonly msgId?: string;
}

/**
 * WeChat's `ScanCodeInfo` for what a scanner read: digits that make an EAN-13 (an ISBN
 * barcode, hyphens and spaces allowed) or EAN-8 as such, a URL as a QR code, anything else
 * as a Code 128 item barcode.
 *
 * @example
 * scanCodeInfo('978-7-02-000220-7'); // → { scanType: 'barcode', scanResult: 'EAN_13,9787020002207' }
 * scanCodeInfo('31001004567');       // → { scanType: 'barcode', scanResult: 'CODE_128,31001004567' }
 */
export function scanCodeInfo(code: string): { scanType: string; scanResult: string } {
  const trimmed = code.trim();
  const digits = trimmed.replace(/[\s-]/g, '');
  if (/^\d{13}$/.test(digits)) return { scanType: 'barcode', scanResult: `EAN_13,${digits}` };
  if (/^\d{8}$/.test(digits)) return { scanType: 'barcode', scanResult: `EAN_8,${digits}` };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return { scanType: 'qrcode', scanResult: trimmed };
  return { scanType: 'barcode', scanResult: `CODE_128,${trimmed}` };
}

/** A MsgId as WeChat's look: 64-bit, well above 2^53. */
export function randomMsgId(): string {
  return (BigInt(randomInt(2 ** 40, 2 ** 47)) * 65_536n + BigInt(randomInt(65_536))).toString();
}

const mediaId = () => randomBytes(24).toString('base64url');

function number(value: number, what: string): string {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a number`);
  return String(value);
}

/**
 * The plaintext push XML for an action.
 *
 * @example
 * pushXml({ kind: 'scan', key: 'SCAN_SEARCH', code: '9787020002207' }, { openid, account: 'gh_…' });
 * // → '<xml><ToUserName><![CDATA[gh_…]]></ToUserName>…<Event><![CDATA[scancode_waitmsg]]></Event>
 * //    <EventKey><![CDATA[SCAN_SEARCH]]></EventKey><ScanCodeInfo><ScanType><![CDATA[barcode]]>
 * //    </ScanType><ScanResult><![CDATA[EAN_13,9787020002207]]></ScanResult></ScanCodeInfo></xml>'
 */
export function pushXml(action: SimulatedAction, header: PushHeader): string {
  const createTime = header.createTime ?? Math.floor(Date.now() / 1000);
  const msgId = header.msgId ?? randomMsgId();
  const head =
    `<ToUserName>${cdata(header.account)}</ToUserName>\n` +
    `<FromUserName>${cdata(header.openid)}</FromUserName>\n` +
    `<CreateTime>${createTime}</CreateTime>\n`;
  const field = (name: string, value: string) => `<${name}>${cdata(value)}</${name}>\n`;
  const raw = (name: string, value: string) => `<${name}>${value}</${name}>\n`;
  const event = (name: string) => field('MsgType', 'event') + field('Event', name);
  let body: string;
  switch (action.kind) {
    case 'text':
      body = field('MsgType', 'text') + field('Content', action.content) + raw('MsgId', msgId);
      break;
    case 'voice':
      body =
        field('MsgType', 'voice') +
        field('MediaId', mediaId()) +
        field('Format', 'amr') +
        raw('MsgId', msgId) +
        field('Recognition', action.recognition);
      break;
    case 'scan': {
      const info = scanCodeInfo(action.code);
      body =
        event('scancode_waitmsg') +
        field('EventKey', action.key) +
        raw(
          'ScanCodeInfo',
          `<ScanType>${cdata(info.scanType)}</ScanType><ScanResult>${cdata(info.scanResult)}</ScanResult>`,
        );
      break;
    }
    case 'click':
      body = event('CLICK') + field('EventKey', action.key);
      break;
    case 'view':
      body = event('VIEW') + field('EventKey', action.url);
      break;
    case 'location':
      body =
        field('MsgType', 'location') +
        raw('Location_X', number(action.latitude, 'latitude')) +
        raw('Location_Y', number(action.longitude, 'longitude')) +
        raw('Scale', number(action.scale ?? 15, 'scale')) +
        field('Label', action.label ?? '') +
        raw('MsgId', msgId);
      break;
    case 'follow': {
      const scene = action.scene?.replace(/^qrscene_/, '');
      body =
        event('subscribe') +
        field('EventKey', scene ? `qrscene_${scene}` : '') +
        (scene ? field('Ticket', randomBytes(36).toString('base64')) : '');
      break;
    }
    case 'unfollow':
      body = event('unsubscribe') + field('EventKey', '');
      break;
  }
  return `<xml>${head}${body}</xml>`;
}
