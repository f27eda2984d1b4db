/**
 * SIP2: the protocol (codec, typed messages), the SC side (client, pool, the ILS
 * connector) and the ACS side (server and the handler interface the embedded ILS fills).
 */
export * from './charset.ts';
export * from './codec.ts';
export * from './messages.ts';
export { Sip2Client, Sip2LoginError, Sip2Pool } from './client.ts';
export type { Sip2ClientOptions, Sip2PoolOptions } from './client.ts';
export { Sip2Server } from './server.ts';
export type { Sip2AcsHandler, Sip2ServerOptions, Sip2Session } from './server.ts';
export { Sip2Connector } from './connector.ts';
export type { Sip2ConnectorDeps } from './connector.ts';
