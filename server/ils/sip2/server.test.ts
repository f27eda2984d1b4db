import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { appendErrorDetection, stripErrorDetection } from './codec.ts';
import { encodeText } from './charset.ts';
import { parseItemInformationResponse } from './messages.ts';
import { Sip2Server, type Sip2ServerOptions } from './server.ts';
import { INSTITUTION, RawSip2Socket, ScriptedAcs, capturingLogger } from './testing.ts';

const TZ = 'Asia/Shanghai';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: Partial<Sip2ServerOptions> = {}) {
  const handler = new ScriptedAcs();
  const server = new Sip2Server({
    handler,
    logger: pino({ level: 'silent' }),
    timezone: TZ,
    ...options,
  });
  const port = await server.listen();
  cleanups.push(() => server.close());
  const open = async (charset: 'utf-8' | 'gbk' = 'utf-8') => {
    const socket = await RawSip2Socket.open(port, charset);
    cleanups.push(() => socket.close());
    return socket;
  };
  return { server, handler, port, open };
}

const ITEM_B001 = `1720260301    100000AO${INSTITUTION}|ABB001|`;
const ed = (body: string, seq: number | null) =>
  appendErrorDetection(body, seq, { charset: 'utf-8', checksum: 'bytes' });

describe('Sip2Server', () => {
  it('answers a bad checksum with 96AZFEF6 and does not act on the message', async () => {
    const { handler, open } = await start({ errorDetection: true });
    const sc = await open();
    // edge-sip2's ScStatusIT: a 99 with checksum AAAA gets 96AZFEF6.
    sc.write('9900401.00AY1AZAAAA');
    expect(await sc.next()).toBe('96AZFEF6');
    expect(handler.calls.scStatus).toBeUndefined();
    sc.write(ed('9900401.00', 1));
    expect(await sc.next()).toMatch(
      /^98YYYYNN010003\d{8} {4}\d{6}2\.00AOSHULIN\|.*AY1AZ[0-9A-F]{4}$/,
    );
    expect(handler.calls.scStatus).toBe(1);
  });

  it('answers 96 without a trailer when error detection is off', async () => {
    const { open } = await start({ errorDetection: false });
    const sc = await open();
    sc.write('9900401.00AY1AZAAAA');
    expect(await sc.next()).toBe('96');
  });

  it('sends the previous response again for a repeat (same AY and AZ) and for 97', async () => {
    const { handler, open } = await start({ errorDetection: true });
    const sc = await open();
    const request = ed(ITEM_B001, 4);
    sc.write(request);
    const first = await sc.next();
    expect(first).toMatch(/AJ红楼梦\|.*AY4AZ/);
    sc.write(request);
    expect(await sc.next()).toBe(first);
    sc.write(ed('97', null));
    expect(await sc.next()).toBe(first);
    expect(handler.calls.itemInformation).toBe(1);
    // The same message with the next sequence number is a new request.
    sc.write(ed(ITEM_B001, 5));
    expect(await sc.next()).toMatch(/AY5AZ/);
    expect(handler.calls.itemInformation).toBe(2);
  });

  it('writes GBK on the wire when configured, with checksums over GBK bytes', async () => {
    const { open } = await start({ charset: 'gbk', errorDetection: true });
    const sc = await open('gbk');
    sc.write(ed(ITEM_B001, 1));
    const reply = await sc.next();
    expect(reply).not.toBeNull();
    expect(sc.received.includes(encodeText('红楼梦', 'gbk'))).toBe(true);
    expect(sc.received.includes(Buffer.from('红楼梦', 'utf8'))).toBe(false);
    const split = stripErrorDetection(reply as string);
    const sum = [...encodeText(split.throughAz as string, 'gbk')].reduce((a, b) => a + b, 0);
    expect((sum + parseInt(split.checksum as string, 16)) & 0xffff).toBe(0);
    expect(parseItemInformationResponse(split.body, TZ).titleId).toBe('红楼梦');
  });

  it('accepts requests ending in CR or CRLF and writes its own terminator', async () => {
    const crlf = await start({ terminator: 'crlf' });
    const sc = await crlf.open();
    sc.write(ITEM_B001, '\r\n');
    sc.write(ITEM_B001, '\r');
    expect(await sc.next()).toMatch(/^18/);
    expect(await sc.next()).toMatch(/^18/);
    expect(sc.received.subarray(-2).toString('latin1')).toBe('\r\n');
    const cr = await start({ terminator: 'cr' });
    const sc2 = await cr.open();
    sc2.write(ITEM_B001, '\r\n');
    expect(await sc2.next()).toMatch(/^18/);
    expect(sc2.received.subarray(-1).toString('latin1')).toBe('\r');
    expect(sc2.received.includes(Buffer.from('\n'))).toBe(false);
  });

  it('requires a login before anything but 93 and 99 when credentials are set', async () => {
    const { open, handler } = await start({ credentials: { user: 'sc', password: 'pw' } });
    const early = await open();
    early.write(ITEM_B001);
    expect(await early.waitClosed()).toBe(true);
    expect(handler.calls.itemInformation).toBeUndefined();

    const sc = await open();
    sc.write('9900302.00');
    expect(await sc.next()).toMatch(/^98/);
    sc.write('9300CNsc|COwrong|');
    expect(await sc.next()).toBe('940');
    sc.write('9300CNsc|COpw|CPBR1|');
    expect(await sc.next()).toBe('941');
    sc.write(ITEM_B001);
    expect(await sc.next()).toMatch(/^18/);
  });

  it('ignores garbage and unknown commands, and keeps serving', async () => {
    const { lines, logger } = capturingLogger();
    const { open } = await start({ logger });
    const sc = await open();
    sc.writeBytes(Buffer.from([0x00, 0xff, 0xfe, 0x41, 0x0d]));
    sc.write('XX not a message');
    sc.write('63001');
    sc.write(ITEM_B001);
    expect(await sc.next()).toMatch(/^18/);
    expect(sc.closed).toBe(false);
    expect(lines.filter((l) => l.msg === 'SIP2 malformed request ignored')).toHaveLength(3);
  });

  it('closes a connection that sends more than 64 KB without a terminator', async () => {
    const { open, server } = await start();
    const sc = await open();
    sc.writeBytes(Buffer.alloc(70 * 1024, 0x41));
    expect(await sc.waitClosed()).toBe(true);
    const other = await open();
    other.write(ITEM_B001);
    expect(await other.next()).toMatch(/^18/);
    expect(server.connectionCount).toBe(1);
  });

  it('closes the connection when the handler fails, and keeps serving others', async () => {
    const { lines, logger } = capturingLogger();
    const { open, handler } = await start({ logger });
    handler.itemInformation = () => Promise.reject(new Error('database gone'));
    const sc = await open();
    sc.write(ITEM_B001);
    expect(await sc.next()).toBeNull();
    expect(sc.closed).toBe(true);
    expect(lines.some((l) => l.msg === 'SIP2 handler failed; closing the connection')).toBe(true);
    const other = await open();
    other.write('9900302.00');
    expect(await other.next()).toMatch(/^98/);
  });

  it('never logs patron or login passwords', async () => {
    const { text, logger } = capturingLogger();
    const { open } = await start({ logger, credentials: { user: 'sc', password: 'login-pw-1' } });
    const sc = await open();
    sc.write('9300CNsc|COlogin-pw-1|');
    expect(await sc.next()).toBe('941');
    sc.write(`6300020260301    100000          AO${INSTITUTION}|AA1001|ADs3cr3t-pw|`);
    expect(await sc.next()).toMatch(/^64/);
    expect(text()).toContain('AD[redacted]');
    expect(text()).not.toContain('s3cr3t-pw');
    expect(text()).not.toContain('login-pw-1');
  });

  it('close() ends every connection', async () => {
    const { open, server } = await start();
    const a = await open();
    const b = await open();
    a.write(ITEM_B001);
    await a.next();
    await server.close();
    expect(await a.waitClosed()).toBe(true);
    expect(await b.waitClosed()).toBe(true);
  });
});
