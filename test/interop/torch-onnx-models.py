# Models exported by PyTorch's own torch.onnx.export (opset 17, dynamic batch), and PyTorch's
# outputs on seeded inputs at three batch sizes: what test/interop/onnx-import.test.ts imports.
# Usage: python3 torch-onnx-models.py OUTDIR  (prints JSON: {name: {file, runs: [{x, dims, y}]}})
import json, sys, warnings
warnings.filterwarnings('ignore')
import torch

out = sys.argv[1]
torch.manual_seed(0)

class LastStep(torch.nn.Module):
    def __init__(self, rnn, hidden, classes):
        super().__init__()
        self.rnn = rnn
        self.fc = torch.nn.Linear(hidden, classes)
    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y[:, -1])

def mlp():
    bn = torch.nn.BatchNorm1d(12)
    with torch.no_grad():
        bn.running_mean.normal_()
        bn.running_var.uniform_(0.5, 2)
        bn.weight.normal_()
        bn.bias.normal_()
    return torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(16, 12), bn,
                               torch.nn.Tanh(), torch.nn.Linear(12, 8), torch.nn.LeakyReLU(0.1), torch.nn.Linear(8, 8), torch.nn.ELU(),
                               torch.nn.Linear(8, 8), torch.nn.Sigmoid(), torch.nn.Linear(8, 4))

models = {
    'mlp': (mlp(), [10]),
    'mlp_default_bn': (torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(), torch.nn.Linear(5, 3)), [6]),
    'lstm': (LastStep(torch.nn.LSTM(4, 6, num_layers=2, batch_first=True), 6, 3), [7, 4]),
    'gru': (LastStep(torch.nn.GRU(4, 5, batch_first=True), 5, 3), [6, 4]),
    'cnn': (torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(64, 3)), [1, 8, 8]),
}
result = {}
for name, (model, sample) in models.items():
    model.eval()
    file = f'{out}/{name}.onnx'
    torch.onnx.export(model, torch.randn(2, *sample), file, input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}}, opset_version=17)
    runs = []
    for batch in (1, 3, 17):
        x = torch.randn(batch, *sample) * 2
        with torch.no_grad():
            y = model(x)
        runs.append({'x': x.flatten().tolist(), 'dims': list(x.shape), 'y': y.flatten().tolist(), 'ydims': list(y.shape)})
    result[name] = {'file': file, 'runs': runs}
print(json.dumps(result))
