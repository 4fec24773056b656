# One PyTorch measurement of character-LM training, the same model, shapes, optimizer, clipping
# and truncated BPTT as bench/charlm/tensorgrad-run.js:
# /usr/bin/python3 bench/charlm/pytorch_run.py '{"cell":"lstm","threads":1,...}'
import json
import resource
import sys
import time

import torch

spec = json.loads(sys.argv[1])
cell, hidden, emb = spec.get("cell", "lstm"), spec.get("hidden", 256), spec.get("embedding", 64)
seq, batch, threads = spec.get("seq", 64), spec.get("batch", 32), spec.get("threads", 1)
seconds, warmup = spec.get("seconds", 5), spec.get("warmupSteps", 5)
torch.set_num_threads(threads)
torch.manual_seed(0)

text = open(spec["text"], encoding="utf-8").read()
chars = sorted(set(text))
index = {c: i for i, c in enumerate(chars)}
ids = torch.tensor([index[c] for c in text], dtype=torch.long)
stream = (len(ids) - 1) // batch
batches = []
for start in range(0, stream - seq + 1, seq):
    x = torch.stack([ids[b * stream + start: b * stream + start + seq] for b in range(batch)])
    y = torch.stack([ids[b * stream + start + 1: b * stream + start + seq + 1] for b in range(batch)])
    batches.append((x, y))

V = len(chars)
rnn_cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]


class CharLM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, emb)
        self.rnn = rnn_cls(emb, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, V)

    def forward(self, x, state):
        out, state = self.rnn(self.embedding(x), state)
        return self.head(out), state


model = CharLM()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
state = None
last = float("nan")


def detach(s):
    if s is None:
        return None
    return tuple(t.detach() for t in s) if isinstance(s, tuple) else s.detach()


def step(i):
    global state, last
    x, y = batches[i % len(batches)]
    if i % len(batches) == 0:
        state = None
    optimizer.zero_grad()
    logits, new_state = model(x, state)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5)
    optimizer.step()
    state = detach(new_state)
    last = loss.item()


i = 0
for i in range(warmup):
    step(i)
i = warmup
start = time.perf_counter()
steps = 0
while time.perf_counter() - start < seconds:
    step(i)
    i += 1
    steps += 1
elapsed = time.perf_counter() - start
print(json.dumps({
    "charsPerSecond": steps * batch * seq / elapsed, "msPerStep": 1000 * elapsed / steps, "steps": steps, "loss": last,
    "vocab": V, "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch": torch.__version__,
}))
