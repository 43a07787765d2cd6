// parseXml on tables of well-formed and hostile documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childNamed, parseXml, type XmlElement } from '../../src/server/domain/xml-tree.js';


const el = (name: string, attrs: Record<string, string> = {}, children: XmlElement[] = [], text = ''): XmlElement => ({
  name,
  attrs,
  children,
  text,
});

const WELL_FORMED: [string, string, XmlElement][] = [
  ['empty element', '<a/>', el('a')],
  ['BOM, declaration, comments and PIs around the root', '\uFEFF<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<!-- c --><?pi x?>\n<a/>\n<!--d--><?q?>\n', el('a')],
  ['prefixes dropped from element and attribute names', '<u:r xmlns:u="urn:x" u:k="v"><u:c/></u:r>', el('r', { u: 'urn:x', k: 'v' }, [el('c')])],
  ['text trimmed and concatenated around children, CDATA and comments', '<a> x <b>y</b> z<![CDATA[ <&> ]]><!--c-->w </a>', el('a', {}, [el('b', {}, [], 'y')], 'x  z <&> w')],
  ['predefined entities and character references', '<a v="&lt;&gt;&amp;&quot;&apos;&#64;&#x40;&#x1F600;">&#65;&#x42;&amp;lt;</a>', el('a', { v: `<>&"'@@😀` }, [], 'AB&lt;')],
  ['single and double quotes, spaces around =', `<a x = 'say "hi"' y="it's"/>`, el('a', { x: 'say "hi"', y: "it's" })],
  ['attribute whitespace becomes spaces; references do not', '<a v="1\t2\r\n3\n4&#10;5"/>', el('a', { v: '1 2 3 4\n5' })],
  ['CRLF and CR in text become LF', '<a>x\r\ny\rz</a>', el('a', {}, [], 'x\ny\nz')],
  ['> and ]] allowed in text, > in attributes', '<a v="a>b">x > y ]] z</a>', el('a', { v: 'a>b' }, [], 'x > y ]] z')],
  ['non-ASCII names', '<é:ñame ŝ="1"><日本/></é:ñame>', el('ñame', { ŝ: '1' }, [el('日本')])],
  ['same local attribute name under two prefixes: the last wins', '<a p:x="1" q:x="2"/>', el('a', { x: '2' })],
  ['closing tag with whitespace', '<a></a  >', el('a')],
  ['PI whose body starts right after ?', '<a><?p?x?></a>', el('a')],
];

const MALFORMED: [string, string][] = [
  ['DOCTYPE', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'],
  ['entity bomb', '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>'],
  ['undefined entity', '<a>&nbsp;</a>'],
  ['bare &', '<a>fish & chips</a>'],
  ['& in attribute', '<a v="x&y"/>'],
  ['unterminated reference', '<a>&amp</a>'],
  ['character reference to NUL', '<a>&#0;</a>'],
  ['character reference to a surrogate', '<a>&#xD800;</a>'],
  ['character reference beyond Unicode', '<a>&#x110000;</a>'],
  ['uppercase X in character reference', '<a>&#X41;</a>'],
  ['mismatched tags', '<a><b></a></b>'],
  ['unclosed tag', '<a><b></b>'],
  ['closing tag without opening', '<a></a></b>'],
  ['two roots', '<a/><b/>'],
  ['text after the root', '<a/>x'],
  ['text before the root', 'x<a/>'],
  ['no root', '<!-- only a comment -->'],
  ['empty document', ''],
  ['< in attribute value', '<a v="<"/>'],
  ['duplicate attribute', '<a x="1" x="2"/>'],
  ['attribute without value', '<a x/>'],
  ['unquoted attribute', '<a x=1/>'],
  ['no whitespace between attributes', '<a x="1"y="2"/>'],
  ['unterminated comment', '<a><!-- x</a>'],
  ['-- inside a comment', '<a><!-- x -- y --></a>'],
  ['comment ending in --->', '<a><!-- x ---></a>'],
  ['unterminated CDATA', '<a><![CDATA[x</a>'],
  ['CDATA outside the root', '<![CDATA[x]]><a/>'],
  [']]> in text', '<a>x]]>y</a>'],
  ['unterminated PI', '<a><?p x</a>'],
  ['XML declaration not at the start', ' <?xml version="1.0"?><a/>'],
  ['XML declaration in upper case', '<?XML version="1.0"?><a/>'],
  ['XML declaration without version', '<?xml encoding="utf-8"?><a/>'],
  ['bad version', '<?xml version="2.0"?><a/>'],
  ['name starting with a digit', '<1a/>'],
  ['name starting with -', '<-a/>'],
  ['space after <', '< a/>'],
  ['control character', '<a>\u0001</a>'],
  ['U+FFFF', '<a>\uFFFF</a>'],
  ['lone low surrogate', '<a>x\uDC00</a>'],
  ['slash not followed by >', '<a/ >'],
  ['<! that is neither comment nor CDATA', '<a><!foo></a>'],
];

test('well-formed documents give the expected tree', () => {
  for (const [what, xml, expected] of WELL_FORMED) {
    assert.deepEqual(parseXml(xml), { ok: true, root: expected }, what);
  }
});

test('malformed documents are refused with a reason', () => {
  for (const [what, xml] of MALFORMED) {
    const r = parseXml(xml);
    assert.equal(r.ok, false, what);
    if (!r.ok && !/DOCTYPE|ENTITY/.test(xml)) assert.match(r.error, /^malformed XML: \S/, what);
  }
});

test('DTDs are refused with the message package-layout looks for', () => {
  const r = parseXml('<?xml version="1.0"?>\n<!doctype a SYSTEM "file:///etc/passwd"><a/>');
  assert.deepEqual(r, { ok: false, error: 'DTDs and entity declarations are not accepted' });
});

test('error messages carry the position', () => {
  const r = parseXml('<a>\n  <b></c>\n</a>');
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /^malformed XML: 2:\d+: /);
});

test('deep nesting is refused (callers walk the tree recursively), 256 levels are fine', () => {
  assert.equal(parseXml('<a>'.repeat(256) + '</a>'.repeat(256)).ok, true);
  assert.match((parseXml('<a>'.repeat(257) + '</a>'.repeat(257)) as { error: string }).error, /nested too deeply/);
  assert.match((parseXml('<a>'.repeat(100_000)) as { error: string }).error, /nested too deeply/);
});

test('maxElements: a document with one element too many is refused as the parser meets it', () => {
  assert.equal(parseXml('<a><b/><c/></a>', 3).ok, true);
  assert.deepEqual(parseXml('<a><b/><c/><d/></a>', 3), { ok: false, error: 'more than 3 elements' });
  assert.deepEqual(parseXml('<a>' + '<b/>'.repeat(100_000) + '</a>', 10), { ok: false, error: 'more than 10 elements' });
});

test('childNamed finds the first child by name, any case', () => {
  const r = parseXml('<r><A>1</A><a>2</a></r>');
  assert.ok(r.ok);
  assert.equal(childNamed(r.root, 'a')?.text, '1');
  assert.equal(childNamed(r.root, 'B'), undefined);
  assert.equal(childNamed(undefined, 'a'), undefined);
});
