import { detached, F, type Signature } from './signature';

const N = 5;

/** The refused calls every update shares: states overlapping param, an empty param with states. */
function overlapping(valid: () => unknown[], states: number[]): unknown[][] {
  const calls: unknown[][] = [];
  for (const position of [1, ...states]) {
    const shared = F(N + 1);
    const args = valid();
    args[0] = shared.subarray(0, N);
    args[position] = shared.subarray(1, N + 1);
    calls.push(args);
  }
  const same = valid();
  same[1] = same[0]; // grad is param
  calls.push(same);
  const gone = valid();
  gone[0] = detached();
  calls.push(gone);
  return calls;
}

/** Copies of the valid call with the arguments in `changes` replaced. */
function variants(valid: () => unknown[], ...changes: Record<number, unknown>[]): unknown[][] {
  return changes.map((change) => {
    const args = valid();
    for (const [position, value] of Object.entries(change)) args[Number(position)] = value;
    return args;
  });
}

function signature(kinds: Signature['kinds'], valid: () => unknown[], states: number[], ...changes: Record<number, unknown>[]): Signature {
  return { kinds, valid, refused: () => [...overlapping(valid, states), ...variants(valid, ...changes)] };
}

const adamKinds: Signature['kinds'] = ['f32', 'f32', 'f32', 'f32', 'f32', 'double', 'double', 'double', 'double', 'double', 'flag', 'flag', 'index'];
const adamValid = () => [F(N), F(N), F(N), F(N), F(N), 1e-3, 0.9, 0.999, 1e-8, 0.01, true, true, 3];
const adamRefused: Record<number, unknown>[] = [
  { 10: false }, // maxExpAvgSq of param's length without amsgrad
  { 12: 0 }, // steps count from 1
  { 6: 1 }, { 7: -0.1 }, { 5: -1e-3 }, { 8: -1e-8 }, { 9: -0.5 },
];

export const OPTIM_SIGNATURES: Record<string, Signature> = {
  sgdStep: signature(
    ['f32', 'f32', 'f32', 'double', 'double', 'double', 'double', 'flag', 'index'],
    () => [F(N), F(N), F(N), 0.1, 0.9, 0, 1e-4, true, 2],
    [2],
    { 4: 0 }, // a momentum buffer of param's length with momentum 0 (and nesterov)
    { 4: 0, 7: false }, // the same without nesterov
    { 5: 0.1 }, // nesterov with dampening
    { 8: 0 }, { 3: -0.1 }, { 4: -0.9 }, { 6: -1 },
  ),
  adagradStep: signature(
    ['f32', 'f32', 'f32', 'double', 'double', 'double', 'double', 'index'],
    () => [F(N), F(N), F(N), 0.01, 0.001, 0.01, 1e-10, 4],
    [2],
    { 7: 0 }, { 3: -1 }, { 4: -1 }, { 5: -1 }, { 6: -1 },
  ),
  rmspropStep: signature(
    ['f32', 'f32', 'f32', 'f32', 'f32', 'double', 'double', 'double', 'double', 'double', 'flag'],
    () => [F(N), F(N), F(N), F(N), F(N), 0.01, 0.99, 1e-8, 0.01, 0.9, true],
    [2, 3, 4],
    { 10: false }, // gradAvg of param's length without centered
    { 9: 0 }, // momentum buffer of param's length without momentum
    { 5: -1 }, { 6: -0.5 }, { 7: -1 }, { 8: -1 }, { 9: -1 },
  ),
  adadeltaStep: signature(
    ['f32', 'f32', 'f32', 'f32', 'double', 'double', 'double', 'double'],
    () => [F(N), F(N), F(N), F(N), 1, 0.9, 1e-6, 0.01],
    [2, 3],
    { 5: 1.5 }, { 5: -0.1 }, { 4: -1 }, { 6: -1 }, { 7: -1 },
  ),
  adamStep: signature(adamKinds, adamValid, [2, 3, 4], ...adamRefused),
  adamwStep: signature(adamKinds, adamValid, [2, 3, 4], ...adamRefused),
  adamaxStep: signature(
    ['f32', 'f32', 'f32', 'f32', 'double', 'double', 'double', 'double', 'double', 'index'],
    () => [F(N), F(N), F(N), F(N), 2e-3, 0.9, 0.999, 1e-8, 0.01, 5],
    [2, 3],
    { 9: 0 }, { 5: 1 }, { 6: 1 }, { 4: -1 }, { 7: -1 }, { 8: -1 },
  ),
  nadamStep: signature(
    ['f32', 'f32', 'f32', 'f32', 'double', 'double', 'double', 'double', 'double', 'double', 'double', 'index'],
    () => [F(N), F(N), F(N), F(N), 2e-3, 0.9, 0.999, 1e-8, 0.01, 0.004, 0.2, 2],
    [2, 3],
    { 11: 0 }, { 10: 1 }, { 10: -0.1 }, { 5: 1 }, { 6: 1.5 }, { 9: -0.004 }, { 4: -1 },
  ),
};
