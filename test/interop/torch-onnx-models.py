# Models exported by PyTorch's own torch.onnx.export (opset 17, dynamic batch), and PyTorch's
# evaluation outputs on seeded inputs at three batch sizes: what test/interop/onnx-import.test.ts
# imports. CNNs in eval mode (batch norm folded into the convolutions), in training mode
# (BatchNormalization kept, training_mode = 1; also PyTorch's training-mode outputs), and with
# the patterns PyTorch writes for view(), count_include_pad (Pad), ceil mode, GELU (Erf), ReLU6
# (Clip), Hardswish and adaptive pooling (AveragePool); reflection, replication and zero padding
# (Pad in reflect, edge and constant mode), and Dropout exported in training mode.
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

def with_statistics(model):
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            with torch.no_grad():
                m.running_mean.normal_()
                m.running_var.uniform_(0.5, 2)
                m.weight.normal_()
                m.bias.normal_()
    return model

class ViewNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 5, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(5)
        self.pool = torch.nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.avg = torch.nn.AvgPool2d(3, stride=1, padding=1)
        self.fc = torch.nn.Linear(5 * 5 * 5, 4)
    def forward(self, x):
        x = self.avg(self.pool(torch.relu(self.bn(self.conv(x)))))
        return self.fc(x.view(x.size(0), -1))

def cnn_bn():
    return with_statistics(torch.nn.Sequential(
        torch.nn.Conv2d(2, 6, 3, padding=1), torch.nn.BatchNorm2d(6), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 8, 3, stride=2, padding=1, groups=2), torch.nn.GELU(), torch.nn.AvgPool2d(2, padding=1, count_include_pad=False),
        torch.nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8, bias=False), torch.nn.BatchNorm2d(8), torch.nn.ReLU6(),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, 4)))

TRAINING = {'training': torch.onnx.TrainingMode.TRAINING}
models = {
    'mlp': (mlp(), [10]),
    'mlp_default_bn': (torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(), torch.nn.Linear(5, 3)), [6]),
    'lstm': (LastStep(torch.nn.LSTM(4, 6, num_layers=2, batch_first=True), 6, 3), [7, 4]),
    'gru': (LastStep(torch.nn.GRU(4, 5, batch_first=True), 5, 3), [6, 4]),
    'cnn': (torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(64, 3)), [1, 8, 8]),
    'cnn_bn_eval': (cnn_bn(), [2, 12, 12]),
    'cnn_bn_training': (cnn_bn(), [2, 12, 12], TRAINING),
    'cnn_view': (with_statistics(ViewNet()), [3, 10, 10]),
    'cnn_view_training': (with_statistics(ViewNet()), [3, 10, 10], TRAINING),
    'cnn_adaptive': (torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1, stride=1), torch.nn.Hardswish(), torch.nn.AdaptiveAvgPool2d(2),
                                         torch.nn.Hardsigmoid(), torch.nn.SiLU(), torch.nn.Flatten(), torch.nn.Linear(16, 3)), [1, 8, 6]),
    'cnn_pads': (torch.nn.Sequential(torch.nn.ReflectionPad2d((1, 2, 0, 1)), torch.nn.Conv2d(2, 4, 3), torch.nn.ReplicationPad2d(1), torch.nn.ReLU(),
                                     torch.nn.ZeroPad2d((0, 1, 1, 0)), torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(120, 3)), [2, 9, 9]),
    'mlp_dropout_training': (torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Linear(8, 3)), [6], TRAINING),
    'gelu_mlp': (torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.GELU(), torch.nn.Linear(7, 6), torch.nn.GELU(approximate='tanh'), torch.nn.Linear(6, 3)), [5]),
}
result = {}
for name, (model, sample, *options) in models.items():
    kwargs = options[0] if options else {}
    model.train(kwargs is TRAINING)
    file = f'{out}/{name}.onnx'
    torch.onnx.export(model, torch.randn(2, *sample), file, input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}}, opset_version=17, **kwargs)
    # Exporting in training mode runs the model once, updating its running statistics: the file
    # holds them as updated, as does the model from here on.
    runs = []
    train_runs = []
    model.eval()
    for batch in (1, 3, 17):
        x = torch.randn(batch, *sample) * 2
        with torch.no_grad():
            y = model(x)
        runs.append({'x': x.flatten().tolist(), 'dims': list(x.shape), 'y': y.flatten().tolist(), 'ydims': list(y.shape)})
    if kwargs is TRAINING:
        model.train()
        x = torch.randn(16, *sample) * 2
        with torch.no_grad():
            y = model(x)
        train_runs.append({'x': x.flatten().tolist(), 'dims': list(x.shape), 'y': y.flatten().tolist(), 'ydims': list(y.shape)})
    result[name] = {'file': file, 'runs': runs, 'trainRuns': train_runs}
print(json.dumps(result))
