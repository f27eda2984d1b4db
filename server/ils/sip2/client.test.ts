import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IlsConfigError, IlsUnavailableError } from '../errors.ts';
import { decodeText, type Sip2Charset } from './charset.ts';
import {
  Sip2Framer,
  appendErrorDetection,
  encodeFrame,
  stripErrorDetection,
  type ChecksumMode,
} from './codec.ts';
import {
  buildAcsStatusResponse,
  buildHoldRequest,
  buildItemInformationRequest,
  buildItemInformationResponse,
  parseHoldResponse,
  parseItemInformationResponse,
} from './messages.ts';
import { Sip2Client, Sip2LoginError, Sip2Pool, type Sip2ClientOptions } from './client.ts';
import { Sip2Server, type Sip2ServerOptions } from './server.ts';
import { INSTITUTION, ScriptedAcs, capturingLogger } from './testing.ts';

const TZ = 'Asia/Shanghai';
const silent = pino({ level: 'silent' });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startAcs(options: Partial<Sip2ServerOptions> = {}) {
  const handler = new ScriptedAcs();
  const server = new Sip2Server({ handler, logger: silent, timezone: TZ, ...options });
  const port = await server.listen();
  cleanups.push(() => server.close());
  return { server, handler, port };
}

function clientOptions(port: number, options: Partial<Sip2ClientOptions> = {}): Sip2ClientOptions {
  return {
    host: '127.0.0.1',
    port,
    charset: 'utf-8',
    checksum: 'bytes',
    errorDetection: true,
    terminator: 'cr',
    timeoutMs: 2000,
    timezone: TZ,
    logger: silent,
    ...options,
  };
}

function pool(port: number, options: Partial<Sip2ClientOptions> & { size?: number } = {}) {
  const p = new Sip2Pool({ size: 2, ...clientOptions(port, options) });
  cleanups.push(() => p.close());
  return p;
}

const itemRequest = (itemId: string) =>
  buildItemInformationRequest({ institutionId: INSTITUTION, itemId }, TZ);

async function titleOf(p: Sip2Pool, itemId: string): Promise<string> {
  return parseItemInformationResponse(await p.request(itemRequest(itemId), '18'), TZ).titleId;
}

/** A TCP server on loopback run by a script: for tests of peers that misbehave. */
async function rawPeer(
  onConnection: (socket: Socket) => void,
): Promise<{ port: number; server: Server }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, server };
}

/** Reads SIP2 messages off a socket as text. */
function onMessages(socket: Socket, charset: Sip2Charset, fn: (text: string) => void): void {
  const framer = new Sip2Framer();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of framer.push(chunk)) fn(decodeText(frame, charset));
  });
  socket.on('error', () => undefined);
}

const acsStatus = (seq: number | null) =>
  appendErrorDetection(
    buildAcsStatusResponse(
      {
        online: true,
        checkinOk: true,
        checkoutOk: true,
        renewalPolicy: true,
        statusUpdateOk: false,
        offlineOk: false,
        timeoutPeriod: 10,
        retriesAllowed: 3,
        protocolVersion: '2.00',
        institutionId: INSTITUTION,
        supportedMessages: 'YYYYYYYYYYYYYYYY',
      },
      TZ,
    ),
    seq,
    { charset: 'utf-8', checksum: 'bytes' },
  );

async function expectUnavailable(
  promise: Promise<unknown>,
  withinMs: number,
): Promise<IlsUnavailableError> {
  const started = Date.now();
  const error = await promise.then(
    () => {
      throw new Error('expected an IlsUnavailableError, the request succeeded');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IlsUnavailableError);
  expect(Date.now() - started).toBeLessThan(withinMs);
  return error as IlsUnavailableError;
}

describe('Chinese titles through a real server and client, error detection on', () => {
  const cases: Array<[Sip2Charset, ChecksumMode]> = [
    ['gbk', 'bytes'],
    ['gbk', 'codepoints'],
    ['gb18030', 'bytes'],
    ['utf-8', 'bytes'],
    ['utf-8', 'codepoints'],
  ];
  it.each(cases)('%s with checksums over %s', async (charset, checksum) => {
    const { port, handler } = await startAcs({ charset, checksum, errorDetection: true });
    const p = pool(port, { charset, checksum });
    expect(await titleOf(p, 'B001')).toBe('红楼梦');
    expect(await titleOf(p, 'B002')).toBe('三体');
    expect(await titleOf(p, 'B003')).toBe('三体Ⅱ：黑暗森林');
    // And the other way: Chinese in a request the ACS reads.
    const hold = parseHoldResponse(
      await p.request(
        buildHoldRequest(
          {
            mode: '+',
            holdType: 3,
            pickupLocation: '总馆二楼',
            institutionId: INSTITUTION,
            patronId: '1001',
            patronPassword: 's3cr3t-pw',
            itemId: 'B004',
          },
          TZ,
        ),
        '16',
      ),
      TZ,
    );
    expect(hold).toMatchObject({ ok: true, pickupLocation: '总馆二楼' });
    expect(handler.calls.hold).toBe(1);
  });
});

describe('error detection', () => {
  it('a request with a wrong checksum gets 96; the client sends it again and succeeds', async () => {
    const acs = capturingLogger();
    const sc = capturingLogger();
    const { port, handler } = await startAcs({ errorDetection: true, logger: acs.logger });
    // A real middlebox on loopback that damages the checksum of the first 17 it forwards.
    let damaged = 0;
    const proxy = await rawPeer((client) => {
      const upstream = connect({ host: '127.0.0.1', port });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.pipe(client);
      onMessages(client, 'utf-8', (text) => {
        const out = text.startsWith('17') && damaged++ === 0 ? `${text.slice(0, -4)}0000` : text;
        upstream.write(encodeFrame(out, 'utf-8', 'cr'));
      });
    });
    const p = pool(proxy.port, { logger: sc.logger });
    expect(await titleOf(p, 'B001')).toBe('红楼梦');
    expect(damaged).toBe(2);
    expect(handler.calls.itemInformation).toBe(1);
    expect(acs.lines.some((l) => l.msg.includes('bad checksum'))).toBe(true);
    expect(sc.lines.some((l) => l.msg === 'SIP2 ACS asked for a resend (96)')).toBe(true);
  });

  it('gives up after the ACS asks for a resend three times', async () => {
    let seen = 0;
    const peer = await rawPeer((socket) =>
      onMessages(socket, 'utf-8', (text) => {
        if (text.startsWith('99')) socket.write(encodeFrame(acsStatus(0), 'utf-8', 'cr'));
        else {
          seen += 1;
          socket.write(encodeFrame('96AZFEF6', 'utf-8', 'cr'));
        }
      }),
    );
    const p = pool(peer.port);
    const error = await expectUnavailable(p.request(itemRequest('B001'), '18'), 4000);
    expect(error.message).toMatch(/resend/);
    expect(seen).toBe(3);
  });

  it('asks for a reply with a bad checksum again (97), then takes the good one', async () => {
    const received: string[] = [];
    const peer = await rawPeer((socket) =>
      onMessages(socket, 'utf-8', (text) => {
        received.push(text);
        const seq = stripErrorDetection(text).sequence;
        if (text.startsWith('99')) socket.write(encodeFrame(acsStatus(seq), 'utf-8', 'cr'));
        const good = appendErrorDetection(
          buildItemInformationResponse(
            {
              circulationStatus: '03',
              securityMarker: '02',
              feeType: '01',
              itemId: 'B001',
              titleId: '红楼梦',
            },
            TZ,
          ),
          1,
          { charset: 'utf-8', checksum: 'bytes' },
        );
        if (text.startsWith('17'))
          socket.write(encodeFrame(`${good.slice(0, -4)}0000`, 'utf-8', 'cr'));
        if (text.startsWith('97')) socket.write(encodeFrame(good, 'utf-8', 'cr'));
      }),
    );
    const p = pool(peer.port);
    expect(await titleOf(p, 'B001')).toBe('红楼梦');
    expect(received.map((t) => t.slice(0, 2))).toEqual(['99', '17', '97']);
    expect(received[2]).toBe('97AZFEF5');
  });

  it('accepts a reply whose checksum is wrong twice, with a warning (real ACSs get it wrong)', async () => {
    const sc = capturingLogger();
    const peer = await rawPeer((socket) =>
      onMessages(socket, 'utf-8', (text) => {
        const seq = stripErrorDetection(text).sequence;
        if (text.startsWith('99')) socket.write(encodeFrame(acsStatus(seq), 'utf-8', 'cr'));
        if (text.startsWith('17') || text.startsWith('97')) {
          socket.write(
            encodeFrame('180302 0120260301    100000ABB001|AJ三体|AY1AZ1234', 'utf-8', 'cr'),
          );
        }
      }),
    );
    const p = pool(peer.port, { logger: sc.logger });
    expect(await titleOf(p, 'B001')).toBe('三体');
    expect(sc.lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      'SIP2 reply with a bad checksum; asking the ACS to resend (97)',
      'SIP2 reply with a bad checksum again; accepted as it is',
    ]);
  });

  it('numbers requests 0–9 and wraps', async () => {
    const acs = capturingLogger();
    const { port } = await startAcs({ logger: acs.logger });
    const p = pool(port, { size: 1 });
    for (let i = 0; i < 11; i++) await titleOf(p, 'B004');
    const sequences = acs.lines
      .filter((l) => l.msg === 'SIP2 ←')
      .map((l) => /AY(\d)AZ/.exec(String(l.sip2))?.[1]);
    expect(sequences.join('')).toBe('012345678901');
  });

  it('works without error detection, and rejects a reply out of step', async () => {
    const { port } = await startAcs({ errorDetection: false });
    const p = pool(port, { errorDetection: false });
    expect(await titleOf(p, 'B002')).toBe('三体');
    const peer = await rawPeer((socket) =>
      onMessages(socket, 'utf-8', (text) => {
        if (text.startsWith('99')) socket.write(encodeFrame(acsStatus(null), 'utf-8', 'cr'));
        else socket.write(encodeFrame('941', 'utf-8', 'cr'));
      }),
    );
    const q = pool(peer.port, { errorDetection: false });
    const error = await expectUnavailable(q.request(itemRequest('B001'), '18'), 3000);
    expect(error.message).toMatch(/expected a 18 reply/);
  });
});

describe('terminators', () => {
  it.each([
    ['cr', 'crlf'],
    ['crlf', 'cr'],
    ['crlf', 'crlf'],
  ] as const)('client %s, server %s', async (clientTerminator, serverTerminator) => {
    const { port } = await startAcs({ terminator: serverTerminator });
    const p = pool(port, { terminator: clientTerminator });
    expect(await titleOf(p, 'B001')).toBe('红楼梦');
    expect(await titleOf(p, 'B002')).toBe('三体');
  });
});

describe('login', () => {
  it('logs in with 93 when a user is configured', async () => {
    const { port } = await startAcs({ credentials: { user: 'sc', password: 'pw' } });
    const p = pool(port, { user: 'sc', password: 'pw', location: 'BR1' });
    expect(await titleOf(p, 'B001')).toBe('红楼梦');
  });

  it('a refused login is a configuration error, not an outage', async () => {
    const { port } = await startAcs({ credentials: { user: 'sc', password: 'pw' } });
    const error = await Sip2Client.connect(
      clientOptions(port, { user: 'sc', password: 'nope' }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Sip2LoginError);
    expect(error).toBeInstanceOf(IlsConfigError);
    expect((error as Error).message).not.toContain('nope');
  });
});

describe('dead and slow peers', () => {
  it('connection refused → IlsUnavailableError, quickly', async () => {
    const closed = await rawPeer(() => undefined);
    const port = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const p = pool(port, { timeoutMs: 500 });
    const error = await expectUnavailable(p.request(itemRequest('B001'), '18'), 2500);
    expect(error.message).toMatch(/cannot connect|closed/);
  });

  it('a peer that accepts and never answers → IlsUnavailableError within the timeout', async () => {
    const peer = await rawPeer((socket) => socket.on('data', () => undefined));
    const p = pool(peer.port, { timeoutMs: 300 });
    const error = await expectUnavailable(p.request(itemRequest('B001'), '18'), 2300);
    expect(error.message).toMatch(/no reply to 99 within 300 ms/);
  });

  it('a reply after the timeout is never read as the answer to the next request', async () => {
    const { port, handler, server } = await startAcs();
    const p = pool(port, { timeoutMs: 300, size: 1 });
    expect(await titleOf(p, 'B004')).toBe('Perl 5 desktop reference');
    handler.itemDelayMs = 700;
    const error = await expectUnavailable(p.request(itemRequest('B001'), '18'), 2300);
    expect(error.message).toMatch(/no reply to 17 within 300 ms/);
    handler.itemDelayMs = 0;
    // The late 18 for B001 arrives on a connection that no longer exists.
    expect(await titleOf(p, 'B002')).toBe('三体');
    await new Promise((r) => setTimeout(r, 800));
    expect(await titleOf(p, 'B004')).toBe('Perl 5 desktop reference');
    expect(server.connectionCount).toBe(1);
  });

  it('the pool reconnects after the ACS closed its connections or restarted', async () => {
    const first = await startAcs();
    const p = pool(first.port, { timeoutMs: 500 });
    expect(await titleOf(p, 'B001')).toBe('红楼梦');
    await first.server.close();
    await expectUnavailable(p.request(itemRequest('B001'), '18'), 2500);
    const again = new Sip2Server({
      handler: new ScriptedAcs(),
      logger: silent,
      timezone: TZ,
      port: first.port,
    });
    await again.listen();
    cleanups.push(() => again.close());
    expect(await titleOf(p, 'B002')).toBe('三体');
  });

  it('waits for a free connection, and says so when none comes in time', async () => {
    const { port, handler, server } = await startAcs();
    const p = new Sip2Pool({
      ...clientOptions(port, { timeoutMs: 3000 }),
      size: 1,
      acquireTimeoutMs: 100,
    });
    cleanups.push(() => p.close());
    await titleOf(p, 'B004');
    handler.itemDelayMs = 400;
    const slow = titleOf(p, 'B001');
    const error = await expectUnavailable(titleOf(p, 'B002'), 2100);
    expect(error.message).toMatch(/busy/);
    expect(await slow).toBe('红楼梦');
    handler.itemDelayMs = 0;
    const wide = pool(port, { size: 2 });
    const titles = await Promise.all(
      ['B001', 'B002', 'B003', 'B004', 'B001'].map((id) => titleOf(wide, id)),
    );
    expect(titles).toEqual([
      '红楼梦',
      '三体',
      '三体Ⅱ：黑暗森林',
      'Perl 5 desktop reference',
      '红楼梦',
    ]);
    expect(server.connectionCount).toBeLessThanOrEqual(3);
  });

  it('a closed pool refuses work', async () => {
    const { port } = await startAcs();
    const p = pool(port);
    await titleOf(p, 'B001');
    await p.close();
    await expectUnavailable(titleOf(p, 'B001'), 1000);
  });
});

describe('TLS', () => {
  let dir = '';
  let key = '';
  let cert = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shulin-sip2-tls-'));
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], // prettier-ignore
      { stdio: 'ignore' },
    );
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('talks SIP2 over TLS with the ACS certificate’s CA, and refuses an unknown certificate', async () => {
    const { port } = await startAcs({ tls: { key, cert } });
    const trusted = pool(port, { tls: true, ca: cert });
    expect(await titleOf(trusted, 'B001')).toBe('红楼梦');
    const untrusted = pool(port, { tls: true, timeoutMs: 1000 });
    const error = await expectUnavailable(titleOf(untrusted, 'B001'), 3000);
    expect(error.message).toMatch(/certificate/i);
  });
});
