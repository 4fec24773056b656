# Runs PyTorch's conv2d, max/avg/adaptive pooling and BatchNorm2d on the inputs tensorgrad wrote
# (a JSON list of cases on stdin; computed in float64, one process since importing torch takes
# seconds) and prints, per case, the output and the gradients of L = sum(output * gy).
import json
import sys

import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def tensor(values, shape, grad=True):
    t = torch.tensor(values, dtype=torch.float64).reshape(shape)
    return t.requires_grad_(grad)


def pair(v):
    return tuple(v) if isinstance(v, list) else v


def run(case):
    op, o = case["op"], case["options"]
    x = tensor(case["x"], case["xShape"])
    extra = {}
    if op == "conv2d":
        w = tensor(case["weight"], case["weightShape"])
        b = tensor(case["bias"], [case["weightShape"][0]]) if case["bias"] is not None else None
        y = F.conv2d(x, w, b, stride=pair(o["stride"]), padding=pair(o["padding"]), dilation=pair(o["dilation"]), groups=o["groups"])
        if o.get("activation") == "relu":
            y = F.relu(y)
        inputs = {"dx": x, "dweight": w, **({"dbias": b} if b is not None else {})}
    elif op == "maxPool2d":
        y = F.max_pool2d(x, pair(o["kernelSize"]), pair(o["stride"]), pair(o["padding"]), pair(o["dilation"]), ceil_mode=o["ceilMode"])
        inputs = {"dx": x}
    elif op == "avgPool2d":
        y = F.avg_pool2d(x, pair(o["kernelSize"]), pair(o["stride"]), pair(o["padding"]), ceil_mode=o["ceilMode"],
                         count_include_pad=o["countIncludePad"], divisor_override=o["divisorOverride"])
        inputs = {"dx": x}
    elif op == "adaptiveAvgPool2d":
        y = F.adaptive_avg_pool2d(x, pair(o["outputSize"]))
        inputs = {"dx": x}
    elif op == "batchNorm2d":
        c = case["xShape"][1]
        bn = torch.nn.BatchNorm2d(c, eps=o["eps"], momentum=o["momentum"]).double()
        with torch.no_grad():
            bn.weight.copy_(torch.tensor(case["gamma"], dtype=torch.float64))
            bn.bias.copy_(torch.tensor(case["beta"], dtype=torch.float64))
        y = bn(x)
        inputs = {"dx": x, "dgamma": bn.weight, "dbeta": bn.bias}
        extra = {"runningMean": bn.running_mean.tolist(), "runningVar": bn.running_var.tolist()}
        bn.eval()
        extra["eval"] = bn(tensor(case["x2"], case["xShape"], grad=False)).reshape(-1).tolist()
    else:
        raise ValueError(op)
    (y * torch.tensor(case["gy"], dtype=torch.float64).reshape(y.shape)).sum().backward()
    out = {"shape": list(y.shape), "y": y.detach().reshape(-1).tolist(), **extra}
    for name, t in inputs.items():
        out[name] = t.grad.reshape(-1).tolist()
    return out


print(json.dumps([run(c) for c in json.load(sys.stdin)]))
