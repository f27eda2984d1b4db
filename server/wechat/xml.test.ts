import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { FIXTURE_KINDS, PUSH_XML } from './fixtures.ts';
import { VECTORS } from './test-vectors.ts';
import { WeChatXmlError, cdata, parseXml, xmlChildText, type XmlObject } from './xml.ts';

// The reference: fast-xml-parser with values as strings. htmlEntities is what makes it decode
// numeric character references (&#…; / &#x…;); parseXml rejects HTML's named entities anyway.
const reference = new XMLParser({
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
  ignoreAttributes: true,
  trimValues: true,
});

function viaReference(text: string): unknown {
  const out = reference.parse(text) as Record<string, unknown>;
  delete out['?xml'];
  return out;
}

function viaParseXml(text: string): unknown {
  const { root, value } = parseXml(text);
  return { [root]: value };
}

function parseError(text: string): WeChatXmlError {
  try {
    parseXml(text);
  } catch (error) {
    expect(error).toBeInstanceOf(WeChatXmlError);
    const e = error as WeChatXmlError;
    expect(e.code).toBe('ParseXmlError');
    expect(e.errcode).toBe(-40002);
    return e;
  }
  throw new Error(`parsed without error: ${JSON.stringify(text.slice(0, 80))}`);
}

// Small seeded PRNG (mulberry32) so every failure reproduces from its seed.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VECTOR_PLAINTEXTS = [
  VECTORS.official_sample_encrypt_A2.plaintext,
  VECTORS.official_sample_decrypt_C.expected_plaintext,
  VECTORS.official_doc_safe_mode_E.expected_plaintext,
  VECTORS.official_doc_safe_mode_E.reply.plaintext,
  VECTORS.easywechat_decrypt.expected_plaintext,
  VECTORS.powerwechat_wecom_decrypt.expected_plaintext,
];

const CORPUS = [...VECTOR_PLAINTEXTS, ...FIXTURE_KINDS.map((kind) => PUSH_XML[kind])];

describe('parseXml on WeChat pushes', () => {
  it('parses vector C: CDATA, newlines between elements, a 64-bit MsgId kept exact', () => {
    expect(parseXml(VECTORS.official_sample_decrypt_C.expected_plaintext)).toEqual({
      root: 'xml',
      value: {
        ToUserName: 'gh_10f6c3c3ac5a',
        FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
        CreateTime: '1409735668',
        MsgType: 'text',
        Content: 'abcdteT',
        MsgId: '6054768590064713728',
      },
    });
  });

  it('parses nested and repeated elements into objects and arrays', () => {
    const { value } = parseXml(PUSH_XML.pic_photo_or_album);
    expect(value.SendPicsInfo).toEqual({
      Count: '2',
      PicList: {
        item: [
          { PicMd5Sum: '5a75aaca956d97be686719218f275c6b' },
          { PicMd5Sum: '2a35aaca956d97be686719218f275c6c' },
        ],
      },
    });
    const popup = parseXml(PUSH_XML.subscribe_msg_popup_event).value.SubscribeMsgPopupEvent;
    expect(popup).toMatchObject({ List: [{ PopupScene: '2' }, { PopupScene: '2' }] });
  });

  it.each(CORPUS.map((text, i) => [i, text] as const))(
    'agrees with fast-xml-parser on corpus document %i',
    (_i, text) => {
      expect(viaParseXml(text)).toEqual(viaReference(text));
    },
  );

  it('rejects every truncation of every corpus document, with WeChatXmlError only', () => {
    let checked = 0;
    for (const text of CORPUS) {
      for (let end = 0; end < text.length; end++) {
        parseError(text.slice(0, end));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});

describe('parseXml semantics', () => {
  it('keeps CDATA verbatim and trims pure text', () => {
    const { value } = parseXml(
      '<xml><a><![CDATA[ x &amp; <y> ]]></a><b>\n  y  \n</b><c> <![CDATA[z]]> </c><d>\u3000书\u3000</d></xml>',
    );
    expect(value).toEqual({ a: ' x &amp; <y> ', b: 'y', c: ' z ', d: '\u3000书\u3000' });
  });

  it('decodes the five predefined entities and character references', () => {
    const { value } = parseXml(
      '<xml><a>&lt;&gt;&amp;&quot;&apos;</a><b>&#20013;&#x6587;&#65;</b><c>&#x1F600;&#128512;</c><d>&amp;lt;</d></xml>',
    );
    expect(value).toEqual({ a: '<>&"\'', b: '中文A', c: '😀😀', d: '&lt;' });
  });

  it('reads empty elements as empty strings and an empty root as an empty object', () => {
    expect(parseXml('<xml><a/><b></b><c>  </c><d><![CDATA[]]></d><e /></xml>').value).toEqual({
      a: '',
      b: '',
      c: '',
      d: '',
      e: '',
    });
    expect(parseXml('<xml/>')).toEqual({ root: 'xml', value: {} });
    expect(parseXml('<xml>\n</xml>')).toEqual({ root: 'xml', value: {} });
  });

  it('accepts a declaration, a BOM, comments, attributes and any root name', () => {
    const text =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- push -->\n<root a="1" b=\'&amp;\'>' +
      '<!-- c --><x  y = "2" >1</x><x/></root>\n<!-- end -->\n';
    expect(parseXml(text)).toEqual({ root: 'root', value: { x: ['1', ''] } });
  });

  it('treats "<!DOCTYPE" inside CDATA as the reader\'s text', () => {
    const text = '<xml><Content><![CDATA[<!DOCTYPE html><!ENTITY x>]]></Content></xml>';
    expect(parseXml(text).value.Content).toBe('<!DOCTYPE html><!ENTITY x>');
  });

  it('is safe for element names an object would otherwise inherit', () => {
    const { value } = parseXml('<xml><constructor>a</constructor><toString>b</toString></xml>');
    expect(xmlChildText(value, 'constructor')).toBe('a');
    expect(xmlChildText(value, 'toString')).toBe('b');
    expect(xmlChildText(value, 'hasOwnProperty')).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    parseError('<xml><__proto__>x</__proto__></xml>');
  });

  it('allows nesting 16 deep and no deeper', () => {
    // <xml> is level 1 and <b> level `depth`.
    const nest = (depth: number): string =>
      '<xml>' + '<a>'.repeat(depth - 2) + '<b>x</b>' + '</a>'.repeat(depth - 2) + '</xml>';
    expect(() => parseXml(nest(16))).not.toThrow();
    expect(parseError(nest(17)).message).toMatch(/deeper than 16/);
  });

  it('xmlChildText returns the first string value', () => {
    const { value } = parseXml('<xml><a>1</a><a>2</a><b><c/></b><d><e/></d><d>3</d></xml>');
    expect(xmlChildText(value, 'a')).toBe('1');
    expect(xmlChildText(value, 'b')).toBeUndefined();
    expect(xmlChildText(value, 'd')).toBe('3');
    expect(xmlChildText(value, 'missing')).toBeUndefined();
  });
});

describe('parseXml rejects', () => {
  it.each([
    ['empty input', ''],
    ['whitespace only', ' \n '],
    ['a DOCTYPE', '<!DOCTYPE xml><xml/>'],
    ['a lower-case doctype', '<!doctype xml><xml/>'],
    [
      'an XXE attempt',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>&e;</xml>',
    ],
    ['an entity declaration inside', '<xml><!ENTITY e "x"></xml>'],
    ['a DOCTYPE after the root', '<xml/><!DOCTYPE x>'],
    ['a DOCTYPE inside an element', '<xml><a><!DocType x></a></xml>'],
    ['a DOCTYPE inside a comment', '<xml><!-- <!doctype x> --></xml>'],
    ['an ENTITY inside a comment before the root', '<!-- <!ENTITY e "x"> --><xml/>'],
    ['a billion laughs', '<!DOCTYPE l [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><xml>&b;</xml>'],
    ['a processing instruction', '<xml><?php echo 1 ?></xml>'],
    ['a stylesheet PI before the root', '<?xml-stylesheet href="a"?><xml/>'],
    ['a second declaration', '<?xml version="1.0"?><?xml version="1.0"?><xml/>'],
    ['an unknown entity', '<xml><a>&nbsp;</a></xml>'],
    ['an unknown entity in an attribute', '<xml a="&nbsp;"/>'],
    ['a bare ampersand', '<xml><a>fish & chips</a></xml>'],
    ['an unterminated reference', '<xml><a>&amp</a></xml>'],
    ['a reference to NUL', '<xml><a>&#0;</a></xml>'],
    ['a reference to a surrogate', '<xml><a>&#xD800;</a></xml>'],
    ['a reference beyond Unicode', '<xml><a>&#x110000;</a></xml>'],
    ['an empty reference', '<xml><a>&#;</a></xml>'],
    ['an upper-case hex reference', '<xml><a>&#X41;</a></xml>'],
    ['a mismatched end tag', '<xml><a>1</b></xml>'],
    ['an end tag with a longer name', '<xml><a>1</ab></xml>'],
    ['an unclosed element', '<xml><a>1</a>'],
    ['an unclosed CDATA section', '<xml><a><![CDATA[x</a></xml>'],
    ['an unclosed comment', '<xml><!-- x</xml>'],
    ['text before the root', 'hello<xml/>'],
    ['text after the root', '<xml/>hello'],
    ['a second root', '<xml/><xml/>'],
    ['text in the root', '<xml>hello</xml>'],
    ['text mixed with elements', '<xml><a>x<b/></a></xml>'],
    ['text after an element', '<xml><a><b/>x</a></xml>'],
    ['CDATA mixed with elements', '<xml><a><b/><![CDATA[x]]></a></xml>'],
    ['an empty element name', '<xml><>x</></xml>'],
    ['a name starting with a digit', '<xml><1a>x</1a></xml>'],
    ['a space before the name', '<xml>< a>x</a></xml>'],
    ['an attribute without a value', '<xml><a b>x</a></xml>'],
    ['an unquoted attribute', '<xml><a b=1>x</a></xml>'],
    ['attributes without a space between', '<xml><a b="1"c="2">x</a></xml>'],
    ['"<" in an attribute', '<xml><a b="<">x</a></xml>'],
    ['an unclosed attribute', '<xml><a b="1>x</a></xml>'],
    ['an unclosed start tag', '<xml><a'],
    ['an end tag only', '</xml>'],
    ['JSON', '{"ToUserName":"gh_x"}'],
  ])('%s', (_name, text) => {
    parseError(text);
  });

  it('reports the offset and never the content', () => {
    const error = parseError('<xml><Content>secret &bogus; text</Content></xml>');
    expect(error.position).toBe(21);
    expect(error.message).not.toMatch(/secret|bogus/);
  });

  it('stays linear on hostile inputs', () => {
    const big = 1_000_000;
    const hostile = [
      '<xml>' + '<a>'.repeat(big),
      '<xml><a>' + '&'.repeat(big),
      '<xml><a>' + '&amp;'.repeat(big / 5),
      '<xml>' + '<!--'.repeat(big / 4),
      '<xml>' + '<![CDATA['.repeat(big / 9),
      '<xml><a>' + ']]'.repeat(big / 2),
      '<xml><a b="' + 'x'.repeat(big),
      '<xml>' + '<a></a>'.repeat(big / 7) + '<b>',
      '<xml>' + ' '.repeat(big) + 'x',
    ];
    const started = performance.now();
    for (const text of hostile) {
      parseError(text);
    }
    // ≈ tens of ms in practice; quadratic behaviour would take minutes.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

// Generates a random document together with the value parseXml must produce for it.
function generate(next: () => number): { text: string; expected: XmlObject } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const names = ['a', 'b', 'Item', 'List', 'x-1', 'ns:y', '书目', 'Content', 'MsgId', 'item'];
  const plain = ['abc', 'XYZ', '0123', '中文', '书林', '，。', '😀', '>', '"', "'", 'a b', '9.5'];
  const entities: Array<[string, string]> = [
    ['&lt;', '<'],
    ['&gt;', '>'],
    ['&amp;', '&'],
    ['&quot;', '"'],
    ['&apos;', "'"],
    ['&#20013;', '中'],
    ['&#x4E66;', '书'],
    ['&#x1F600;', '😀'],
    ['&amp;lt;', '&lt;'],
  ];
  const cdataPieces = [' ', 'x', '<b>', '&amp;', ']]', ']', '中文 ', '\n', '&#20013;', '"\''];
  const space = (): string => pick(['', '', ' ', '\n', '\n  ', '\t']);

  // Text without whitespace at either end, as encoded XML and as decoded value.
  function textRun(): [string, string] {
    let xml = '';
    let value = '';
    const parts = 1 + Math.floor(next() * 4);
    for (let i = 0; i < parts; i++) {
      if (next() < 0.3) {
        const [encoded, decoded] = pick(entities);
        xml += encoded;
        value += decoded;
      } else {
        const piece = pick(plain);
        xml += piece;
        value += piece;
      }
    }
    return [xml, value];
  }

  function leaf(): [string, string] {
    const roll = next();
    if (roll < 0.15) return ['', ''];
    if (roll < 0.45) {
      const [xml, value] = textRun();
      // Whitespace around pure text is trimmed away.
      return [space() + xml + space(), value];
    }
    // CDATA, alone or between text runs: kept verbatim, nothing trimmed.
    let xml = '';
    let value = '';
    const parts = 1 + Math.floor(next() * 3);
    for (let i = 0; i < parts; i++) {
      if (i > 0 && next() < 0.5) {
        const [text, decoded] = textRun();
        xml += text;
        value += decoded;
      }
      let content = '';
      const pieces = Math.floor(next() * 4);
      for (let j = 0; j < pieces; j++) content += pick(cdataPieces);
      // Never generate the terminator inside CDATA.
      content = content.replaceAll(']]>', ']] >');
      if (content.endsWith(']]') || content.endsWith(']')) content += '.';
      xml += `<![CDATA[${content}]]>`;
      value += content;
    }
    return [xml, value];
  }

  function attributes(): string {
    if (next() < 0.8) return '';
    return pick([' id="1"', " k='v &amp; w'", ' a="1" b="2"', ' xml:lang="zh-CN"']);
  }

  function element(depth: number): [string, string | XmlObject] {
    const name = pick(names);
    if (depth >= 5 || next() < 0.45) {
      const [content, value] = leaf();
      if (content === '' && next() < 0.5) return [`<${name}${attributes()}/>`, value];
      return [`<${name}${attributes()}>${content}</${name}>`, value];
    }
    const [inner, value] = childrenOf(depth + 1);
    return [`<${name}${attributes()}>${inner}</${name}>`, value];
  }

  function childrenOf(depth: number): [string, XmlObject] {
    const value: XmlObject = {};
    let xml = space();
    const count = 1 + Math.floor(next() * 4);
    for (let i = 0; i < count; i++) {
      const [childXml, childValue] = element(depth);
      const name = /^<([^\s/>]+)/.exec(childXml)?.[1] ?? '';
      const previous = value[name];
      if (previous === undefined) value[name] = childValue;
      else if (Array.isArray(previous)) previous.push(childValue);
      else value[name] = [previous, childValue];
      xml += childXml + space();
      if (next() < 0.1) xml += '<!-- comment <a> & -->' + space();
    }
    return [xml, value];
  }

  const [inner, expected] = childrenOf(2);
  const declaration = next() < 0.3 ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '';
  return { text: `${declaration}<xml>${inner}</xml>`, expected };
}

describe('parseXml on generated documents', () => {
  it('matches the generator and fast-xml-parser on 3000 random documents', () => {
    const next = random(20241129);
    for (let i = 0; i < 3000; i++) {
      const { text, expected } = generate(next);
      expect(parseXml(text), text).toEqual({ root: 'xml', value: expected });
      expect(viaReference(text), text).toEqual({ xml: expected });
    }
  });

  it('throws only WeChatXmlError on mutated documents, and never hangs', () => {
    const next = random(7);
    const alphabet = ['<', '>', '/', '&', ';', '!', '?', '[', ']', '-', '"', "'", '=', 'a', ' '];
    for (let i = 0; i < 3000; i++) {
      const source = i % 2 === 0 ? generate(next).text : (CORPUS[i % CORPUS.length] as string);
      let text = source;
      const edits = 1 + Math.floor(next() * 3);
      for (let j = 0; j < edits; j++) {
        const at = Math.floor(next() * (text.length + 1));
        const roll = next();
        const char = alphabet[Math.floor(next() * alphabet.length)] ?? '';
        if (roll < 0.4) text = text.slice(0, at) + char + text.slice(at);
        else if (roll < 0.8) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at) + char + text.slice(at + 1);
      }
      try {
        parseXml(text);
      } catch (error) {
        if (!(error instanceof WeChatXmlError)) throw error;
      }
    }
  });
});

describe('cdata', () => {
  it('wraps text, splitting every "]]>" so the round trip is exact', () => {
    expect(cdata('hello')).toBe('<![CDATA[hello]]>');
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    for (const text of ['', ']]>', ']]>]]>', 'x]]]>y', ']]]]>>', '<a>&amp;</a>', '书林 😀']) {
      expect(parseXml(`<xml><a>${cdata(text)}</a></xml>`).value.a).toBe(text);
    }
  });

  it('drops characters XML cannot carry, keeping valid surrogate pairs', () => {
    expect(cdata('a\u0000b\u001Fc\u000Bd\uFFFEe')).toBe('<![CDATA[abcde]]>');
    expect(cdata('x\uD800y\uDC00z😀')).toBe('<![CDATA[xyz😀]]>');
    expect(cdata('tab\tnl\ncr\r')).toBe('<![CDATA[tab\tnl\ncr\r]]>');
  });
});
