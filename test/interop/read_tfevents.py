"""TensorBoard's own readers, for test/interop/tensorboard-reader.test.ts. Prints JSON.

  accumulate LOGDIR     EventAccumulator (the legacy reader, orphaned data purged as TensorBoard
                        does) and plugin_event_accumulator (the data path of TensorBoard's server):
                        scalars, histograms, text tensors, plugin tags, the file version
  records FILE          the record reader TensorBoard uses without TensorFlow, which checks both
                        CRCs of every record: how many records it read, and the error it stopped on
  masked_crc HEX,HEX,…  TensorBoard's masked CRC-32C of each hex string's bytes
  histogram JSON_FILE   an independent transcription of TensorFlow's Histogram (histogram.cc) of
                        the values in the file, as the proto EncodeToProto writes
  descriptors JSON_FILE the field numbers, types and labels of TensorBoard's compiled messages for
                        the messages in a protobufjs JSON descriptor
"""
import bisect
import json
import math
import sys


def number(x):
    # JSON has no NaN or infinities: spell them out.
    if isinstance(x, float) and not math.isfinite(x):
        return repr(x)
    return x


def histo(h):
    return {
        "min": number(h.min), "max": number(h.max), "num": h.num, "sum": number(h.sum),
        "sum_squares": number(h.sum_squares), "bucket_limit": list(h.bucket_limit), "bucket": list(h.bucket),
    }


def plugin_tags(accumulator, plugin):
    try:
        return sorted(accumulator.PluginTagToContent(plugin).keys())
    except KeyError:  # no tag of that plugin
        return []


def accumulate(logdir):
    from tensorboard.backend.event_processing import event_accumulator, plugin_event_accumulator
    keep_all = {"scalars": 0, "histograms": 0, "tensors": 0, "compressedHistograms": 0}
    acc = event_accumulator.EventAccumulator(logdir, size_guidance=keep_all, purge_orphaned_data=True)
    acc.Reload()
    tags = acc.Tags()
    out = {
        "file_version": acc.file_version,
        "tags": {k: sorted(v) if isinstance(v, list) else v for k, v in tags.items()},
        "scalars": {t: [[e.step, e.wall_time, number(e.value)] for e in acc.Scalars(t)] for t in tags["scalars"]},
        "histograms": {t: [[e.step, histo(e.histogram_value)] for e in acc.Histograms(t)] for t in tags["histograms"]},
        "text": {},
    }
    for t in tags["tensors"]:
        meta = acc.SummaryMetadata(t)
        out["text"][t] = {
            "plugin": meta.plugin_data.plugin_name,
            "values": [[e.step, [s.decode("utf-8") for s in e.tensor_proto.string_val], e.tensor_proto.dtype] for e in acc.Tensors(t)],
        }
    plugins = plugin_event_accumulator.EventAccumulator(logdir, size_guidance={"tensors": 0})
    plugins.Reload()
    out["plugin_tags"] = {p: plugin_tags(plugins, p) for p in ("scalars", "histograms", "text")}
    return out


def records(file):
    from tensorboard.compat import tf
    from tensorboard.compat.tensorflow_stub import pywrap_tensorflow
    reader = pywrap_tensorflow.PyRecordReader_New(file, 0, None, None)
    count = 0
    while True:
        try:
            reader.GetNext()
        except tf.errors.OutOfRangeError:
            return {"records": count, "error": None}
        except tf.errors.DataLossError as e:
            return {"records": count, "error": e.message}
        count += 1


def masked_crc(data_hex):
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
    return [masked_crc32c(bytes.fromhex(h)) for h in data_hex.split(",")]


def tf_default_limits():
    v, positive = 1.0e-12, []
    while v < 1.0e20:
        positive.append(v)
        v *= 1.1
    positive.append(sys.float_info.max)
    return [-x for x in reversed(positive)] + [0.0] + positive


def histogram(file):
    values = json.load(open(file))
    limits = tf_default_limits()
    counts = [0.0] * len(limits)
    lo, hi, total, squares = sys.float_info.max, -sys.float_info.max, 0.0, 0.0
    for v in values:
        counts[min(bisect.bisect_right(limits, v), len(limits) - 1)] += 1
        lo, hi, total, squares = min(lo, v), max(hi, v), total + v, squares + v * v
    bucket_limit, bucket, i = [], [], 0
    while i < len(counts):
        end, count, j = limits[i], counts[i], i + 1
        while count <= 0 and j < len(counts) and counts[j] <= 0:
            end, count, j = limits[j], counts[j], j + 1
        bucket_limit.append(end)
        bucket.append(count)
        i = j
    return {"min": lo, "max": hi, "num": float(len(values)), "sum": number(total), "sum_squares": number(squares),
            "bucket_limit": bucket_limit, "bucket": bucket, "limits": len(limits)}


SCALAR_TYPES = {1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 8: "bool", 9: "string", 12: "bytes", 13: "uint32"}


def type_name(field):
    if field.message_type is not None:
        return field.message_type.full_name
    if field.enum_type is not None:
        return field.enum_type.full_name
    return SCALAR_TYPES[field.type]


def descriptors(file):
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2
    modules = [event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2]

    def lookup(full_name):
        for m in modules:
            pool = m.DESCRIPTOR.pool
            try:
                return pool.FindMessageTypeByName(full_name)
            except KeyError:
                pass
        return None

    theirs = {}
    ours = json.load(open(file))
    for name in ours:
        d = lookup(name)
        if d is None:
            theirs[name] = None
            continue
        theirs[name] = {f.name: [f.number, type_name(f), f.is_repeated] for f in d.fields if f.name in ours[name]}
    return theirs


if __name__ == "__main__":
    command, argument = sys.argv[1], sys.argv[2]
    result = {"accumulate": accumulate, "records": records, "masked_crc": masked_crc,
              "histogram": histogram, "descriptors": descriptors}[command](argument)
    print(json.dumps(result))
