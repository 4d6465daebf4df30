/**
 * Just enough XML for SOAP envelopes: elements, attributes, text and the five predefined entities (what
 * jsforce's SOAP client writes and reads). Not a general parser: no DTDs, CDATA or processing beyond the
 * `<?xml …?>` declaration.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_m, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) {
      return String.fromCodePoint(parseInt(entity.slice(2), 16));
    }
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity] ?? '';
  });
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#root', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|<\?[^?]*\?>|([^<]+)/g;
  for (const match of xml.matchAll(tag)) {
    const [, closing, name, attrs, selfClosing, text] = match;
    const current = stack[stack.length - 1]!;
    if (text !== undefined) {
      current.text += decode(text);
      continue;
    }
    if (name === undefined) continue;
    if (closing) {
      if (current.name !== name) throw new Error(`XML: </${name}> closes <${current.name}>`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const a of (attrs ?? '').matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) attributes[a[1]!] = decode(a[2]!);
    const element: XmlElement = { name, attributes, children: [], text: '' };
    current.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error('XML: unclosed elements');
  return root;
}

/** The element's local name (`soapenv:Body` → `Body`). */
export function localName(element: XmlElement): string {
  return element.name.replace(/^.*:/, '');
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => localName(c) === name);
}

export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((c) => localName(c) === name) ?? [];
}

/** An element as plain data: leaves are strings, repeated children arrays; `xsi:type` kept as `$type`. */
export function toPlain(element: XmlElement): unknown {
  if (element.children.length === 0) return element.text.trim();
  const out: Record<string, unknown> = {};
  const type = element.attributes['xsi:type'];
  if (type !== undefined) out['$type'] = type;
  for (const c of element.children) {
    const key = localName(c);
    const value = toPlain(c);
    const existing = out[key];
    out[key] =
      existing === undefined
        ? value
        : Array.isArray(existing)
          ? [...(existing as unknown[]), value]
          : [existing, value];
  }
  return out;
}

/** Plain data → XML elements, arrays as repeated elements. */
export function toXml(name: string, value: unknown, attributes = ''): string {
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (value === undefined) return '';
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .filter(([k]) => k !== '$type')
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<${name}${attributes}>${inner}</${name}>`;
  }
  return `<${name}${attributes}>${escapeXml(typeof value === 'string' ? value : JSON.stringify(value))}</${name}>`;
}
