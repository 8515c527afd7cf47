#!/usr/bin/env python3
"""Checks that a model exported by `trainer export` runs outside the workbook.

A development aid only: the workbook never needs Python. Reads the .safetensors file twice (with a
few lines of numpy written from the format's specification, and with the `safetensors` package when
it is installed), rebuilds the network from the architecture in the metadata, once in numpy on NHWC
arrays as the workbook computes, and once in PyTorch (when installed) with its own NCHW layers and
the documented layout changes (Linear: transpose; Conv2d: HWIO -> OIHW; flatten in (h, w, c) order),
and prints the accuracy of each on the split stored in the file.

    trainer train --model cnn --data digits --out runs/cnn
    trainer export --checkpoint runs/cnn/model.ckpt --include-split test
    python3 Sources/TrainerKit/Reference/safetensors_check.py runs/cnn/model.safetensors
    trainer evaluate --checkpoint runs/cnn/model.ckpt          # the same accuracy
"""
import json
import struct
import sys

import numpy as np

EPS = 1e-5  # the trainer's batch-norm epsilon (PyTorch's default too)


def read_safetensors(path):
    """name -> array, metadata: 8-byte little-endian header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    metadata = header.pop("__metadata__", {})
    dtypes = {"F64": "<f8", "F32": "<f4"}
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        data = np.frombuffer(blob[8 + n + begin:8 + n + end], dtype=dtypes[info["dtype"]])
        tensors[name] = data.reshape(info["shape"]).astype(np.float64)
    return tensors, metadata


def layer_kinds(architecture):
    """[(kind, arguments)] from the Swift enum's JSON, e.g. {"dense": {"inputs": 64, "outputs": 10}}."""
    return [next(iter(layer.items())) for layer in architecture["layers"]]


# ---------------------------------------------------------------- numpy, NHWC as the workbook
def conv_nhwc(x, w, stride, padding):
    k = w.shape[0]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho = (x.shape[1] + 2 * padding - k) // stride + 1
    wo = (x.shape[2] + 2 * padding - k) // stride + 1
    out = np.zeros((x.shape[0], ho, wo, w.shape[3]))
    for i in range(k):
        for j in range(k):
            patch = xp[:, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride, :]
            out += patch @ w[i, j]
    return out


def bn(x, t, prefix):
    return (x - t[prefix + "running_mean"]) / np.sqrt(t[prefix + "running_var"] + EPS) * t[prefix + "weight"] + t[prefix + "bias"]


def pool(x, s, reduce):
    n, h, w, c = x.shape
    x = x[:, :h // s * s, :w // s * s, :].reshape(n, h // s, s, w // s, s, c)
    return reduce(x, axis=(2, 4))


def numpy_forward(kinds, t, x):
    relu = lambda v: np.maximum(v, 0)
    for i, (kind, a) in enumerate(kinds):
        p = f"layers.{i}."
        if kind == "reshape":
            x = x.reshape([x.shape[0]] + a["to"])
        elif kind == "dense":
            x = x @ t[p + "weight"] + t[p + "bias"]
        elif kind == "conv":
            x = conv_nhwc(x, t[p + "weight"], 1, a["padding"]) + t[p + "bias"]
        elif kind in ("batchNorm", "spatialBatchNorm"):
            x = bn(x, t, p)
        elif kind == "relu":
            x = relu(x)
        elif kind == "tanh":
            x = np.tanh(x)
        elif kind == "sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif kind == "leakyReLU":
            x = np.where(x > 0, x, a["slope"] * x)
        elif kind == "elu":
            x = np.where(x > 0, x, a["alpha"] * (np.exp(np.minimum(x, 0)) - 1))
        elif kind == "dropout":
            pass  # inverted dropout is the identity at test time
        elif kind == "maxPool":
            x = pool(x, a["size"], np.max)
        elif kind == "averagePool":
            x = pool(x, a["size"], np.mean)
        elif kind == "residual":
            h = relu(bn(x @ t[p + "fc1.weight"] + t[p + "fc1.bias"], t, p + "bn1."))
            x = relu(x + bn(h @ t[p + "fc2.weight"] + t[p + "fc2.bias"], t, p + "bn2."))
        elif kind == "convResidual":
            s = a["stride"]
            h = relu(bn(conv_nhwc(x, t[p + "conv1.weight"], s, 1), t, p + "bn1."))
            f = bn(conv_nhwc(h, t[p + "conv2.weight"], 1, 1), t, p + "bn2.")
            shortcut = x[:, ::s, ::s, :] @ t[p + "downsample.weight"][0, 0] if p + "downsample.weight" in t else x
            x = relu(shortcut + f)
        else:
            raise SystemExit(f"layer {i}: unknown kind {kind}")
    return x


# ---------------------------------------------------------------- PyTorch, NCHW with its own layers
def torch_model(kinds, t):
    import torch
    from torch import nn

    T = lambda name: torch.from_numpy(np.ascontiguousarray(t[name]))

    def conv(name, stride, padding, bias):
        w = T(name + "weight").permute(3, 2, 0, 1).contiguous()   # HWIO -> OIHW
        m = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], stride=stride, padding=padding, bias=bias).double()
        m.weight.data.copy_(w)
        if bias:
            m.bias.data.copy_(T(name + "bias"))
        return m

    def batchnorm(name, cls):
        m = cls(t[name + "weight"].shape[0], eps=EPS).double()
        for field in ("weight", "bias", "running_mean", "running_var"):
            getattr(m, field).data.copy_(T(name + field))
        return m

    class Lambda(nn.Module):
        def __init__(self, f):
            super().__init__()
            self.f = f

        def forward(self, x):
            return self.f(x)

    class BasicBlock(nn.Module):
        def __init__(self, p, stride):
            super().__init__()
            self.conv1, self.bn1 = conv(p + "conv1.", stride, 1, False), batchnorm(p + "bn1.", nn.BatchNorm2d)
            self.conv2, self.bn2 = conv(p + "conv2.", 1, 1, False), batchnorm(p + "bn2.", nn.BatchNorm2d)
            self.downsample = conv(p + "downsample.", stride, 0, False) if p + "downsample.weight" in t else nn.Identity()

        def forward(self, x):
            f = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            return torch.relu(self.downsample(x) + f)

    layers, nchw = [], False
    for i, (kind, a) in enumerate(kinds):
        p = f"layers.{i}."
        if kind == "reshape" and len(a["to"]) == 3:
            h, w, c = a["to"]  # the flat input is (h, w, c): to NCHW
            layers.append(Lambda(lambda x, h=h, w=w, c=c: x.reshape(-1, h, w, c).permute(0, 3, 1, 2)))
            nchw = True
        elif kind == "reshape":
            # The workbook flattens NHWC in (h, w, c) order: permute back before flattening.
            layers.append(Lambda(lambda x: x.permute(0, 2, 3, 1).flatten(1)))
            nchw = False
        elif kind == "dense":
            m = nn.Linear(*t[p + "weight"].shape).double()
            m.weight.data.copy_(T(p + "weight").T)
            m.bias.data.copy_(T(p + "bias"))
            layers.append(m)
        elif kind == "conv":
            layers.append(conv(p, 1, a["padding"], True))
        elif kind in ("batchNorm", "spatialBatchNorm"):
            layers.append(batchnorm(p, nn.BatchNorm2d if nchw else nn.BatchNorm1d))
        elif kind == "relu":
            layers.append(nn.ReLU())
        elif kind == "tanh":
            layers.append(nn.Tanh())
        elif kind == "sigmoid":
            layers.append(nn.Sigmoid())
        elif kind == "leakyReLU":
            layers.append(nn.LeakyReLU(a["slope"]))
        elif kind == "elu":
            layers.append(nn.ELU(a["alpha"]))
        elif kind == "dropout":
            layers.append(nn.Dropout(1 - a["keepProbability"]))  # PyTorch takes the drop probability
        elif kind == "maxPool":
            layers.append(nn.MaxPool2d(a["size"]))
        elif kind == "averagePool":
            layers.append(nn.AvgPool2d(a["size"]))
        elif kind == "convResidual":
            layers.append(BasicBlock(p, a["stride"]))
        else:
            raise SystemExit(f"layer {i}: {kind} has no PyTorch counterpart in this script")
    return nn.Sequential(*layers).eval()


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    tensors, metadata = read_safetensors(sys.argv[1])
    try:
        from safetensors.numpy import load_file
        other = load_file(sys.argv[1])
        same = set(other) == set(tensors) and all(np.array_equal(other[k].astype(np.float64), tensors[k]) for k in tensors)
        print(f"safetensors package: {len(other)} tensors, {'identical to' if same else 'DIFFERENT from'} the numpy reader")
    except ImportError:
        print("safetensors package: not installed (the numpy reader alone)")
    architecture = json.loads(metadata["architecture"])
    kinds = layer_kinds(architecture)
    parts = [k.split(".")[1] for k in tensors if k.startswith("data.") and k.endswith(".features")]
    if not parts:
        raise SystemExit("no data in the file: export with --include-split test")
    part = parts[0]
    x, y = tensors[f"data.{part}.features"], tensors[f"data.{part}.labels"].astype(int)
    print(f"model {architecture['model']}: {len(kinds)} layers; {part} split: {len(y)} examples")
    logits = numpy_forward(kinds, tensors, x)
    print(f"numpy (NHWC):    {part} accuracy {100 * np.mean(logits.argmax(1) == y):.2f}%")
    try:
        import torch
    except ImportError:
        print("PyTorch: not installed")
        return
    model = torch_model(kinds, tensors)
    with torch.no_grad():
        out = model(torch.from_numpy(x)).numpy()
    print(f"PyTorch {torch.__version__} (NCHW): {part} accuracy {100 * np.mean(out.argmax(1) == y):.2f}%; "
          f"largest logit difference from numpy {np.abs(out - logits).max():.2e}")


if __name__ == "__main__":
    main()
