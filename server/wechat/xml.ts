/**
 * A strict single-pass parser for the XML WeChat pushes, and the CDATA helper replies use.
 *
 * WeChat's push XML is a tiny subset of XML: one root with child elements that hold text,
 * CDATA or further elements. A generic parser costs 30–50 µs a message
 * (research/perf-anchors.md §1); this one walks the string once with indexOf and builds the
 * result as it goes. Anything outside the subset is rejected rather than guessed at: no DTDs
 * (so no entity expansion or XXE), no processing instructions, no mixed content.
 */

/** An element holding only text or CDATA is a string; one with child elements is an object. */
export type XmlNode = string | XmlObject;

/** Child elements by name; a name that repeats becomes an array in document order. */
export interface XmlObject {
  [name: string]: XmlNode | XmlNode[];
}

/** The closed set of failures of push parsing. */
export type WeChatXmlErrorCode = 'ParseXmlError' | 'InvalidMessage';

/**
 * Unparseable XML (`ParseXmlError`) or XML that is not a WeChat push (`InvalidMessage`).
 * `errcode` is the official -40002 (ParseXmlError) for both. Messages name the reason and the
 * offset, never the content, so they are safe to log.
 *
 * @example
 * try {
 *   parseXml(body);
 * } catch (error) {
 *   if (error instanceof WeChatXmlError) log.warn({ code: error.code, at: error.position });
 * }
 */
export class WeChatXmlError extends Error {
  readonly code: WeChatXmlErrorCode;
  readonly errcode = -40002;
  /** Offset in the input where parsing stopped, for ParseXmlError. */
  readonly position: number | undefined;

  constructor(code: WeChatXmlErrorCode, message: string, position?: number) {
    super(position === undefined ? message : `${message} at offset ${position}`);
    this.name = 'WeChatXmlError';
    this.code = code;
    this.position = position;
  }
}

// Far deeper than any push (SendPicsInfo/PicList/item/PicMd5Sum is 5) and keeps the recursion
// shallow whatever the input.
const MAX_DEPTH = 16;

const LT = 60; // <
const GT = 62; // >
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const EQUALS = 61;
const DQUOTE = 34;
const SQUOTE = 39;

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

// ASCII letters, '_' and ':' plus everything from U+00C0 up: looser than the XML Name
// production for non-ASCII, which only matters for names WeChat never sends.
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c >= 0xc0;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;
}

function isAllWhitespace(text: string, start = 0, end = text.length): boolean {
  for (let i = start; i < end; i++) {
    if (!isWhitespace(text.charCodeAt(i))) return false;
  }
  return true;
}

// XML whitespace only: String.prototype.trim would also eat U+3000 and U+00A0, which a
// Chinese reader may well have typed on purpose.
function trimXml(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

const DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;
const DECIMAL_REF = /^#[0-9]{1,7}$/;
const HEX_REF = /^#x[0-9a-fA-F]{1,6}$/;

class Parser {
  private readonly s: string;
  private i = 0;
  // Set by startTag(): returning it in an object would allocate once per element.
  private selfClosing = false;

  constructor(text: string) {
    this.s = text;
  }

  private fail(reason: string, at: number): never {
    throw new WeChatXmlError('ParseXmlError', reason, at);
  }

  document(): { root: string; value: XmlObject } {
    const s = this.s;
    if (s.length === 0) this.fail('empty document', 0);
    let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (isWhitespace(s.charCodeAt(i))) i++;
    if (s.startsWith('<?xml', i)) {
      const after = s.charCodeAt(i + 5);
      if (isWhitespace(after) || after === QUESTION) {
        const end = s.indexOf('?>', i + 5);
        if (end === -1) this.fail('unclosed XML declaration', i);
        i = end + 2;
      }
    }
    i = this.misc(i);
    if (i >= s.length) this.fail('no root element', i);
    if (s.charCodeAt(i) !== LT) this.fail('text outside the root element', i);
    this.i = i;
    const root = this.startTag();
    let value: XmlNode = this.selfClosing ? '' : this.content(root, 1);
    if (typeof value === 'string') {
      if (value !== '') this.fail('root element holds text, not elements', i);
      value = {};
    }
    i = this.misc(this.i);
    if (i !== s.length) this.fail('content after the root element', i);
    return { root, value };
  }

  /** Skips whitespace and comments between top-level constructs; returns the next offset. */
  private misc(from: number): number {
    const s = this.s;
    let i = from;
    for (;;) {
      while (isWhitespace(s.charCodeAt(i))) i++;
      if (s.charCodeAt(i) !== LT) return i;
      const c = s.charCodeAt(i + 1);
      if (c === BANG) {
        if (!s.startsWith('<!--', i)) this.fail('markup declarations are not allowed', i);
        i = this.comment(i);
      } else if (c === QUESTION) {
        this.fail('processing instructions are not allowed', i);
      } else {
        return i;
      }
    }
  }

  /** Skips the comment starting at `start`; returns the offset after it. */
  private comment(start: number): number {
    const end = this.s.indexOf('-->', start + 4);
    if (end === -1) this.fail('unclosed comment', start);
    // Harmless inside a comment, but no push has a reason to carry one: refuse it anywhere
    // outside CDATA, where it is only the reader's text.
    if (DECLARATION.test(this.s.slice(start + 4, end))) {
      this.fail('markup declarations are not allowed', start);
    }
    return end + 3;
  }

  /** Reads `<name attr="…">` or `<name/>` at this.i; returns the name. */
  private startTag(): string {
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    if (!isNameStart(s.charCodeAt(i))) this.fail('bad element name', i);
    i++;
    while (isNameChar(s.charCodeAt(i))) i++;
    const name = s.slice(start + 1, i);
    // Would set the prototype of the result object instead of a property.
    if (name === '__proto__') this.fail('reserved element name', start);
    for (;;) {
      const beforeSpace = i;
      while (isWhitespace(s.charCodeAt(i))) i++;
      const c = s.charCodeAt(i);
      if (c === GT) {
        this.i = i + 1;
        this.selfClosing = false;
        return name;
      }
      if (c === SLASH && s.charCodeAt(i + 1) === GT) {
        this.i = i + 2;
        this.selfClosing = true;
        return name;
      }
      // Attributes are allowed, checked for syntax, and ignored.
      if (i === beforeSpace || !isNameStart(c)) this.fail('bad start tag', i);
      i++;
      while (isNameChar(s.charCodeAt(i))) i++;
      while (isWhitespace(s.charCodeAt(i))) i++;
      if (s.charCodeAt(i) !== EQUALS) this.fail('bad attribute', i);
      i++;
      while (isWhitespace(s.charCodeAt(i))) i++;
      const quote = s.charCodeAt(i);
      if (quote !== DQUOTE && quote !== SQUOTE) this.fail('unquoted attribute value', i);
      const end = s.indexOf(quote === DQUOTE ? '"' : "'", i + 1);
      if (end === -1) this.fail('unclosed attribute value', i);
      const value = s.slice(i + 1, end);
      if (value.includes('<')) this.fail('"<" in attribute value', i);
      if (value.includes('&')) this.decode(value, i + 1);
      i = end + 1;
    }
  }

  /**
   * Reads the content of `name` from this.i up to and including its end tag. Text is collected
   * until the first child element shows up; from then on only whitespace may sit between
   * children.
   */
  private content(name: string, depth: number): XmlNode {
    const s = this.s;
    let i = this.i;
    let text = '';
    let sawCdata = false;
    let children: XmlObject | undefined;
    for (;;) {
      const lt = s.indexOf('<', i);
      if (lt === -1) this.fail(`unclosed <${name.slice(0, 32)}>`, s.length);
      if (lt > i) {
        if (children === undefined) {
          const segment = s.slice(i, lt);
          text += segment.includes('&') ? this.decode(segment, i) : segment;
        } else if (!isAllWhitespace(s, i, lt)) {
          this.fail('text mixed with elements', i);
        }
      }
      const c = s.charCodeAt(lt + 1);
      if (c === SLASH) {
        let j = lt + 2;
        if (!s.startsWith(name, j)) this.fail(`mismatched end tag for <${name.slice(0, 32)}>`, lt);
        j += name.length;
        while (isWhitespace(s.charCodeAt(j))) j++;
        if (s.charCodeAt(j) !== GT) this.fail(`mismatched end tag for <${name.slice(0, 32)}>`, lt);
        this.i = j + 1;
        if (children !== undefined) return children;
        return sawCdata ? text : trimXml(text);
      }
      if (c === BANG) {
        if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9);
          if (end === -1) this.fail('unclosed CDATA section', lt);
          if (children !== undefined) this.fail('CDATA mixed with elements', lt);
          text += s.slice(lt + 9, end);
          sawCdata = true;
          i = end + 3;
          continue;
        }
        if (s.startsWith('<!--', lt)) {
          i = this.comment(lt);
          continue;
        }
        // <!DOCTYPE, <!ENTITY, <!ELEMENT … in any letter case.
        this.fail('markup declarations are not allowed', lt);
      }
      if (c === QUESTION) this.fail('processing instructions are not allowed', lt);
      if (depth >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`, lt);
      if (children === undefined) {
        if (sawCdata || !isAllWhitespace(text)) this.fail('text mixed with elements', lt);
        children = {};
      }
      this.i = lt;
      const childName = this.startTag();
      const child = this.selfClosing ? '' : this.content(childName, depth + 1);
      if (Object.hasOwn(children, childName)) {
        const previous = children[childName];
        if (Array.isArray(previous)) previous.push(child);
        else children[childName] = [previous as XmlNode, child];
      } else {
        children[childName] = child;
      }
      i = this.i;
    }
  }

  /** Replaces the five predefined entities and character references; `at` is for errors. */
  private decode(text: string, at: number): string {
    let out = '';
    let last = 0;
    let amp = text.indexOf('&');
    while (amp !== -1) {
      const semi = text.indexOf(';', amp + 1);
      // The longest legal reference is &#x10FFFF; (10 characters).
      if (semi === -1 || semi - amp > 10) this.fail('unterminated entity reference', at + amp);
      out += text.slice(last, amp);
      const ref = text.slice(amp + 1, semi);
      switch (ref) {
        case 'lt':
          out += '<';
          break;
        case 'gt':
          out += '>';
          break;
        case 'amp':
          out += '&';
          break;
        case 'quot':
          out += '"';
          break;
        case 'apos':
          out += "'";
          break;
        default: {
          let cp = -1;
          if (DECIMAL_REF.test(ref)) cp = Number.parseInt(ref.slice(1), 10);
          else if (HEX_REF.test(ref)) cp = Number.parseInt(ref.slice(2), 16);
          else this.fail('unknown entity', at + amp);
          if (!isXmlChar(cp)) this.fail('character reference to a non-XML character', at + amp);
          out += String.fromCodePoint(cp);
        }
      }
      last = semi + 1;
      amp = text.indexOf('&', last);
    }
    return out + text.slice(last);
  }
}

/**
 * Parses a WeChat push (or any document in the same subset) in one linear pass.
 * All values stay strings, so 64-bit ids such as MsgId keep every digit.
 *
 * @example
 * parseXml('<xml><MsgType><![CDATA[text]]></MsgType><MsgId>6054768590064713728</MsgId></xml>');
 * // → { root: 'xml', value: { MsgType: 'text', MsgId: '6054768590064713728' } }
 */
export function parseXml(text: string): { root: string; value: XmlObject } {
  return new Parser(text).document();
}

/**
 * The text of the first child called `name`, or undefined when there is none or it holds
 * elements. Safe for names such as `constructor` that plain-object lookups would inherit.
 *
 * @example
 * xmlChildText(parseXml('<xml><Event>CLICK</Event></xml>').value, 'Event'); // → 'CLICK'
 */
export function xmlChildText(obj: XmlObject, name: string): string | undefined {
  if (!Object.hasOwn(obj, name)) return undefined;
  const value = obj[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'string') return item;
  }
  return undefined;
}

// Characters XML 1.0 forbids even escaped, and lone surrogates. One of them (a stray MARC
// subfield delimiter U+001F in a catalogue title, say) makes WeChat reject the whole reply and
// show the reader "该公众号暂时无法提供服务".
const NON_XML_CHARS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function hasNonXmlChars(text: string): boolean {
  NON_XML_CHARS.lastIndex = 0;
  return NON_XML_CHARS.test(text);
}

/**
 * Wraps text in a CDATA section. A `]]>` inside is split across two sections so it survives
 * intact; characters XML cannot carry at all are dropped.
 *
 * @example
 * cdata('a]]>b'); // → '<![CDATA[a]]]]><![CDATA[>b]]>'
 */
export function cdata(text: string): string {
  let safe = text;
  if (hasNonXmlChars(safe)) safe = safe.replace(NON_XML_CHARS, '');
  if (safe.includes(']]>')) safe = safe.replaceAll(']]>', ']]]]><![CDATA[>');
  return `<![CDATA[${safe}]]>`;
}
