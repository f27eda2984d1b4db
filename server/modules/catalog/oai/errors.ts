/**
 * The closed set of reasons an OAI-PMH harvest stops. `noRecordsMatch` is not among
 * them: it means nothing changed.
 *
 * - UNREACHABLE: no connection to the server (refused, DNS, reset), after retries.
 * - TIMEOUT: no complete answer within the per-request timeout, after retries.
 * - HTTP_STATUS: an HTTP status other than 200 (503 and 5xx after retries).
 * - BAD_RESPONSE: the answer is not an OAI-PMH response (not XML, a DOCTYPE, cut off,
 *   too large, no responseDate).
 * - OAI_ERROR: the server answered with an OAI-PMH error (`oaiCode` tells which).
 * - NO_MARC_FORMAT: the server offers no MARCXML metadata format.
 * - STOPPED: Shulin was closing; what landed stays and the saved point did not move.
 */
export type HarvestErrorCode =
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'HTTP_STATUS'
  | 'BAD_RESPONSE'
  | 'OAI_ERROR'
  | 'NO_MARC_FORMAT'
  | 'STOPPED';

/** The error codes of OAI-PMH 2.0 §3.6. */
export type OaiErrorCode =
  | 'badArgument'
  | 'badResumptionToken'
  | 'badVerb'
  | 'cannotDisseminateFormat'
  | 'idDoesNotExist'
  | 'noMetadataFormats'
  | 'noRecordsMatch'
  | 'noSetHierarchy';

/**
 * Why a harvest stopped, with a message fit for one line on a terminal.
 *
 * @example
 * try { await harvestOai(deps, { url }); } catch (e) {
 *   if (e instanceof HarvestError && e.oaiCode === 'badResumptionToken') retryLater();
 * }
 */
export class HarvestError extends Error {
  constructor(
    readonly code: HarvestErrorCode,
    message: string,
    /** The OAI-PMH error code (OAI_ERROR) as the server sent it. */
    readonly oaiCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HarvestError';
  }
}
