# One PyTorch measurement of bench:inference: the same weights (raw float32 files written by
# bench/inference.js), eval mode under torch.inference_mode(); seconds per call.
import json, sys, time
import numpy as np
import torch

spec = json.loads(sys.argv[1])
torch.set_num_threads(spec['threads'])
w = {name: torch.from_numpy(np.fromfile(f'{spec["weights"]}/{name}.f32', dtype=np.float32).reshape(shape)) for name, shape in spec['shapes'].items()}

class CharLM(torch.nn.Module):
    def __init__(self, v, e, h):
        super().__init__()
        self.embedding = torch.nn.Embedding(v, e)
        self.rnn = torch.nn.LSTM(e, h, batch_first=True)
        self.head = torch.nn.Linear(h, v)
    def forward(self, ids):
        y, _ = self.rnn(self.embedding(ids))
        return self.head(y)

if spec['model'] == 'mlp':
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    x = torch.sin(torch.arange(spec['batch'] * 784, dtype=torch.float32)).reshape(spec['batch'], 784)
else:
    c = spec['charlm']
    model = CharLM(c['vocabSize'], c['embeddingDim'], c['hiddenSize'])
    n = spec['batch'] * spec['sequence']
    x = (torch.arange(n) * 7919 % c['vocabSize']).reshape(spec['batch'], spec['sequence'])
if spec['model'] == 'mlp':
    # tensorgrad's Sequential holds only the Linear layers (ReLU fused into them): 0, 1, 2.
    w = {f'{2 * int(k.split(".")[0])}.{k.split(".")[1]}': v for k, v in w.items()}
model.load_state_dict(w)
model.eval()

def sample(min_seconds):
    reps = 0
    cpu = time.process_time()
    start = time.perf_counter()
    while True:
        model(x)
        reps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            break
    return elapsed / reps, (time.process_time() - cpu) / elapsed

with torch.inference_mode():
    for _ in range(5):
        model(x)
    samples = sorted(sample(spec['seconds'] / 3) for _ in range(3))
print(json.dumps({'secondsPerCall': samples[1][0], 'cores': samples[1][1], 'torch': torch.__version__}))
