// The link part that opens Troubleshoot's Why filled in (#/troubleshoot/why?model=CX600&locale=ENU): the context
// menus of rules and phones ask "why" with it, and it can be bookmarked like any console link.
export const WHY_FIELDS = ['model', 'revision', 'locale', 'version', 'mac', 'serial'] as const;
export type WhyField = (typeof WHY_FIELDS)[number];
export type WhyQuery = Partial<Record<WhyField, string>>;

export function formatWhyPart(q: WhyQuery): string {
  const given = Object.entries(q).filter((e): e is [string, string] => !!e[1]);
  return `why?${new URLSearchParams(given).toString()}`;
}

/** The fields a link part names, or undefined when the part is not a Why. */
export function parseWhyPart(part: string | undefined): WhyQuery | undefined {
  if (!part?.startsWith('why?')) return undefined;
  const params = new URLSearchParams(part.slice(4));
  return Object.fromEntries(WHY_FIELDS.filter((f) => params.get(f)).map((f) => [f, params.get(f)!]));
}
