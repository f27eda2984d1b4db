/**
 * The ACS side of SIP2: a TCP (or TLS) server that reads requests from self-check
 * machines and other SCs, hands them as typed messages to a `Sip2AcsHandler`, and writes
 * the typed responses back. The embedded ILS puts one in front of itself; tests use it as
 * a real peer for the SIP2 connector.
 *
 * Per connection: messages end at CR or CRLF; a checksum, when present, is checked (either
 * reading) and a bad one is answered with `96` without acting on the message; `97` gets
 * the previous response again; a message repeated with the same sequence number and
 * checksum also gets the previous response, without acting twice (the SC did not hear the
 * answer and sent again). Nothing an SC sends can stop the server: malformed messages are
 * logged and ignored, a message over the size limit or a failing handler closes that one
 * connection.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import { decodeText, type Sip2Charset } from './charset.ts';
import {
  MAX_MESSAGE_BYTES,
  Sip2Framer,
  Sip2ParseError,
  appendErrorDetection,
  encodeFrame,
  stripErrorDetection,
  verifyChecksum,
  type ChecksumMode,
  type Sip2Terminator,
} from './codec.ts';
import {
  buildAcsStatusResponse,
  buildCheckinResponse,
  buildCheckoutResponse,
  buildEndSessionResponse,
  buildHoldResponse,
  buildItemInformationResponse,
  buildLoginResponse,
  buildPatronInformationResponse,
  buildPatronStatusResponse,
  buildRenewAllResponse,
  buildRenewResponse,
  buildRequestScResend,
  parseRequest,
  redactSip2,
  type AcsStatusResponse,
  type CheckinRequest,
  type CheckinResponse,
  type CheckoutRequest,
  type CheckoutResponse,
  type EndSessionRequest,
  type EndSessionResponse,
  type HoldRequest,
  type HoldResponse,
  type ItemInformationRequest,
  type ItemInformationResponse,
  type LoginRequest,
  type PatronInformationRequest,
  type PatronInformationResponse,
  type PatronStatusRequest,
  type PatronStatusResponse,
  type RenewAllRequest,
  type RenewAllResponse,
  type RenewRequest,
  type RenewResponse,
  type ScStatusRequest,
  type Sip2Request,
} from './messages.ts';

/** The SC connection a request came on. */
export interface Sip2Session {
  /** Unique per server, in connection order. */
  readonly id: number;
  readonly remoteAddress: string;
  /** The `CN` the SC logged in with; null before a login (or when none is required). */
  readonly user: string | null;
}

/**
 * What an ACS does with each request. The server has already parsed the request, checked
 * the checksum and the login; the handler answers with the typed response, and its dates
 * are written in the server's time zone. Refusals are answers (ok `0`, `BL` N, a screen
 * message in `screenMessages`), not exceptions: a thrown error is logged and the SC's
 * connection is closed, since the SC would otherwise wait for an answer that never comes.
 *
 * Login (93) is not here: the server checks it against its configured credentials.
 */
export interface Sip2AcsHandler {
  /** 99 → 98. `supportedMessages` tells the SC what else it may ask. */
  scStatus(request: ScStatusRequest, session: Sip2Session): Promise<AcsStatusResponse>;
  /** 23 → 24. `BL` says whether the patron exists, `CQ` whether `AD` was right. */
  patronStatus(request: PatronStatusRequest, session: Sip2Session): Promise<PatronStatusResponse>;
  /** 63 → 64, listing the items of `request.summary` (from `startItem` to `endItem`). */
  patronInformation(
    request: PatronInformationRequest,
    session: Sip2Session,
  ): Promise<PatronInformationResponse>;
  /** 11 → 12 */
  checkout(request: CheckoutRequest, session: Sip2Session): Promise<CheckoutResponse>;
  /** 09 → 10 */
  checkin(request: CheckinRequest, session: Sip2Session): Promise<CheckinResponse>;
  /** 29 → 30 */
  renew(request: RenewRequest, session: Sip2Session): Promise<RenewResponse>;
  /** 65 → 66 */
  renewAll(request: RenewAllRequest, session: Sip2Session): Promise<RenewAllResponse>;
  /** 15 → 16; `mode` `+` places, `-` cancels, `*` changes. */
  hold(request: HoldRequest, session: Sip2Session): Promise<HoldResponse>;
  /** 17 → 18; an unknown item is circulation status `01` with an empty title. */
  itemInformation(
    request: ItemInformationRequest,
    session: Sip2Session,
  ): Promise<ItemInformationResponse>;
  /** 35 → 36 */
  endSession(request: EndSessionRequest, session: Sip2Session): Promise<EndSessionResponse>;
}

export interface Sip2ServerOptions {
  readonly handler: Sip2AcsHandler;
  readonly logger: Logger;
  /** Dates in requests are read, and dates in responses written, in this zone. */
  readonly timezone: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port (see `port` after `listen`). */
  readonly port?: number;
  /** Key and certificate: serve TLS instead of plain TCP. */
  readonly tls?: TlsOptions;
  /** Default `utf-8`. */
  readonly charset?: Sip2Charset;
  /** How our own checksums are computed; incoming ones are accepted either way. Default `bytes`. */
  readonly checksum?: ChecksumMode;
  /** Written after each response; both are accepted when reading. Default `cr`. */
  readonly terminator?: Sip2Terminator;
  /**
   * Append `AY…AZ…` to every response. Responses to requests that carry a trailer get one
   * in any case, with the request's sequence number.
   */
  readonly errorDetection?: boolean;
  /** When set, every request but 93 and 99 needs a successful 93 with these first. */
  readonly credentials?: { readonly user: string; readonly password: string };
  /** Default 64 KB. */
  readonly maxMessageBytes?: number;
}

interface Connection {
  readonly socket: Socket;
  readonly framer: Sip2Framer;
  session: Sip2Session;
  loggedIn: boolean;
  last: { sequence: number | null; checksum: string; response: string } | null;
  lastResponse: string | null;
  queue: Promise<void>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares without leaking, through timing, how much of a secret matched. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

class ClosingError extends Error {}

/**
 * A SIP2 ACS on a TCP or TLS port.
 *
 * @example
 * const server = new Sip2Server({ handler, logger, timezone: 'Asia/Shanghai', port: 0,
 *   credentials: { user: 'sc', password: 'secret' } });
 * const port = await server.listen();
 * // … SCs connect to 127.0.0.1:port …
 * await server.close();
 */
export class Sip2Server {
  readonly #options: Sip2ServerOptions;
  readonly #log: Logger;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #nextId = 1;
  #port = 0;

  constructor(options: Sip2ServerOptions) {
    this.#options = options;
    this.#log = options.logger;
    const onConnection = (socket: Socket) => this.#accept(socket);
    this.#server = options.tls
      ? createTlsServer(options.tls, onConnection)
      : createNetServer(onConnection);
    this.#server.on('error', (error) => this.#log.error({ err: error }, 'SIP2 server error'));
  }

  /** The bound port (after `listen`). */
  get port(): number {
    return this.#port;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    const host = this.#options.host ?? '127.0.0.1';
    return new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(this.#options.port ?? 0, host, () => {
        this.#server.off('error', onError);
        this.#port = (this.#server.address() as AddressInfo).port;
        this.#log.info(
          { host, port: this.#port, tls: Boolean(this.#options.tls) },
          'SIP2 server listening',
        );
        resolve(this.#port);
      });
    });
  }

  /** Stops accepting and closes every connection. */
  close(): Promise<void> {
    for (const connection of this.#connections) connection.socket.destroy();
    this.#connections.clear();
    return new Promise<void>((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
    });
  }

  #accept(socket: Socket): void {
    const connection: Connection = {
      socket,
      framer: new Sip2Framer(this.#options.maxMessageBytes ?? MAX_MESSAGE_BYTES),
      session: {
        id: this.#nextId++,
        remoteAddress: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
        user: null,
      },
      loggedIn: !this.#options.credentials,
      last: null,
      lastResponse: null,
      queue: Promise.resolve(),
    };
    this.#connections.add(connection);
    const log = this.#log.child({ sip2Session: connection.session.id });
    log.debug({ remote: connection.session.remoteAddress }, 'SIP2 SC connected');
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = connection.framer.push(chunk);
      } catch (error) {
        log.warn({ err: error }, 'SIP2 message over the size limit; closing the connection');
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        // One message at a time per connection, in order: responses must not overtake.
        connection.queue = connection.queue
          .then(() => this.#onMessage(connection, frame, log))
          .catch((error: unknown) => {
            if (!(error instanceof ClosingError)) {
              log.error({ err: error }, 'SIP2 handler failed; closing the connection');
            }
            socket.destroy();
          });
      }
    });
    socket.on('error', (error) => log.debug({ err: error }, 'SIP2 connection error'));
    socket.on('close', () => {
      this.#connections.delete(connection);
      log.debug('SIP2 SC disconnected');
    });
  }

  async #onMessage(connection: Connection, frame: Buffer, log: Logger): Promise<void> {
    if (connection.socket.destroyed) return;
    const charset = this.#options.charset ?? 'utf-8';
    const text = decodeText(frame, charset);
    log.debug({ sip2: redactSip2(text) }, 'SIP2 ←');
    const trailer = stripErrorDetection(text);
    if (trailer.checksum !== null && trailer.throughAz !== null) {
      if (!verifyChecksum(trailer.throughAz, trailer.checksum, charset)) {
        log.warn(
          { sip2: redactSip2(text) },
          'SIP2 request with a bad checksum; asking for a resend',
        );
        this.#send(
          connection,
          this.#options.errorDetection
            ? appendErrorDetection(buildRequestScResend(), null, this.#checksumOptions())
            : buildRequestScResend(),
          log,
        );
        return;
      }
    }
    const command = trailer.body.slice(0, 2);
    if (command === '97') {
      if (connection.lastResponse !== null) this.#send(connection, connection.lastResponse, log);
      return;
    }
    const last = connection.last;
    if (
      last !== null &&
      trailer.checksum !== null &&
      last.checksum === trailer.checksum &&
      last.sequence === trailer.sequence
    ) {
      log.debug('SIP2 repeated request; sending the previous response again');
      this.#send(connection, last.response, log);
      return;
    }

    let request: Sip2Request;
    try {
      request = parseRequest(trailer.body, this.#options.timezone);
    } catch (error) {
      if (!(error instanceof Sip2ParseError)) throw error;
      log.warn(
        { sip2: redactSip2(text).slice(0, 200), reason: error.message },
        'SIP2 malformed request ignored',
      );
      return;
    }
    if (!connection.loggedIn && command !== '93' && command !== '99') {
      log.warn({ command }, 'SIP2 request before a login; closing the connection');
      throw new ClosingError();
    }

    const body = await this.#dispatch(connection, request, log);
    const withTrailer =
      this.#options.errorDetection || trailer.checksum !== null || trailer.sequence !== null;
    const response = withTrailer
      ? appendErrorDetection(body, trailer.sequence, this.#checksumOptions())
      : body;
    connection.lastResponse = response;
    connection.last =
      trailer.checksum === null
        ? null
        : { sequence: trailer.sequence, checksum: trailer.checksum, response };
    this.#send(connection, response, log);
  }

  async #dispatch(connection: Connection, request: Sip2Request, log: Logger): Promise<string> {
    const { handler, timezone: tz } = this.#options;
    const session = connection.session;
    switch (request.command) {
      case '93':
        return buildLoginResponse({ ok: this.#login(connection, request.message, log) });
      case '99':
        return buildAcsStatusResponse(await handler.scStatus(request.message, session), tz);
      case '23':
        return buildPatronStatusResponse(await handler.patronStatus(request.message, session), tz);
      case '63':
        return buildPatronInformationResponse(
          await handler.patronInformation(request.message, session),
          tz,
        );
      case '11':
        return buildCheckoutResponse(await handler.checkout(request.message, session), tz);
      case '09':
        return buildCheckinResponse(await handler.checkin(request.message, session), tz);
      case '29':
        return buildRenewResponse(await handler.renew(request.message, session), tz);
      case '65':
        return buildRenewAllResponse(await handler.renewAll(request.message, session), tz);
      case '15':
        return buildHoldResponse(await handler.hold(request.message, session), tz);
      case '17':
        return buildItemInformationResponse(
          await handler.itemInformation(request.message, session),
          tz,
        );
      case '35':
        return buildEndSessionResponse(await handler.endSession(request.message, session), tz);
      case '97':
        // Answered before dispatch; parseRequest knows it only so that it is not "unknown".
        return connection.lastResponse ?? '';
    }
  }

  #login(connection: Connection, request: LoginRequest, log: Logger): boolean {
    const credentials = this.#options.credentials;
    const ok =
      !credentials ||
      // Both compared, always: a short cut on the user would tell which users exist.
      [
        sameSecret(request.userId, credentials.user),
        sameSecret(request.password, credentials.password),
      ].every(Boolean);
    connection.loggedIn = ok;
    if (ok) connection.session = { ...connection.session, user: request.userId };
    log.info({ user: request.userId, ok }, 'SIP2 login');
    return ok;
  }

  #checksumOptions() {
    return {
      charset: this.#options.charset ?? 'utf-8',
      checksum: this.#options.checksum ?? 'bytes',
    };
  }

  #send(connection: Connection, message: string, log: Logger): void {
    if (connection.socket.destroyed) return;
    log.debug({ sip2: redactSip2(message) }, 'SIP2 →');
    connection.socket.write(
      encodeFrame(message, this.#options.charset ?? 'utf-8', this.#options.terminator ?? 'cr'),
    );
  }
}
