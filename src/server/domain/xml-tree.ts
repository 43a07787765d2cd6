// Small XML documents (phone requests and responses, updateInfo.xml) read with saxes: a strict, fast,
// well-formedness-checking parser that expands no DTD entities. Names lose their namespace prefix; callers compare
// them case-insensitively. DTDs are refused before parsing: no phone or package ever sends one.
// walkXml streams a document's elements to a visitor (the update check's path: no tree nobody reads); parseXml
// builds the plain tree on it.
import { SaxesParser, type SaxesTagPlain } from 'saxes';

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

/** What walkXml tells, in document order. */
export interface XmlVisitor {
  /** An element opens: its local name and its attributes by their written names (prefixes still on: see localName). */
  open(name: string, attributes: Readonly<Record<string, string>>): void;
  /** The element opened last closes: its own text (the text between its child elements too), trimmed. */
  close(text: string): void;
}

export const localName = (name: string) => name.slice(name.indexOf(':') + 1);
const MAX_DEPTH = 256;

/** The state of a walk in progress. */
interface Walk {
  visitor: XmlVisitor;
  maxElements: number;
  elements: number;
  /** The open elements' texts, innermost last. */
  texts: string[];
  sawRoot: boolean;
  refused: string | undefined;
}

/** A parser and the walk it serves: its handlers read the walk. */
interface Reader {
  parser: SaxesParser;
  walk: Walk | undefined;
}

/** One reader, reused (saxes resets itself after a document it read to the end); one that failed is replaced. */
let idle: Reader | undefined;

function refuse(w: Walk, why: string): never {
  w.refused = why;
  throw new Error(why);
}

function newReader(): Reader {
  const r: Reader = { parser: new SaxesParser({ position: true }), walk: undefined };
  r.parser.on('opentag', (tag: SaxesTagPlain) => {
    const w = r.walk!;
    // Callers may walk a tree recursively: a 64 KB body of nested tags must be refused, not overflow the stack.
    if (w.texts.length >= MAX_DEPTH) refuse(w, `elements nested too deeply (more than ${MAX_DEPTH})`);
    if (++w.elements > w.maxElements) refuse(w, `more than ${w.maxElements} elements`);
    w.texts.push('');
    w.visitor.open(localName(tag.name), tag.attributes);
  });
  const text = (t: string) => {
    const texts = r.walk!.texts;
    if (texts.length > 0) texts[texts.length - 1] += t;
  };
  r.parser.on('text', text);
  r.parser.on('cdata', text);
  r.parser.on('closetag', () => {
    const w = r.walk!;
    w.visitor.close(w.texts.pop()!.trim());
    if (w.texts.length === 0) w.sawRoot = true;
  });
  return r;
}

/**
 * Reads `text` to the end, telling `visitor` each element; an error (in words) when it is not a well-formed document
 * of at most `maxElements` elements nested at most 256 deep, or declares a DTD.
 */
export function walkXml(text: string, visitor: XmlVisitor, maxElements = Infinity): { ok: true } | { ok: false; error: string } {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false, error: 'DTDs and entity declarations are not accepted' };
  const w: Walk = { visitor, maxElements, elements: 0, texts: [], sawRoot: false, refused: undefined };
  const r = idle ?? newReader();
  idle = undefined; // taken: a document walked meanwhile (by a visitor) gets a reader of its own
  r.walk = w;
  try {
    r.parser.write(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).close();
  } catch (e) {
    return { ok: false, error: w.refused ?? `malformed XML: ${(e as Error).message}` }; // stopped half way: not used again
  } finally {
    r.walk = undefined;
  }
  idle = r;
  return w.sawRoot ? { ok: true } : { ok: false, error: 'no root element' };
}

/** `maxElements`: a document with more elements is refused as soon as the parser meets one too many. */
export function parseXml(text: string, maxElements = Infinity): XmlResult {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const r = walkXml(
    text,
    {
      open(name, attributes) {
        const attrs: Record<string, string> = {};
        for (const k in attributes) attrs[localName(k)] = String(attributes[k]);
        const el: XmlElement = { name, attrs, children: [], text: '' };
        stack.at(-1)?.children.push(el);
        stack.push(el);
      },
      close(t) {
        const el = stack.pop()!;
        el.text = t;
        if (stack.length === 0) root = el;
      },
    },
    maxElements,
  );
  if (!r.ok) return r;
  return root ? { ok: true, root } : { ok: false, error: 'no root element' };
}

/** The first child element of that name, any case. */
export function childNamed(el: XmlElement | undefined, name: string): XmlElement | undefined {
  const lower = name.toLowerCase();
  return el?.children.find((c) => c.name.toLowerCase() === lower);
}
