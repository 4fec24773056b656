// TensorBoard event files without TensorBoard: CRC-32C and its mask against published vectors
// (RFC 3720's iSCSI examples) and bytes TensorBoard's own Python writer produced, the TFRecord
// framing (every truncation is a clean prefix, every flipped byte is caught), TensorFlow's
// histogram buckets on hand-worked cases, and the SummaryWriter read back by readEventFile.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensorboard as tb } from '../../lib';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-tfevents-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const ascii = (s: string) => new TextEncoder().encode(s);
const onlyFile = (dir: string) => {
  const files = fs.readdirSync(dir).filter((f) => f.includes('tfevents'));
  expect(files).toHaveLength(1);
  return path.join(dir, files[0]!);
};

describe('CRC-32C', () => {
  it('is Castagnoli CRC-32C, not the zlib CRC-32', () => {
    expect(tb.crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(tb.crc32c(ascii('123456789'))).not.toBe(0xcbf43926); // CRC-32 (IEEE) of the same bytes
    expect(tb.crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 (iSCSI), appendix B.4.
    expect(tb.crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(tb.crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(tb.crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(tb.crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('masks as TFRecord does, and unmasks', () => {
    // masked_crc32c(b"123456789") by tensorboard.compat.tensorflow_stub.pywrap_tensorflow.
    expect(tb.maskedCrc32c(ascii('123456789'))).toBe(0xc78ab0e5);
    expect(tb.maskCrc(0)).toBe(0xa282ead8);
    for (const crc of [0, 1, 0xe3069283, 0xffffffff, 0x80000000, 0x12345678]) {
      expect(tb.unmaskCrc(tb.maskCrc(crc))).toBe(crc);
      expect(tb.maskCrc(crc)).not.toBe(crc);
    }
  });
});

describe('TFRecord framing', () => {
  it('frames records exactly as TensorBoard\'s RecordWriter does', () => {
    // tensorboard.summary.writer.record_writer.RecordWriter(f).write(b"hello") and write(b"").
    expect(Buffer.from(tb.frameRecord(ascii('hello'))).toString('hex')).toBe('0500000000000000eab2043e68656c6c6fbb1f1c19');
    expect(Buffer.from(tb.frameRecord(new Uint8Array(0))).toString('hex')).toBe('000000000000000029039807d8ea82a2');
  });

  const three = [ascii('first'), new Uint8Array(0), Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255)];
  const file = Uint8Array.from(Buffer.concat(three.map((r) => tb.frameRecord(r))));
  const ends = [21, 37, file.length];

  it('reads back every record with its offset', () => {
    const scan = tb.readRecords(file);
    expect(scan.truncatedAt).toBeUndefined();
    expect(scan.records.map((r) => Array.from(r.data))).toEqual(three.map((r) => Array.from(r)));
    expect(scan.records.map((r) => r.offset)).toEqual([0, 21, 37]);
  });

  it('reads a file cut at any byte as the records before the cut, and says where the cut record starts', () => {
    for (let cut = 0; cut <= file.length; cut++) {
      const scan = tb.readRecords(file.subarray(0, cut));
      const complete = ends.filter((e) => e <= cut).length;
      expect(scan.records, `cut at ${cut}`).toHaveLength(complete);
      const start = complete === 0 ? 0 : ends[complete - 1]!;
      expect(scan.truncatedAt, `cut at ${cut}`).toBe(cut === start ? undefined : start);
    }
  });

  it('catches a flip of any bit of any byte, naming the record and its offset', () => {
    for (let at = 0; at < file.length; at++) {
      for (const bit of [0x01, 0x80]) {
        const bad = file.slice();
        bad[at]! ^= bit;
        const record = ends.filter((e) => e <= at).length;
        const offset = record === 0 ? 0 : ends[record - 1]!;
        let message = '';
        try {
          tb.readRecords(bad, 'x.tfevents');
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
          message = (error as Error).message;
        }
        expect(message, `byte ${at} bit ${bit}`).toMatch(new RegExp(`^x\\.tfevents: record ${record} at byte ${offset}: the (length|data)'s masked CRC-32C is 0x[0-9a-f]{8} but the record says 0x[0-9a-f]{8} \\(the file is corrupt\\)$`));
      }
    }
  });

  it('rejects what is not bytes', () => {
    expect(() => tb.readRecords('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('TensorFlow histograms', () => {
  const limits = tb.defaultBucketLimits();

  it('has TensorFlow\'s default buckets: ±(1e-12 · 1.1^k below 1e20), ±DBL_MAX and 0', () => {
    expect(limits.length).toBe(1551); // 774 powers + DBL_MAX on each side, and 0
    expect(limits[0]).toBe(-Number.MAX_VALUE);
    expect(limits[775]).toBe(0);
    expect(limits[776]).toBe(1e-12);
    expect(limits[1549]).toBeLessThan(1e20);
    expect(limits[1549]! * 1.1).toBeGreaterThanOrEqual(1e20);
    expect(limits[1550]).toBe(Number.MAX_VALUE);
    for (let i = 1; i < limits.length; i++) expect(limits[i]).toBe(-limits[limits.length - 1 - i]! || 0);
    for (let i = 777; i < 1550; i++) expect(limits[i]).toBe(limits[i - 1]! * 1.1);
  });

  it('counts a value in the first bucket whose limit is above it, merging runs of empty buckets', () => {
    // 0 lies in [0, 1e-12): the empty buckets below merge into one ending at 0, those above into one ending at DBL_MAX.
    expect(tb.histogramOf([0])).toEqual({ min: 0, max: 0, num: 1, sum: 0, sum_squares: 0, bucket_limit: [0, 1e-12, Number.MAX_VALUE], bucket: [0, 1, 0] });
    // 1 and 1.005 share the bucket that ends at the first limit above 1; -1 lies in [-limit, -limit below).
    const above1 = limits.find((l) => l > 1)!;
    const below1 = limits[limits.indexOf(above1) - 1]!;
    expect(below1).toBeLessThanOrEqual(1);
    expect(above1).toBeGreaterThan(1.005);
    const h = tb.histogramOf(Float32Array.of(1, -1, 1.005));
    expect(h.num).toBe(3);
    expect(h.min).toBe(-1);
    expect(h.max).toBe(Math.fround(1.005));
    expect(h.sum).toBe(1 + -1 + Math.fround(1.005));
    expect(h.sum_squares).toBe(1 + 1 + Math.fround(1.005) ** 2);
    const neg1 = limits.find((l) => l > -1)!;
    expect(h.bucket_limit).toEqual([limits[limits.indexOf(neg1) - 1], neg1, below1, above1, Number.MAX_VALUE]);
    expect(h.bucket).toEqual([0, 1, 0, 2, 0]);
  });

  it('keeps every value: the counts add up to num and each bucket holds only values inside it', () => {
    const values = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 41) - 20));
    values[0] = Number.MAX_VALUE; // beyond the last limit: TensorFlow would index past its buckets
    values[1] = -Number.MAX_VALUE;
    const h = tb.histogramOf(values);
    expect(h.bucket.reduce((a, b) => a + b, 0)).toBe(5000);
    const sorted = [...values].sort((a, b) => a - b);
    let at = 0;
    for (let b = 0; b < h.bucket.length; b++) {
      for (let k = 0; k < h.bucket[b]!; k++, at++) {
        const v = sorted[at]!;
        expect(v < h.bucket_limit[b]! || v === Number.MAX_VALUE).toBe(true);
        if (b > 0) expect(v).toBeGreaterThanOrEqual(h.bucket_limit[b - 1]!);
      }
    }
    expect(h.min).toBe(sorted[0]);
    expect(h.max).toBe(sorted.at(-1));
  });

  it('an empty histogram has TensorFlow\'s initial bounds; NaN and infinities are refused', () => {
    expect(tb.histogramOf([])).toEqual({ min: Number.MAX_VALUE, max: -Number.MAX_VALUE, num: 0, sum: 0, sum_squares: 0, bucket_limit: [Number.MAX_VALUE], bucket: [0] });
    expect(() => tb.histogramOf([1, Number.NaN, Infinity], 'weights/w')).toThrow(new RangeError('weights/w: Expected finite values but received 2 NaN or infinite of 3'));
    expect(() => tb.histogramOf(3 as unknown as number[])).toThrow(TypeError);
  });
});

describe('SummaryWriter', () => {
  it('encodes an Event exactly as TensorBoard\'s compiled protos do', () => {
    const dir = path.join(root, 'bytes');
    const w = new tb.SummaryWriter(dir, { wallTime: 1.5 });
    w.addScalar('loss', 0.5, 7, 1700000000.25);
    w.close();
    const raw = tb.readRecords(fs.readFileSync(w.file)).records.map((r) => Buffer.from(r.data).toString('hex'));
    // event_pb2.Event(wall_time=1.5, step=0, file_version='brain.Event:2') and
    // Event(wall_time=1700000000.25, step=7, summary=Summary(value=[Value(tag='loss', simple_value=0.5)])).SerializeToString()
    expect(raw).toEqual(['09000000000000f83f1a0d627261696e2e4576656e743a32', '0900001040fc54d94110072a0d0a0b0a046c6f7373150000003f']);
  });

  it('writes events.out.tfevents.<seconds>.<host>, the version first, then scalars, histograms, text and restarts', () => {
    const dir = path.join(root, 'all', 'nested');
    const w = new tb.SummaryWriter(dir, { wallTime: 1234567890.75 });
    expect(path.basename(w.file)).toBe(`events.out.tfevents.1234567890.${os.hostname()}`);
    w.addScalar('loss', 0, 0, 10); // zero is kept (a oneof member is always encoded)
    w.addScalar('loss', Math.PI, 1, 11);
    w.addScalar('nan', Number.NaN, 1, 11);
    w.addHistogram('w', [0.25, -3, 8], 2, 12);
    w.addText('notes', '# Run\nlr = 0.1 · ünïcode', 3, 13);
    w.addSessionStart(4, 14);
    w.addSummary([tb.scalarValue('a', 1), tb.scalarValue('b', 2)], 5, 15);
    w.addSummary([], 6, 16); // nothing to write
    w.close();
    w.close(); // closing twice is harmless
    const { events, truncatedAt } = tb.readEventFile(onlyFile(dir));
    expect(truncatedAt).toBeUndefined();
    expect(events).toEqual([
      { wall_time: 1234567890.75, file_version: 'brain.Event:2' },
      { wall_time: 10, summary: { value: [{ tag: 'loss', simple_value: 0 }] } },
      { wall_time: 11, step: 1, summary: { value: [{ tag: 'loss', simple_value: Math.fround(Math.PI) }] } },
      { wall_time: 11, step: 1, summary: { value: [{ tag: 'nan', simple_value: Number.NaN }] } },
      { wall_time: 12, step: 2, summary: { value: [{ tag: 'w', histo: tb.histogramOf([0.25, -3, 8]) }] } },
      {
        wall_time: 13, step: 3, summary: {
          value: [{
            // The empty plugin content (TextPluginData version 0) is proto3's default: not on the wire.
            tag: 'notes', metadata: { plugin_data: { plugin_name: 'text' }, data_class: tb.DataClass.DATA_CLASS_TENSOR },
            tensor: { dtype: tb.DataType.DT_STRING, tensor_shape: {}, string_val: [expect.anything()] },
          }],
        },
      },
      { wall_time: 14, step: 4, session_log: { status: tb.SessionStatus.START } },
      { wall_time: 15, step: 5, summary: { value: [{ tag: 'a', simple_value: 1 }, { tag: 'b', simple_value: 2 }] } },
    ]);
    const text = events[5]!.summary!.value[0]!.tensor!.string_val![0]!;
    expect(new TextDecoder().decode(text)).toBe('# Run\nlr = 0.1 · ünïcode');
  });

  it('never writes over another writer\'s file from the same second', () => {
    const dir = path.join(root, 'same-second');
    const a = new tb.SummaryWriter(dir, { wallTime: 100 });
    const b = new tb.SummaryWriter(dir, { wallTime: 100.5 });
    a.addScalar('x', 1, 1);
    b.addScalar('x', 2, 1);
    a.close();
    b.close();
    expect(b.file).toBe(`${a.file}.${process.pid}.1`);
    expect(tb.readEventFile(a.file).events.at(-1)!.summary!.value[0]!.simple_value).toBe(1);
    expect(tb.readEventFile(b.file).events.at(-1)!.summary!.value[0]!.simple_value).toBe(2);
  });

  it('refuses bad tags, steps, values and writes after close', () => {
    const w = new tb.SummaryWriter(path.join(root, 'bad'));
    expect(() => w.addScalar('', 1, 0)).toThrow(new TypeError('scalarValue: Expected a non-empty string tag but received '));
    expect(() => w.addScalar('x', '1' as unknown as number, 0)).toThrow(new TypeError('scalarValue: Expected a number for x but received string'));
    expect(() => w.addScalar('x', 1, -1)).toThrow(new RangeError('SummaryWriter.addSummary: Expected a non-negative integer step but received -1'));
    expect(() => w.addScalar('x', 1, 1.5)).toThrow(RangeError);
    expect(() => w.addScalar('x', 1, 2 ** 53)).toThrow(RangeError);
    expect(() => w.addScalar('x', 1, 0, Number.NaN)).toThrow(TypeError);
    expect(() => w.addHistogram('h', [Number.NaN], 0)).toThrow(new RangeError('histogramValue h: Expected finite values but received 1 NaN or infinite of 1'));
    expect(() => w.addText('t', 5 as unknown as string, 0)).toThrow(TypeError);
    expect(() => w.addSummary('x' as unknown as [], 0)).toThrow(TypeError);
    w.close();
    expect(() => w.addScalar('x', 1, 0)).toThrow(/is closed/);
    expect(() => new tb.SummaryWriter('')).toThrow(TypeError);
    expect(() => new tb.SummaryWriter(root, { filenameSuffix: '/x' })).toThrow(TypeError);
    // Only the version record got in.
    expect(tb.readEventFile(w.file).events).toHaveLength(1);
  });

  it('a reader finds a corrupt record and says which; a malformed message is a RangeError too', () => {
    const dir = path.join(root, 'corrupt');
    const w = new tb.SummaryWriter(dir);
    for (let step = 1; step <= 3; step++) w.addScalar('loss', step, step);
    w.close();
    const raw = fs.readFileSync(w.file);
    const offsets = tb.readRecords(raw).records.map((r) => r.offset);
    raw[offsets[2]! + 14]! ^= 0x10; // inside the data of the record of step 2
    expect(() => tb.readEventFile(raw)).toThrow(new RegExp(`^event file: record 2 at byte ${offsets[2]}: the data's masked CRC-32C`));
    // Well framed but not an Event: a length-delimited field running past the end.
    const junk = tb.frameRecord(Uint8Array.of(0x2a, 0x7f, 0x01));
    expect(() => tb.readEventFile(junk)).toThrow(/^event file: record 0 at byte 0: not an Event message/);
  });

  it('a process killed while writing leaves every event before the last, readable', () => {
    // The compiled library (npm test builds dist/ first), in a process that writes until killed.
    const dir = path.join(root, 'killed');
    const script = `
      const tb = require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist'))}).tensorboard;
      const w = new tb.SummaryWriter(${JSON.stringify(dir)});
      const values = Float32Array.from({ length: 20000 }, (_, i) => Math.sin(i));
      for (let step = 1; ; step++) {
        w.addSummary([tb.scalarValue('loss', 1 / step), tb.histogramValue('w', values)], step);
        if (step === 200) process.kill(process.pid, 'SIGKILL');
      }`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.signal, run.stderr).toBe('SIGKILL');
    const { events, truncatedAt } = tb.readEventFile(onlyFile(dir));
    expect(truncatedAt).toBeUndefined(); // each event went out in one write before the kill
    expect(events.map((e) => e.step ?? 0)).toEqual(Array.from({ length: 201 }, (_, i) => i));
    // A machine crash can cut the last write short instead: the reader keeps the rest.
    const raw = fs.readFileSync(onlyFile(dir));
    const cut = tb.readEventFile(raw.subarray(0, raw.length - 1000));
    expect(cut.events).toHaveLength(200);
    expect(cut.truncatedAt).toBe(tb.readRecords(raw).records[200]!.offset);
  });
});
