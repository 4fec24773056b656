"""One PyTorch measurement, in its own process: the same model, loss, optimizer and batches as
bench/train/tensorgrad-run.js. argv[1] is a JSON spec; prints one JSON line."""
import gzip
import json
import os
import resource
import struct
import sys
import time

import numpy as np
import torch

spec = json.loads(sys.argv[1])
batch = spec.get("batch", 128)
threads = spec.get("threads", 1)
variant = spec.get("variant", "mlp")
seconds = spec.get("seconds", 3)
warmup = spec.get("warmupSteps", 20)
epochs = spec.get("epochs", 0)
seed = spec.get("seed", 0)
precision = spec.get("precision", "fp32")
torch.set_num_threads(threads)
# As setFlushDenormal in tensorgrad-run.js: Adam's moments decay into subnormals, slow on this CPU.
torch.set_flush_denormal(spec.get("flushDenormal", True))
torch.manual_seed(seed)

DIR = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(DIR, name + ".gz"), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


x_train = torch.from_numpy(idx("train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
y_train = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
x_test = torch.from_numpy(idx("t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))

nn = torch.nn
if variant == "bn-dropout":
    model = nn.Sequential(
        nn.Linear(784, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10),
    )
else:
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()


def batches(x, y, size, shuffle, epoch_seed):
    n = x.shape[0]
    g = torch.Generator().manual_seed(epoch_seed)
    order = torch.randperm(n, generator=g) if shuffle else torch.arange(n)
    for start in range(0, n - size + 1, size):
        rows = order[start : start + size]
        yield x[rows], y[rows]


def cast():
    """PyTorch's CPU autocast for precision bf16 (forward and loss inside, backward outside), else nothing."""
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")


def train_step(x, y):
    optimizer.zero_grad(set_to_none=True)
    with cast():
        loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()


result = {"peer": "pytorch", "threads": threads, "batch": batch, "variant": variant, "precision": precision, "torch": torch.__version__}
if epochs > 0:
    for e in range(epochs):
        for x, y in batches(x_train, y_train, batch, True, seed + e):
            train_step(x, y)
    model.eval()
    with torch.no_grad(), cast():
        correct = (model(x_test).argmax(1) == y_test).sum().item()
    result["testAccuracy"] = correct / len(y_test)
else:
    inference = variant == "inference"
    data = list(batches(x_train, y_train, 1000 if inference else batch, not inference, seed))
    if inference:
        model.eval()

    def step(i):
        x, y = data[i % len(data)]
        if inference:
            with torch.no_grad(), cast():
                model(x)
        else:
            train_step(x, y)

    for i in range(warmup):
        step(i)
    steps = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or steps < 5:
        step(warmup + steps)
        steps += 1
    elapsed = time.perf_counter() - start
    per_step = 1000 if inference else batch
    result.update(steps=steps, samplesPerSecond=steps * per_step / elapsed, msPerStep=elapsed * 1000 / steps)
result["peakRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
