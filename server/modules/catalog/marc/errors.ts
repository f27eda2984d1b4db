import type { Flavour } from './detect.ts';
import type { MarcRecord } from './record.ts';

/**
 * Closed set of reasons a record (or a whole input) could not be read. The importer
 * maps these to reports and locale text; nothing else should be parsed out of messages.
 *
 * - BAD_LEADER: the first 24 bytes are not a leader (non-digit length or base address).
 * - BAD_DIRECTORY: directory entries are not digits, not a multiple of 12 bytes, or point
 *   past the record.
 * - LENGTH_MISMATCH: a field's declared length does not end on a field terminator
 *   (lengths counted in characters instead of bytes, edited records), or no record
 *   terminator within the size limit.
 * - TRUNCATED: the input ended inside a record.
 * - BAD_ENCODING: bytes are invalid in the record's character set.
 * - BAD_XML: malformed MARCXML, or a DOCTYPE/ENTITY declaration (refused).
 * - EMPTY: no record at all (empty input, or an empty `<record/>`).
 */
export type MarcErrorCode =
  | 'BAD_LEADER'
  | 'BAD_DIRECTORY'
  | 'LENGTH_MISMATCH'
  | 'TRUNCATED'
  | 'BAD_ENCODING'
  | 'BAD_XML'
  | 'EMPTY';

/** A recoverable oddity: the record was read, but an importer may want to report it. */
export interface MarcWarning {
  code: MarcErrorCode;
  message: string;
}

/**
 * A record-level read failure with a closed `code`.
 *
 * @example
 * try { parseIso2709(bytes); } catch (e) { if (e instanceof MarcError) log(e.code); }
 */
export class MarcError extends Error {
  constructor(
    readonly code: MarcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MarcError';
  }
}

/** The character sets a record can be decoded from. */
export type Charset = 'utf-8' | 'gb18030' | 'latin1' | 'marc8';

/** One step of a streaming reader: a record, or the reason one could not be read. */
export type ReadResult =
  | {
      ok: true;
      record: MarcRecord;
      /** 1-based index of the record in the input (broken records count too). */
      position: number;
      /** Byte offset of the record's first byte in the input. */
      offset: number;
      /** The character set the record was decoded from (MARCXML: the document's). */
      charset: Charset;
      /** Detected from the tags (null when they do not tell); pass it on to toBibRecord. */
      flavour: Flavour | null;
      warnings: MarcWarning[];
      /**
       * The record's ISO 2709 text exactly as read, when it was clean UTF-8 (no warnings):
       * the catalogue stores it as the source instead of serialising `record` again.
       */
      source?: string;
    }
  | { ok: false; position: number; offset: number; error: MarcError };
