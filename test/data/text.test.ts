// The character vocabulary and the truncated-BPTT batches, on hand-checked examples.
import { describe, expect, it } from 'vitest';
import { data } from '../../lib';

const { CharVocab, bpttBatches } = data;

describe('CharVocab', () => {
  it('gives each distinct character an id in code-point order and round-trips text', () => {
    const vocab = CharVocab.fromText('hello, world');
    expect(vocab.chars).toEqual([' ', ',', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(Array.from(vocab.encode('hello'))).toEqual([4, 3, 5, 5, 6]);
    expect(vocab.decode(vocab.encode('world, hello'))).toBe('world, hello');
  });

  it('keeps characters outside the BMP whole', () => {
    const vocab = CharVocab.fromText('a😀b😀');
    expect(vocab.size).toBe(3);
    expect(vocab.decode(vocab.encode('😀ab'))).toBe('😀ab');
  });

  it('names an unknown character and where it is', () => {
    const vocab = CharVocab.fromText('abc');
    expect(() => vocab.encode('abz')).toThrow('CharVocab.encode: Expected characters of the vocabulary but character 2 is "z" (U+007A)');
    expect(() => vocab.decode([0, 3])).toThrow('CharVocab.decode: Expected ids in [0, 3) but ids[1] is 3');
    expect(() => new CharVocab(['a', 'a'])).toThrow(/distinct/);
    expect(() => new CharVocab(['ab'])).toThrow(/single characters/);
  });
});

describe('bpttBatches', () => {
  it('cuts the text into batchSize streams and walks them seqLength at a time, targets one ahead', () => {
    const ids = Int32Array.from({ length: 23 }, (_, i) => i); // streams of (23 − 1)/2 = 11
    const batches = bpttBatches(ids, 2, 4);
    expect(batches.map((b) => b.steps)).toEqual([4, 4, 3]);
    expect(Array.from(batches[0]!.inputs)).toEqual([0, 1, 2, 3, 11, 12, 13, 14]);
    expect(Array.from(batches[0]!.targets)).toEqual([1, 2, 3, 4, 12, 13, 14, 15]);
    // Row b of the next batch continues row b: the carried state has read what came before.
    expect(Array.from(batches[1]!.inputs)).toEqual([4, 5, 6, 7, 15, 16, 17, 18]);
    expect(Array.from(batches[2]!.inputs)).toEqual([8, 9, 10, 19, 20, 21]);
    expect(Array.from(batches[2]!.targets)).toEqual([9, 10, 11, 20, 21, 22]);
  });

  it('refuses texts too short for the batch and bad sizes', () => {
    expect(() => bpttBatches(Int32Array.of(1, 2), 2, 4)).toThrow('bpttBatches: Expected at least batchSize + 1 = 3 characters but the text has 2');
    expect(() => bpttBatches(Int32Array.of(1, 2, 3), 0, 4)).toThrow(/positive integer for batchSize/);
  });
});
