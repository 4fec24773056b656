/**
 * SummaryWriter: what TensorBoard shows, written into a log directory as PyTorch's
 * torch.utils.tensorboard.SummaryWriter does — scalars, histograms and text, each at a global
 * step. Several values at one step can share one event (addSummary), as TensorFlow writes them.
 */
import { EventFileWriter, type EventFileWriterOptions } from './event-file-writer';
import { histogramOf } from './histogram';
import { DataClass, DataType, SessionStatus, type SummaryValue } from './proto';

const textEncoder = new TextEncoder();

function checkTag(tag: unknown, what: string): asserts tag is string {
  if (typeof tag !== 'string' || tag === '') throw new TypeError(`${what}: Expected a non-empty string tag but received ${String(tag)}`);
}

/** A scalar (stored as float32, TensorBoard's simple_value). NaN and ±Infinity are kept. */
export function scalarValue(tag: string, value: number): SummaryValue {
  checkTag(tag, 'scalarValue');
  if (typeof value !== 'number') throw new TypeError(`scalarValue: Expected a number for ${tag} but received ${typeof value}`);
  return { tag, simple_value: value };
}

/** A histogram of `values` in TensorFlow's default buckets (finite values only). */
export function histogramValue(tag: string, values: ArrayLike<number>): SummaryValue {
  checkTag(tag, 'histogramValue');
  return { tag, histo: histogramOf(values, `histogramValue ${tag}`) };
}

/** Markdown text for TensorBoard's Text tab: a string tensor tagged for the text plugin. */
export function textValue(tag: string, text: string): SummaryValue {
  checkTag(tag, 'textValue');
  if (typeof text !== 'string') throw new TypeError(`textValue: Expected a string for ${tag} but received ${typeof text}`);
  return {
    tag,
    // The text plugin's content is a TextPluginData of version 0, which encodes to no bytes.
    metadata: { plugin_data: { plugin_name: 'text', content: new Uint8Array(0) }, data_class: DataClass.DATA_CLASS_TENSOR },
    tensor: { dtype: DataType.DT_STRING, tensor_shape: {}, string_val: [textEncoder.encode(text)] },
  };
}

export class SummaryWriter {
  readonly #events: EventFileWriter;

  constructor(readonly logDir: string, options: EventFileWriterOptions = {}) {
    this.#events = new EventFileWriter(logDir, options);
  }

  /** The event file this writer appends to. */
  get file(): string {
    return this.#events.file;
  }

  get closed(): boolean {
    return this.#events.closed;
  }

  private checkStep(step: unknown, wallTime: unknown, what: string): void {
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) throw new RangeError(`${what}: Expected a non-negative integer step but received ${String(step)}`);
    if (typeof wallTime !== 'number' || !Number.isFinite(wallTime)) throw new TypeError(`${what}: Expected wallTime in seconds since the epoch but received ${String(wallTime)}`);
  }

  /** Writes the values as one event at `step`. */
  addSummary(values: readonly SummaryValue[], step: number, wallTime = Date.now() / 1000): void {
    this.checkStep(step, wallTime, 'SummaryWriter.addSummary');
    if (!Array.isArray(values)) throw new TypeError(`SummaryWriter.addSummary: Expected an array of summary values but received ${String(values)}`);
    if (values.length === 0) return;
    this.#events.write({ wall_time: wallTime, step, summary: { value: [...values] } });
  }

  addScalar(tag: string, value: number, step: number, wallTime?: number): void {
    this.addSummary([scalarValue(tag, value)], step, wallTime);
  }

  addHistogram(tag: string, values: ArrayLike<number>, step: number, wallTime?: number): void {
    this.addSummary([histogramValue(tag, values)], step, wallTime);
  }

  addText(tag: string, text: string, step: number, wallTime?: number): void {
    this.addSummary([textValue(tag, text)], step, wallTime);
  }

  /**
   * Marks a (re)start at `step`: TensorBoard discards what an earlier process logged here at
   * `step` and after (the steps a resumed run repeats), as it does for TensorFlow's sessions.
   */
  addSessionStart(step: number, wallTime = Date.now() / 1000): void {
    this.checkStep(step, wallTime, 'SummaryWriter.addSessionStart');
    this.#events.write({ wall_time: wallTime, step, session_log: { status: SessionStatus.START } });
  }

  /** Makes every event written so far durable (fsync). */
  flush(): void {
    this.#events.flush();
  }

  close(): void {
    this.#events.close();
  }
}
