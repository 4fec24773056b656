/**
 * The NPY header: a Python dict literal with exactly the keys 'descr', 'fortran_order' and
 * 'shape', as numpy writes it. Parsed (never evaluated) in one left-to-right pass, so its time
 * is linear in its length whatever it holds.
 */

export interface NpyHeaderFields {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

const KEYS = ['descr', 'fortran_order', 'shape'];

/** A short excerpt of the header for an error message. */
function excerpt(text: string, at = 0): string {
  const part = text.slice(at, at + 60);
  return JSON.stringify(part.length < text.length - at ? `${part}…` : part);
}

export function parseNpyHeader(fn: string, text: string): NpyHeaderFields {
  let i = 0;
  const fail = (what: string): never => {
    throw new TypeError(`${fn}: Expected ${what} at offset ${i} of the header but it reads ${excerpt(text, i)}`);
  };
  const space = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const quote = text[i];
    if (quote !== "'" && quote !== '"') fail('a quoted string');
    const end = text.indexOf(quote!, i + 1);
    if (end < 0) fail('a closing quote');
    const value = text.slice(i + 1, end);
    if (value.includes('\\')) fail('a string without escapes');
    i = end + 1;
    return value;
  };
  const boolean = (): boolean => {
    for (const [word, value] of [['True', true], ['False', false]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    return fail('True or False for fortran_order');
  };
  const tuple = (): number[] => {
    const start = i;
    if (text[i] !== '(') fail('a tuple for shape');
    i++;
    const dims: number[] = [];
    let comma = false;
    for (;;) {
      space();
      if (text[i] === ')') break;
      const digits = /^\d+/.exec(text.slice(i, i + 32));
      if (!digits) {
        const close = text.indexOf(')', i);
        throw new TypeError(`${fn}: Expected integer dimensions but the shape reads ${excerpt(text.slice(start, close < 0 ? undefined : close + 1))}`);
      }
      dims.push(Number(digits[0]));
      i += digits[0].length;
      if (text[i] === 'L') i++; // Python 2 long
      space();
      comma = text[i] === ',';
      if (comma) i++;
      else if (text[i] !== ')') fail('"," or ")" in the shape');
    }
    i++;
    // Python reads (3) as the number 3: a one-dimensional shape needs its comma, as numpy insists.
    if (dims.length === 1 && !comma) throw new TypeError(`${fn}: Expected a tuple for shape but it reads ${excerpt(text.slice(start, i))} (a 1-d shape is written (n,))`);
    return dims;
  };

  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) {
    throw new TypeError(`${fn}: Expected the header to be a dict literal but it reads ${excerpt(trimmed)}`);
  }
  const found: Partial<NpyHeaderFields> = {};
  const seen = new Set<string>();
  space();
  i++; // the '{'
  for (;;) {
    space();
    if (text[i] === '}') break;
    const key = string();
    if (!KEYS.includes(key)) throw new TypeError(`${fn}: unexpected key ${JSON.stringify(key.slice(0, 40))} in the header (expected exactly 'descr', 'fortran_order' and 'shape')`);
    if (seen.has(key)) throw new TypeError(`${fn}: the header repeats the key '${key}'`);
    seen.add(key);
    space();
    if (text[i] !== ':') fail('":" after a key');
    i++;
    space();
    if (key === 'descr') found.descr = string();
    else if (key === 'fortran_order') found.fortranOrder = boolean();
    else found.shape = tuple();
    space();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail('"," or "}" after a value');
  }
  i++;
  space();
  if (i !== text.length) fail('nothing after the closing "}"');
  if (found.descr === undefined || found.fortranOrder === undefined || found.shape === undefined) {
    throw new TypeError(`${fn}: Expected 'descr', 'fortran_order' and 'shape' in the header but it reads ${excerpt(trimmed)}`);
  }
  return found as NpyHeaderFields;
}
