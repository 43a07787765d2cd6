// Small XML documents (phone requests and responses, updateInfo.xml) read into a plain tree with saxes: a strict,
// fast, well-formedness-checking parser that expands no DTD entities. Names lose their namespace prefix; callers
// compare them case-insensitively. DTDs are refused before parsing: no phone or package ever sends one.
import { SaxesParser } from 'saxes';

export interface XmlElement {
  /** Local name (prefix removed), as written. */
  name: string;
  /** Attributes by local name, as written. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, trimmed. */
  text: string;
}

export type XmlResult = { ok: true; root: XmlElement } | { ok: false; error: string };

const local = (name: string) => name.slice(name.indexOf(':') + 1);
const MAX_DEPTH = 256;

/** `maxElements`: a document with more elements is refused as soon as the parser meets one too many. */
export function parseXml(text: string, maxElements = Infinity): XmlResult {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false, error: 'DTDs and entity declarations are not accepted' };
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  const texts: string[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let refused: string | undefined;
  const refuse = (why: string) => {
    refused = why;
    throw new Error(why);
  };
  parser.on('opentag', (tag) => {
    // Callers walk the tree recursively: a 64 KB body of nested tags must be refused, not overflow the stack.
    if (stack.length >= MAX_DEPTH) refuse(`elements nested too deeply (more than ${MAX_DEPTH})`);
    if (++elements > maxElements) refuse(`more than ${maxElements} elements`);
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[local(k)] = String(v);
    const el: XmlElement = { name: local(tag.name), attrs, children: [], text: '' };
    stack.at(-1)?.children.push(el);
    stack.push(el);
    texts.push('');
  });
  parser.on('text', (t) => {
    if (texts.length > 0) texts[texts.length - 1] += t;
  });
  parser.on('cdata', (t) => {
    if (texts.length > 0) texts[texts.length - 1] += t;
  });
  parser.on('closetag', () => {
    const el = stack.pop()!;
    el.text = texts.pop()!.trim();
    if (stack.length === 0) root = el;
  });
  try {
    parser.write(text.replace(/^\uFEFF/, '')).close();
  } catch (e) {
    return { ok: false, error: refused ?? `malformed XML: ${(e as Error).message}` };
  }
  return root ? { ok: true, root } : { ok: false, error: 'no root element' };
}

/** The first child element of that name, any case. */
export function childNamed(el: XmlElement | undefined, name: string): XmlElement | undefined {
  const lower = name.toLowerCase();
  return el?.children.find((c) => c.name.toLowerCase() === lower);
}
