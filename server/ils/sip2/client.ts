/**
 * The SC side of SIP2: one connection (`Sip2Client`) and a pool of them (`Sip2Pool`).
 *
 * A connection carries one request at a time. When a reply does not come within the
 * timeout the socket is destroyed, never reused: a late reply must not be read as the
 * answer to the next request. With error detection on, requests carry `AY<seq>AZ<sum>`,
 * a `96` from the ACS makes us send the same bytes again (at most twice), and a reply with
 * a bad checksum is asked for again once with `97`, then accepted with a warning, because
 * real ACSs compute checksums in more than one way.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Logger } from 'pino';
import { IlsConfigError, IlsUnavailableError } from '../errors.ts';
import { decodeText, type Sip2Charset } from './charset.ts';
import {
  Sip2Framer,
  appendErrorDetection,
  encodeFrame,
  stripErrorDetection,
  verifyChecksum,
  type ChecksumMode,
  type Sip2Terminator,
} from './codec.ts';
import {
  RESPONSE_CODES,
  buildLoginRequest,
  buildRequestAcsResend,
  buildScStatusRequest,
  parseAcsStatusResponse,
  parseLoginResponse,
  redactSip2,
  type AcsStatusResponse,
} from './messages.ts';

export interface Sip2ClientOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: boolean;
  /** PEM text of the CA that signed the ACS's certificate; the system's CAs otherwise. */
  readonly ca?: string;
  readonly charset: Sip2Charset;
  readonly checksum: ChecksumMode;
  readonly errorDetection: boolean;
  readonly terminator: Sip2Terminator;
  /** For a whole request, resends included. */
  readonly timeoutMs: number;
  /** Default: `timeoutMs`. */
  readonly connectTimeoutMs?: number;
  /** When set, the connection logs in (93) before anything else. */
  readonly user?: string;
  readonly password?: string;
  /** `CP` of the login. */
  readonly location?: string;
  /** Dates in SC status replies are read in this zone. */
  readonly timezone: string;
  readonly logger: Logger;
}

/** The ACS refused our login (93 → 940): a configuration problem, not an outage. */
export class Sip2LoginError extends IlsConfigError {
  constructor(user: string, host: string, port: number) {
    super(
      `The SIP2 server at ${host}:${port} refused the login of user ${JSON.stringify(user)}: check SIP2_USER and SIP2_PASSWORD`,
    );
    this.name = 'Sip2LoginError';
  }
}

const MAX_SC_RESENDS = 2;

interface Waiter {
  resolve(frame: string): void;
  reject(error: Error): void;
}

/**
 * One SIP2 connection. `Sip2Client.connect` opens it, logs in when a user is configured
 * and reads the ACS status; `request` sends a message body and returns the reply body.
 *
 * @example
 * const client = await Sip2Client.connect({ host: '127.0.0.1', port: 6001, charset: 'utf-8',
 *   checksum: 'bytes', errorDetection: true, terminator: 'cr', timeoutMs: 5000,
 *   timezone: 'Asia/Shanghai', logger });
 * const reply = await client.request('1720260301    100000AOBR1|AB1565921879|', '18');
 */
export class Sip2Client {
  readonly #options: Sip2ClientOptions;
  readonly #log: Logger;
  readonly #framer = new Sip2Framer();
  #socket: Socket | undefined;
  #waiter: Waiter | undefined;
  #closed = false;
  #closeReason = 'the connection is closed';
  #sequence = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #acsStatus: AcsStatusResponse | null = null;

  private constructor(options: Sip2ClientOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  /** Opens a connection, logs in (when configured) and reads the ACS status (99 → 98). */
  static async connect(options: Sip2ClientOptions): Promise<Sip2Client> {
    const client = new Sip2Client(options);
    await client.#open();
    try {
      if (options.user) await client.#login();
      await client.scStatus();
    } catch (error) {
      client.destroy();
      throw error;
    }
    return client;
  }

  /** False once the connection is closed, broken or timed out; such a client is discarded. */
  get usable(): boolean {
    return !this.#closed;
  }

  /** What the ACS said in its last 98. */
  get acsStatus(): AcsStatusResponse | null {
    return this.#acsStatus;
  }

  get #peer(): string {
    return `${this.#options.host}:${this.#options.port}`;
  }

  /** SC status (99) round trip; the reply is kept in `acsStatus`. */
  async scStatus(): Promise<AcsStatusResponse> {
    const body = await this.request(
      buildScStatusRequest({ statusCode: 0, maxPrintWidth: 80, protocolVersion: '2.00' }),
      '98',
    );
    const status = parseAcsStatusResponse(body, this.#options.timezone);
    this.#acsStatus = status;
    return status;
  }

  /**
   * Sends one message body (without trailer or terminator) and resolves with the body of
   * the reply, checked to carry `expect` (default: the response code of the request).
   * Throws IlsUnavailableError on a timeout, a broken connection or a reply out of step.
   */
  request(
    body: string,
    expect: string | undefined = RESPONSE_CODES[body.slice(0, 2)],
  ): Promise<string> {
    const run = this.#queue.then(() => this.#exchange(body, expect));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the connection at once; a request in flight fails. */
  destroy(reason = 'the connection was closed'): void {
    this.#fail(reason);
    this.#socket?.destroy();
  }

  async #exchange(body: string, expect: string | undefined): Promise<string> {
    if (this.#closed) throw new IlsUnavailableError(`SIP2 ${this.#peer}: ${this.#closeReason}`);
    const { charset, checksum, errorDetection, timeoutMs } = this.#options;
    const sequence = this.#sequence;
    this.#sequence = (sequence + 1) % 10;
    const wire = errorDetection
      ? appendErrorDetection(body, sequence, { charset, checksum })
      : body;
    const deadline = Date.now() + timeoutMs;
    let scResends = 0;
    let askedAcsResend = false;
    this.#write(wire);
    for (;;) {
      const text = await this.#nextFrame(deadline, body.slice(0, 2));
      const reply = stripErrorDetection(text);
      if (reply.body === '96') {
        if (scResends >= MAX_SC_RESENDS) {
          this.destroy('the ACS kept asking for a resend');
          throw new IlsUnavailableError(
            `SIP2 ${this.#peer}: the ACS asked for a resend ${scResends + 1} times (bad checksums?)`,
          );
        }
        scResends += 1;
        this.#log.warn(
          { peer: this.#peer, attempt: scResends },
          'SIP2 ACS asked for a resend (96)',
        );
        this.#write(wire);
        continue;
      }
      if (errorDetection && reply.checksum !== null && reply.throughAz !== null) {
        if (!verifyChecksum(reply.throughAz, reply.checksum, charset)) {
          if (!askedAcsResend) {
            askedAcsResend = true;
            this.#log.warn(
              { peer: this.#peer, sip2: redactSip2(text) },
              'SIP2 reply with a bad checksum; asking the ACS to resend (97)',
            );
            this.#write(appendErrorDetection(buildRequestAcsResend(), null, { charset, checksum }));
            continue;
          }
          this.#log.warn(
            { peer: this.#peer, sip2: redactSip2(text) },
            'SIP2 reply with a bad checksum again; accepted as it is',
          );
        }
      }
      if (errorDetection && reply.sequence !== null && reply.sequence !== sequence) {
        this.destroy('a reply was out of sequence');
        throw new IlsUnavailableError(
          `SIP2 ${this.#peer}: reply sequence ${reply.sequence} to request ${sequence}`,
        );
      }
      const code = reply.body.slice(0, 2);
      if (expect !== undefined && code !== expect) {
        this.destroy('a reply did not match its request');
        throw new IlsUnavailableError(
          `SIP2 ${this.#peer}: expected a ${expect} reply to ${body.slice(0, 2)}, got ${JSON.stringify(reply.body.slice(0, 20))}`,
        );
      }
      return reply.body;
    }
  }

  async #login(): Promise<void> {
    const { user = '', password = '', location } = this.#options;
    const reply = await this.request(
      buildLoginRequest({ userId: user, password, locationCode: location }),
      '94',
    );
    if (!parseLoginResponse(reply).ok) {
      throw new Sip2LoginError(user, this.#options.host, this.#options.port);
    }
  }

  #write(message: string): void {
    const { charset, terminator } = this.#options;
    this.#log.debug({ peer: this.#peer, sip2: redactSip2(message) }, 'SIP2 →');
    this.#socket?.write(encodeFrame(message, charset, terminator));
  }

  #nextFrame(deadline: number, command: string): Promise<string> {
    if (this.#closed) {
      return Promise.reject(new IlsUnavailableError(`SIP2 ${this.#peer}: ${this.#closeReason}`));
    }
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          // Reject with the readable reason first; destroying fails the waiter otherwise.
          this.#waiter = undefined;
          this.destroy('a request timed out');
          reject(
            new IlsUnavailableError(
              `SIP2 ${this.#peer}: no reply to ${command} within ${this.#options.timeoutMs} ms`,
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      this.#waiter = {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  #open(): Promise<void> {
    const { host, port, tls, ca } = this.#options;
    const timeoutMs = this.#options.connectTimeoutMs ?? this.#options.timeoutMs;
    return new Promise<void>((resolve, reject) => {
      const socket = tls
        ? tlsConnect({ host, port, ca, servername: isIP(host) ? undefined : host })
        : netConnect({ host, port });
      this.#socket = socket;
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        this.destroy('the connection timed out');
        reject(new IlsUnavailableError(`SIP2 ${this.#peer}: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        settled = true;
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        this.#log.debug({ peer: this.#peer, tls: Boolean(tls) }, 'SIP2 connected');
        resolve();
      });
      socket.on('data', (chunk: Buffer) => this.#onData(chunk));
      socket.on('error', (error: Error) => {
        this.#fail(`the connection failed (${error.message})`);
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(
            new IlsUnavailableError(`SIP2 ${this.#peer}: cannot connect (${error.message})`, {
              cause: error,
            }),
          );
        }
      });
      socket.on('close', () => {
        this.#fail('the ACS closed the connection');
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new IlsUnavailableError(`SIP2 ${this.#peer}: the connection closed at once`));
        }
      });
    });
  }

  #onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.#framer.push(chunk);
    } catch (error) {
      this.#log.warn({ peer: this.#peer, err: error }, 'SIP2 reply too long; closing');
      this.destroy('a reply was too long');
      return;
    }
    for (const frame of frames) {
      const text = decodeText(frame, this.#options.charset);
      this.#log.debug({ peer: this.#peer, sip2: redactSip2(text) }, 'SIP2 ←');
      const waiter = this.#waiter;
      if (!waiter) {
        // Nothing was asked: the stream is out of step, and reading on could pair a
        // reply with the wrong request.
        this.#log.warn(
          { peer: this.#peer, sip2: redactSip2(text) },
          'SIP2 unexpected message; closing',
        );
        this.destroy('an unexpected message arrived');
        return;
      }
      this.#waiter = undefined;
      waiter.resolve(text);
    }
  }

  #fail(reason: string): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#closeReason = reason;
    }
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(new IlsUnavailableError(`SIP2 ${this.#peer}: ${reason}`));
  }
}

export interface Sip2PoolOptions extends Sip2ClientOptions {
  /** Connections at most. */
  readonly size: number;
  /** How long `use` waits for a free connection; default `timeoutMs`. */
  readonly acquireTimeoutMs?: number;
}

interface PoolWaiter {
  wake(): void;
}

/**
 * Up to `size` SIP2 connections, opened on demand. A connection that broke, timed out or
 * was closed by the ACS is dropped and a new one opened by the next caller that needs it,
 * so the pool recovers on its own once the ACS answers again.
 *
 * @example
 * const pool = new Sip2Pool({ ...clientOptions, size: 4 });
 * const body = await pool.request('1720260301    100000AOBR1|AB1565921879|', '18');
 */
export class Sip2Pool {
  readonly #options: Sip2PoolOptions;
  readonly #idle: Sip2Client[] = [];
  readonly #all = new Set<Sip2Client>();
  readonly #waiters: PoolWaiter[] = [];
  #opening = 0;
  #closed = false;
  #acsStatus: AcsStatusResponse | null = null;
  readonly #statusListeners: Array<(status: AcsStatusResponse) => void> = [];

  constructor(options: Sip2PoolOptions) {
    this.#options = options;
  }

  /** The last ACS status any connection read (null before the first connection). */
  get acsStatus(): AcsStatusResponse | null {
    return this.#acsStatus;
  }

  /** Called with each ACS status read when a connection opens. */
  onAcsStatus(listener: (status: AcsStatusResponse) => void): void {
    this.#statusListeners.push(listener);
  }

  /** Runs `fn` with a connection of its own; the connection goes back (or away) after. */
  async use<T>(fn: (client: Sip2Client) => Promise<T>): Promise<T> {
    const client = await this.#acquire();
    try {
      return await fn(client);
    } finally {
      this.#release(client);
    }
  }

  /** One request on a pooled connection. */
  request(body: string, expect?: string): Promise<string> {
    return this.use((client) => client.request(body, expect));
  }

  /** A fresh SC status round trip (health checks). */
  scStatus(): Promise<AcsStatusResponse> {
    return this.use(async (client) => {
      const status = await client.scStatus();
      this.#noteStatus(status);
      return status;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const client of this.#all) client.destroy('the pool was closed');
    this.#all.clear();
    this.#idle.length = 0;
    for (const waiter of this.#waiters.splice(0)) waiter.wake();
    await Promise.resolve();
  }

  async #acquire(): Promise<Sip2Client> {
    const deadline = Date.now() + (this.#options.acquireTimeoutMs ?? this.#options.timeoutMs);
    for (;;) {
      if (this.#closed) throw new IlsUnavailableError('SIP2: the connection pool is closed');
      const idle = this.#idle.pop();
      if (idle) {
        if (idle.usable) return idle;
        this.#all.delete(idle);
        continue;
      }
      if (this.#all.size + this.#opening < this.#options.size) return this.#openOne();
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await this.#wait(remaining))) {
        throw new IlsUnavailableError(
          `SIP2: all ${this.#options.size} connections stayed busy for ${this.#options.acquireTimeoutMs ?? this.#options.timeoutMs} ms`,
        );
      }
    }
  }

  async #openOne(): Promise<Sip2Client> {
    this.#opening += 1;
    try {
      const client = await Sip2Client.connect(this.#options);
      if (this.#closed) {
        client.destroy('the pool was closed');
        throw new IlsUnavailableError('SIP2: the connection pool is closed');
      }
      this.#all.add(client);
      if (client.acsStatus) this.#noteStatus(client.acsStatus);
      return client;
    } finally {
      this.#opening -= 1;
      // A failed open frees its slot for a waiter.
      this.#wakeOne();
    }
  }

  #noteStatus(status: AcsStatusResponse): void {
    this.#acsStatus = status;
    for (const listener of this.#statusListeners) listener(status);
  }

  #release(client: Sip2Client): void {
    if (this.#closed || !client.usable) {
      this.#all.delete(client);
      client.destroy();
    } else {
      this.#idle.push(client);
    }
    this.#wakeOne();
  }

  #wait(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const waiter: PoolWaiter = {
        wake: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(false);
      }, ms);
      this.#waiters.push(waiter);
    });
  }

  #wakeOne(): void {
    this.#waiters.shift()?.wake();
  }
}
