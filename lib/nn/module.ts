/**
 * Module: the base of every layer and model, shaped like torch.nn.Module. Parameters and
 * sub-modules are found among the module's own properties (as PyTorch finds them through
 * attribute assignment), in declaration order; buffers (running statistics and other state that
 * is not trained) are declared with registerBuffer.
 */
import { zeroLeafGrad } from '../autograd/sparse-grad';
import { Tensor } from '../autograd/tensor';
import { load, save, type SaveOptions } from '../io/safetensors';
import { Parameter } from './parameter';
import { ParameterArena } from './parameter-arena';

export interface BufferEntry {
  tensor: Tensor | null;
  /** Whether stateDict() includes it. */
  persistent: boolean;
}

/** Out is what forward() returns: a Tensor, or a record of them (the recurrent layers' output and state). */
export type ForwardHook<Out = Tensor> = (module: Module<Out>, inputs: Tensor[], output: Out) => void;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export abstract class Module<Out = Tensor> {
  /** Training mode (dropout active, batch statistics) or evaluation mode. */
  training = true;
  readonly #buffers = new Map<string, BufferEntry>();

  // never[]: each layer declares its own inputs (a tensor, indices, a recurrent state).
  abstract forward(...inputs: never[]): Out;

  readonly #forwardHooks: ForwardHook<Out>[] = [];

  /**
   * Runs forward() and then the forward hooks: what containers (Sequential) call on their
   * children, and what a user calls to have hooks run on the model itself.
   */
  call(...inputs: Tensor[]): Out {
    const output = (this.forward as (...args: Tensor[]) => Out).apply(this, inputs);
    for (const hook of this.#forwardHooks) hook(this, inputs, output);
    return output;
  }

  /** Calls hook(module, inputs, output) after each call(); returns a function removing it. */
  registerForwardHook(hook: ForwardHook<Out>): () => void {
    if (typeof hook !== 'function') throw new TypeError('registerForwardHook: Expected a function');
    this.#forwardHooks.push(hook);
    return () => {
      const i = this.#forwardHooks.indexOf(hook);
      if (i >= 0) this.#forwardHooks.splice(i, 1);
    };
  }

  /** Declares a buffer, reachable as this[name] and saved in stateDict() when persistent. */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    if (name in this && !this.#buffers.has(name)) {
      throw new TypeError(`registerBuffer: Expected a new name but "${name}" is already a property of ${this.constructor.name}`);
    }
    this.#buffers.set(name, { tensor, persistent: options.persistent ?? true });
    Object.defineProperty(this, name, {
      get: () => this.#buffers.get(name)!.tensor,
      set: (value: Tensor | null) => {
        this.#buffers.get(name)!.tensor = value;
      },
      enumerable: false,
      configurable: true,
    });
  }

  /** This module's own parameters, by property name. */
  namedOwnParameters(): [string, Parameter][] {
    return Object.entries(this).filter((entry): entry is [string, Parameter] => entry[1] instanceof Parameter);
  }

  /** The direct sub-modules, by property name. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((entry): entry is [string, Module] => entry[1] instanceof Module);
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, depth first as PyTorch lists them ("" is this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    // The walk only reads parameters and buffers, whatever forward() returns.
    const stack: [string, Module][] = [[prefix, this as unknown as Module]];
    while (stack.length > 0) {
      const [name, module] = stack.pop()!;
      if (seen.has(module)) continue;
      seen.add(module);
      out.push([name, module]);
      const children = module.namedChildren().map(([childName, child]): [string, Module] => [name ? `${name}.${childName}` : childName, child]);
      stack.push(...children.reverse());
    }
    return out;
  }

  /** Every parameter with its dotted name; a parameter shared by two modules appears once. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [moduleName, module] of this.namedModules()) {
      for (const [name, p] of module.namedOwnParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([moduleName ? `${moduleName}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer that is set, with its dotted name and whether it is persistent. */
  namedBuffers(): [string, Tensor, boolean][] {
    const out: [string, Tensor, boolean][] = [];
    for (const [moduleName, module] of this.namedModules()) {
      for (const [name, entry] of module.#buffers) {
        if (entry.tensor) out.push([moduleName ? `${moduleName}.${name}` : name, entry.tensor, entry.persistent]);
      }
    }
    return out;
  }

  /** Sets training mode here and below; returns this. */
  train(mode = true): this {
    for (const [, module] of this.namedModules()) module.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of every parameter (to null, or to zeros with setToNone = false); row-sparse ones row by row. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      zeroLeafGrad(p, options.setToNone !== false);
    }
  }

  /**
   * Moves the float32 parameters into one ParameterArena (their .data become views of its
   * contiguous array; parameters sharing memory stay as they are) and returns it.
   */
  flattenParameters(): ParameterArena {
    return new ParameterArena(ParameterArena.eligible(this.parameters()));
  }

  /** The number of values in the parameters (only trainable ones with onlyTrainable). */
  numParameters(options: { onlyTrainable?: boolean } = {}): number {
    return this.parameters().filter((p) => !options.onlyTrainable || p.requiresGrad).reduce((n, p) => n + p.size, 0);
  }

  /**
   * Parameters and persistent buffers by dotted name, module by module as PyTorch orders them:
   * tensors sharing the module's values.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const seen = new Set<Tensor>();
    for (const [moduleName, module] of this.namedModules()) {
      const key = (name: string) => (moduleName ? `${moduleName}.${name}` : name);
      for (const [name, p] of module.namedOwnParameters()) {
        if (!seen.has(p)) out[key(name)] = p;
        seen.add(p);
      }
      for (const [name, entry] of module.#buffers) if (entry.tensor && entry.persistent) out[key(name)] = entry.tensor;
    }
    return out;
  }

  /**
   * Copies values from a state dict into the parameters and persistent buffers. Shapes must
   * match. strict (the default) throws listing missing and unexpected keys; otherwise they are
   * returned.
   */
  loadStateDict(state: Record<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !(k in own));
    if ((options.strict ?? true) && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      throw new Error(
        `loadStateDict: the state dict does not match ${this.constructor.name}: ` +
          `missing keys [${missingKeys.join(', ')}], unexpected keys [${unexpectedKeys.join(', ')}]`,
      );
    }
    // Every entry is checked before any is copied, so a refused load leaves the module as it was.
    const copies: Array<[Tensor, Tensor]> = [];
    for (const [key, target] of Object.entries(own)) {
      const source = state[key];
      if (source === undefined) continue;
      if (!(source instanceof Tensor)) throw new TypeError(`loadStateDict: Expected a Tensor for ${key}`);
      if (source.shape.join() !== target.shape.join()) {
        throw new RangeError(`loadStateDict: ${key}: Expected shape [${target.shape.join(', ')}] but received [${source.shape.join(', ')}]`);
      }
      copies.push([target, source]);
    }
    for (const [target, source] of copies) target.data.set(source.data);
    return { missingKeys, unexpectedKeys };
  }

  /** Saves the state dict as a safetensors file (atomically). */
  save(path: string, options: SaveOptions = {}): void {
    save(this.stateDict(), path, options);
  }

  /** Loads a safetensors file written by save() (or by another tool) into this module. */
  loadFrom(path: string, options: { strict?: boolean } = {}): LoadResult {
    return this.loadStateDict(load(path).tensors, options);
  }
}
