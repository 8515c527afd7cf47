#!/usr/bin/env python3
"""The reference MLP loop in numpy, to measure the Swift trainer against side by side.

A development aid only: the workbook never needs Python. Same net, same data, same loop as
`trainer bench --part mlp`: 64-256-256-10, ReLU, softmax cross-entropy, plain SGD, batch 64,
f64, all 1797 digits standardized per pixel, one shuffle per epoch, one thread.

    python3 Sources/TrainerKit/Reference/mlp_numpy.py            # numpy only
    python3 Sources/TrainerKit/Reference/mlp_numpy.py --swift    # then the Swift bench, and the ratio

With --swift it builds nothing: run `WORKBOOK=Solutions swift build -c release --product trainer` first.
"""
import os
import sys

# One thread for BLAS, as the Swift kernel uses one core. Must be set before numpy loads.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import subprocess
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def load_digits():
    data = np.loadtxt(os.path.join(HERE, "..", "Data", "digits.csv"), delimiter=",", skiprows=1)
    y = data[:, 0].astype(np.int64)
    x = data[:, 1:]
    sd = x.std(axis=0)
    sd[sd < 1e-8] = 1.0
    return (x - x.mean(axis=0)) / sd, y


def epoch(params, x, y, rng, lr=0.05, batch=64):
    w1, b1, w2, b2, w3, b3 = params
    n = x.shape[0]
    order = rng.permutation(n)
    total = 0.0
    for start in range(0, n, batch):
        idx = order[start:start + batch]
        xb, yb = x[idx], y[idx]
        m = xb.shape[0]
        h1 = xb @ w1 + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ w2 + b2
        a2 = np.maximum(h2, 0)
        logits = a2 @ w3 + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        total += -np.log(p[np.arange(m), yb]).sum()
        d = p
        d[np.arange(m), yb] -= 1
        d /= m
        dw3 = a2.T @ d
        db3 = d.sum(axis=0)
        da2 = d @ w3.T
        da2[h2 <= 0] = 0
        dw2 = a1.T @ da2
        db2 = da2.sum(axis=0)
        da1 = da2 @ w2.T
        da1[h1 <= 0] = 0
        dw1 = xb.T @ da1
        db1 = da1.sum(axis=0)
        for param, grad in zip(params, (dw1, db1, dw2, db2, dw3, db3)):
            param -= lr * grad
    return total / n


def main():
    x, y = load_digits()
    rng = np.random.default_rng(1)
    sizes = [64, 256, 256, 10]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(rng.normal(0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)))  # He
        params.append(np.zeros(fan_out))
    times = []
    for _ in range(15):
        start = time.perf_counter()
        loss = epoch(params, x, y, rng)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"numpy {np.__version__} MLP 64-256-256-10 epoch on 1797 digits (batch 64, SGD, f64, 1 thread): "
          f"best {times[0]:.1f} ms, median {times[len(times) // 2]:.1f} ms; last loss {loss:.4f}")
    if "--swift" in sys.argv:
        trainer = os.path.join(ROOT, ".build", "release", "trainer")
        out = subprocess.run([trainer, "bench", "--part", "mlp", "--epochs", "15"], capture_output=True, text=True).stdout
        print(out.strip())
        swift_best = float(out.split("best ")[1].split(" ms")[0])
        print(f"ratio numpy / swift (best epochs): {times[0] / swift_best:.2f}  (above 1: Swift is faster)")


if __name__ == "__main__":
    main()
