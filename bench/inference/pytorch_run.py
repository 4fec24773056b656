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
elif spec['model'] == 'cnn':
    # c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10 with the same module indices as tensorgrad's Sequential.
    c, h, wd = spec['image']
    nn = torch.nn
    model = nn.Sequential(nn.Unflatten(1, (c, h, wd)), nn.Conv2d(c, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(64 * (h // 4) * (wd // 4), 128), nn.ReLU(), nn.Linear(128, 10))
    x = torch.sin(torch.arange(spec['batch'] * c * h * wd, dtype=torch.float32)).reshape(spec['batch'], c * h * wd)
    w = {k.replace('runningMean', 'running_mean').replace('runningVar', 'running_var'): v for k, v in w.items()}
    w.update({k: v for k, v in model.state_dict().items() if k.endswith('num_batches_tracked')})
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
