# Runs torch.nn.RNN/LSTM/GRU on the weights and inputs tensorgrad wrote (a JSON list of cases on
# stdin, computed in float64; one process, since importing torch takes seconds) and prints, per case,
# the outputs and every gradient of L = sum(output*gy) + sum(h*gh) (+ sum(c*gc)).
import json
import sys

import torch

torch.set_num_threads(1)


def run(spec):
    kind, L, H = spec["kind"], spec["numLayers"], spec["hiddenSize"]
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    extra = {"nonlinearity": spec["nonlinearity"]} if kind == "rnn" else {}
    model = cls(spec["inputSize"], H, num_layers=L, bias=spec["bias"], batch_first=True, **extra).double()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.tensor(spec["params"][name], dtype=torch.float64).reshape(p.shape))

    def t(name, shape):
        return torch.tensor(spec[name], dtype=torch.float64).reshape(shape).requires_grad_(True)

    N, T = spec["N"], spec["T"]
    x = t("x", (N, T, spec["inputSize"]))
    h0 = t("h0", (L, N, H))
    if kind == "lstm":
        c0 = t("c0", (L, N, H))
        out, (h, c) = model(x, (h0, c0))
    else:
        out, h = model(x, h0)
    loss = (out * torch.tensor(spec["gy"], dtype=torch.float64).reshape(out.shape)).sum()
    loss = loss + (h * torch.tensor(spec["gh"], dtype=torch.float64).reshape(h.shape)).sum()
    if kind == "lstm":
        loss = loss + (c * torch.tensor(spec["gc"], dtype=torch.float64).reshape(c.shape)).sum()
    loss.backward()
    flat = lambda v: v.detach().reshape(-1).tolist()
    result = {"output": flat(out), "h": flat(h), "grads": {n: flat(p.grad) for n, p in model.named_parameters()},
              "dx": flat(x.grad), "dh0": flat(h0.grad)}
    if kind == "lstm":
        result["c"] = flat(c)
        result["dc0"] = flat(c0.grad)
    return result


json.dump([run(spec) for spec in json.load(sys.stdin)], sys.stdout)
