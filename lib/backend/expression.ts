/**
 * The small expression language of kernel declarations (declare.ts), compiled to a program that
 * both argument checkers run: runProgram below for the TypeScript backends, native/plan.cc for
 * the addon. A program is a flat list of numbers, postfix: each opcode, then its operand if it
 * has one. All arithmetic is in double; a sum or product past 2^53 − 1 is a RangeError naming
 * the sub-expression, so sizes never wrap around or lose their last bits.
 */

export const Op = {
  /** Push the operand. */
  Const: 0,
  /** Push slot operand's value (a number argument, a flag as 0 or 1, a derived size). */
  Value: 1,
  /** Push the length of the array argument at the operand. */
  Length: 2,
  /** a + b, a RangeError (message strings[operand]) past 2^53 − 1. */
  Add: 3,
  Sub: 4,
  /** a · b, a RangeError (message strings[operand]) past 2^53 − 1. */
  Mul: 5,
  /** ⌊a / b⌋, a RangeError (message strings[operand]) when b is 0. */
  Div: 6,
  Lt: 7,
  Le: 8,
  Gt: 9,
  Ge: 10,
  Eq: 11,
  Ne: 12,
  And: 13,
  Or: 14,
  Not: 15,
} as const;

/** The ops that take an operand. */
export const WITH_OPERAND: ReadonlySet<number> = new Set<number>([Op.Const, Op.Value, Op.Length, Op.Add, Op.Mul, Op.Div]);

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

type Node =
  | { kind: 'number'; value: number; text: string }
  | { kind: 'name'; name: string; length: boolean; text: string }
  | { kind: 'unary'; op: '!'; operand: Node; text: string }
  | { kind: 'binary'; op: string; left: Node; right: Node; text: string };

const BINARY: Record<string, [precedence: number, op: number]> = {
  '||': [1, Op.Or], '&&': [2, Op.And],
  '==': [3, Op.Eq], '!=': [3, Op.Ne], '<': [3, Op.Lt], '<=': [3, Op.Le], '>': [3, Op.Gt], '>=': [3, Op.Ge],
  '+': [4, Op.Add], '-': [4, Op.Sub], '*': [5, Op.Mul], '/': [5, Op.Div],
};

const TOKEN = /\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*(?:\.length)?|\|\||&&|==|!=|<=|>=|[-+*/<>()!])/y;

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < source.length && source.slice(at).trim() !== '') {
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(source);
    if (!match) throw new SyntaxError(`expression "${source}": unexpected "${source.slice(at).trim()}"`);
    const text = match[1]!;
    const start = match.index + match[0].length - text.length;
    tokens.push({ text, start, end: start + text.length });
    at = TOKEN.lastIndex;
  }
  return tokens;
}

/** Parses an expression; each node keeps its source text (for messages). */
export function parse(source: string): Node {
  const tokens = tokenize(source);
  let next = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`expression "${source}": ${what}`);
  };
  const span = (start: number, end: number) => source.slice(start, end).trim();

  function primary(): [Node, number, number] {
    const token = tokens[next++] ?? fail('unexpected end');
    if (token.text === '(') {
      const [inner] = binary(0);
      const close = tokens[next++];
      if (close?.text !== ')') fail('missing ")"');
      return [inner, token.start, close!.end];
    }
    if (token.text === '!') {
      const [operand, , end] = primary();
      return [{ kind: 'unary', op: '!', operand, text: span(token.start, end) }, token.start, end];
    }
    if (/^\d/.test(token.text)) return [{ kind: 'number', value: Number(token.text), text: token.text }, token.start, token.end];
    if (/^[A-Za-z_]/.test(token.text)) {
      const length = token.text.endsWith('.length');
      const name = length ? token.text.slice(0, -'.length'.length) : token.text;
      return [{ kind: 'name', name, length, text: token.text }, token.start, token.end];
    }
    return fail(`unexpected "${token.text}"`);
  }

  function binary(minPrecedence: number): [Node, number, number] {
    let [left, start, end] = primary();
    for (;;) {
      const token = tokens[next];
      const entry = token && BINARY[token.text];
      if (!entry || entry[0] < minPrecedence) break;
      next++;
      const [right, , rightEnd] = binary(entry[0] + 1);
      end = rightEnd;
      left = { kind: 'binary', op: token.text, left, right, text: span(start, end) };
    }
    return [left, start, end];
  }

  const [tree] = binary(0);
  if (next !== tokens.length) fail(`unexpected "${tokens[next]!.text}"`);
  return tree;
}

/** Where a name lives: a number slot (value) or an array position (for `.length`). */
export interface Scope {
  value(name: string): number | undefined;
  array(name: string): number | undefined;
}

/**
 * Compiles an expression into a program; `message(text, why)` returns the index of the message
 * an overflowing sum or product (or a zero divisor) throws, given the sub-expression's text.
 */
export function compile(source: string, scope: Scope, message: (text: string, why: 'overflow' | 'zero') => number): number[] {
  const program: number[] = [];
  const emit = (node: Node): void => {
    switch (node.kind) {
      case 'number':
        program.push(Op.Const, node.value);
        return;
      case 'name': {
        const slot = node.length ? scope.array(node.name) : scope.value(node.name);
        if (slot === undefined) {
          throw new SyntaxError(`expression "${source}": no ${node.length ? 'array' : 'number'} argument named ${node.name}`);
        }
        program.push(node.length ? Op.Length : Op.Value, slot);
        return;
      }
      case 'unary':
        emit(node.operand);
        program.push(Op.Not);
        return;
      case 'binary': {
        emit(node.left);
        emit(node.right);
        const op = BINARY[node.op]![1];
        if (op === Op.Add || op === Op.Mul) program.push(op, message(node.text, 'overflow'));
        else if (op === Op.Div) program.push(op, message(node.right.text, 'zero'));
        else program.push(op);
      }
    }
  };
  emit(parse(source));
  return program;
}

/** The names an expression reads. */
export function namesIn(source: string): string[] {
  const names: string[] = [];
  const walk = (node: Node): void => {
    if (node.kind === 'name') names.push(node.length ? `${node.name}.length` : node.name);
    else if (node.kind === 'unary') walk(node.operand);
    else if (node.kind === 'binary') {
      walk(node.left);
      walk(node.right);
    }
  };
  walk(parse(source));
  return names;
}

/**
 * Runs a program over the number slots and the array lengths; `fail(index, value)` throws the
 * message strings[index] with the offending value.
 */
export function runProgram(
  program: readonly number[], values: readonly number[], lengths: readonly number[],
  fail: (message: number, value: number) => never,
): number {
  const stack: number[] = [];
  for (let pc = 0; pc < program.length; pc++) {
    const op = program[pc]!;
    if (op === Op.Const) {
      stack.push(program[++pc]!);
      continue;
    }
    if (op === Op.Value) {
      stack.push(values[program[++pc]!]!);
      continue;
    }
    if (op === Op.Length) {
      stack.push(lengths[program[++pc]!]!);
      continue;
    }
    if (op === Op.Not) {
      stack.push(stack.pop() ? 0 : 1);
      continue;
    }
    const b = stack.pop()!;
    const a = stack.pop()!;
    let r: number;
    switch (op) {
      case Op.Add: r = a + b; break;
      case Op.Sub: r = a - b; break;
      case Op.Mul: r = a * b; break;
      case Op.Div:
        if (b === 0) fail(program[pc + 1]!, b);
        r = Math.floor(a / b);
        break;
      case Op.Lt: r = a < b ? 1 : 0; break;
      case Op.Le: r = a <= b ? 1 : 0; break;
      case Op.Gt: r = a > b ? 1 : 0; break;
      case Op.Ge: r = a >= b ? 1 : 0; break;
      case Op.Eq: r = a === b ? 1 : 0; break;
      case Op.Ne: r = a !== b ? 1 : 0; break;
      case Op.And: r = a && b ? 1 : 0; break;
      case Op.Or: r = a || b ? 1 : 0; break;
      default: throw new Error(`expression program: unknown op ${op}`);
    }
    if ((op === Op.Add || op === Op.Mul) && r > MAX_SAFE) fail(program[pc + 1]!, r);
    if (WITH_OPERAND.has(op)) pc++;
    stack.push(r);
  }
  return stack.pop()!;
}
