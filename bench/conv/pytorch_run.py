"""One PyTorch measurement for bench/conv.js, in its own process. argv[1] is a JSON spec:
{"kind": "train", "model": "cnn"|"lenet5", "batch", "threads", "seconds"} times training steps
(Adam, cross-entropy) of the same models as bench/conv/tensorgrad-run.js on Fashion-MNIST
batches; {"kind": "conv", "shape": {...}, "threads", "seconds"} times one convolution's forward
and its backward (input and weight gradients), the fastest call of each. Prints one JSON line."""
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch

spec = json.loads(sys.argv[1])
threads = spec.get("threads", 1)
seconds = spec.get("seconds", 3)
torch.set_num_threads(threads)
# As tensorgrad's runner: subnormals (Adam's decaying moments) are slow on x86.
torch.set_flush_denormal(True)
torch.manual_seed(0)
nn = torch.nn


def timed(step, warmup):
    """Runs step until `seconds` have passed after `warmup` calls; returns (calls, seconds)."""
    for _ in range(warmup):
        step()
    count = 0
    start = time.perf_counter()
    while True:
        step()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count, elapsed


def fastest(step):
    """The shortest of the calls made in `seconds` after 3 warm-up calls, in seconds."""
    for _ in range(3):
        step()
    best = float("inf")
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - t)
    return best


def models(name):
    if name == "lenet5":
        # LeCun et al. 1998 on 28×28 (padding 2 on the first convolution), with ReLU and max pooling.
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def fashion(count):
    path = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
    labels = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"
    if not os.path.exists(path):
        g = torch.Generator().manual_seed(0)
        return torch.rand(count, 1, 28, 28, generator=g), torch.randint(0, 10, (count,), generator=g)
    with gzip.open(path, "rb") as f:
        data = f.read()
    x = np.frombuffer(data, dtype=np.uint8, offset=16)[: count * 784].reshape(count, 1, 28, 28).astype(np.float32) / 255
    with gzip.open(labels, "rb") as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)[:count].astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


result = {"peer": "pytorch", "threads": threads, "torch": torch.__version__, "mkldnn": torch.backends.mkldnn.is_available()}
if spec["kind"] == "train":
    batch = spec["batch"]
    model = models(spec["model"])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x, y = fashion(batch * 8)
    state = {"i": 0}

    def step():
        i = state["i"] % 8
        state["i"] += 1
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x[i * batch : (i + 1) * batch]), y[i * batch : (i + 1) * batch]).backward()
        optimizer.step()

    steps, elapsed = timed(step, 5)
    result.update({"kind": "train", "model": spec["model"], "batch": batch, "imagesPerSecond": steps * batch / elapsed, "msPerStep": 1000 * elapsed / steps})
else:
    s = spec["shape"]
    x = torch.randn(s["n"], s["c"], s["h"], s["w"], requires_grad=True)
    conv = nn.Conv2d(s["c"], s["outC"], s["k"], stride=s["stride"], padding=s["pad"], groups=s["groups"], bias=True)
    y = conv(x)
    dy = torch.randn_like(y)

    def forward():
        with torch.no_grad():
            conv(x)

    def backward():
        # Both gradients of one recorded forward, kept for the next call (only the backward is timed).
        x.grad = None
        conv.weight.grad = None
        conv.bias.grad = None
        y.backward(dy, retain_graph=True)

    # The fastest call, as bench/conv/conv_bench.cc: other processes only ever slow a call down.
    result.update({"kind": "conv", "forwardMs": 1000 * fastest(forward), "backwardMs": 1000 * fastest(backward)})
print(json.dumps(result))
