/** A character vocabulary: each distinct character (Unicode code point) of a text gets an id. */
export class CharVocab {
  /** The characters in id order (sorted by code point, so a text gives the same ids every time). */
  readonly chars: readonly string[];
  readonly #ids: Map<string, number>;

  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars) || chars.length === 0) {
      throw new TypeError('CharVocab: Expected a non-empty array of characters');
    }
    const ids = new Map<string, number>();
    chars.forEach((ch, i) => {
      if (typeof ch !== 'string' || [...ch].length !== 1) {
        throw new TypeError(`CharVocab: Expected single characters but entry ${i} is ${JSON.stringify(ch)}`);
      }
      if (ids.has(ch)) throw new RangeError(`CharVocab: Expected distinct characters but ${JSON.stringify(ch)} appears twice`);
      ids.set(ch, i);
    });
    this.chars = Object.freeze([...chars]);
    this.#ids = ids;
  }

  /** The distinct characters of text, sorted by code point. */
  static fromText(text: string): CharVocab {
    if (typeof text !== 'string' || text.length === 0) throw new TypeError('CharVocab.fromText: Expected a non-empty string');
    const set = new Set(text); // iterates code points, so surrogate pairs stay whole
    return new CharVocab([...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  get size(): number {
    return this.chars.length;
  }

  has(ch: string): boolean {
    return this.#ids.has(ch);
  }

  /** The ids of text's characters; an unknown character is an error naming it and where it is. */
  encode(text: string): Int32Array {
    const chars = [...text];
    const out = new Int32Array(chars.length);
    chars.forEach((ch, i) => {
      const id = this.#ids.get(ch);
      if (id === undefined) {
        throw new RangeError(`CharVocab.encode: Expected characters of the vocabulary but character ${i} is ${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`);
      }
      out[i] = id;
    });
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const ch = this.chars[ids[i]!];
      if (ch === undefined) throw new RangeError(`CharVocab.decode: Expected ids in [0, ${this.size}) but ids[${i}] is ${ids[i]}`);
      out += ch;
    }
    return out;
  }

  /** The characters as one JSON string (what a saved model keeps in its metadata). */
  toJSON(): string[] {
    return [...this.chars];
  }
}
