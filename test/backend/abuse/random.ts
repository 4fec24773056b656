import { F, type Signature } from './signature';

function fill(): Signature {
  return {
    kinds: ['f32', 'index', 'index', 'double', 'double'],
    valid: () => [F(5), 3, 0, 0, 1],
    freeLength: [0],
    refused: () => [[F(5), 3, 2 ** 53 - 2, 0, 1], [F(5), 3, 0, 1, -1]], // past the stream; low > high or std < 0
  };
}

export const RANDOM_SIGNATURES: Record<string, Signature> = {
  randomBits: {
    kinds: ['u32', 'index', 'index'],
    valid: () => [new Uint32Array(5), 1, 2],
    freeLength: [0],
    refused: () => [[new Uint32Array(5), 1, 2 ** 53 - 3]], // offset + length passes 2^53 - 1
  },
  fillUniform: fill(),
  fillNormal: fill(),
};
