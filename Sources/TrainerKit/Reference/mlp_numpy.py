#!/usr/bin/env python3
"""The reference MLP loop in numpy (and PyTorch, if installed), to measure the Swift trainer against
side by side, in one run.

A development aid only: the workbook never needs Python. Same net, same data, same loop as
`trainer bench --part mlp`: 64-256-256-10, ReLU, softmax cross-entropy, plain SGD, batch 64,
f64, all 1797 digits standardized per pixel, one shuffle per epoch, one thread. Also times square
matrix products (256, 512, 1024) in numpy beside `trainer bench --part kernel`.

    python3 Sources/TrainerKit/Reference/mlp_numpy.py                     # numpy (and PyTorch) only
    python3 Sources/TrainerKit/Reference/mlp_numpy.py --swift             # then the Swift bench, and the ratios
    python3 Sources/TrainerKit/Reference/mlp_numpy.py --swift --kernel avx2   # the Swift AVX2 kernel

With --swift it builds nothing: run `WORKBOOK=Solutions swift build -c release --product trainer` first.

Times are CPU time of this process (time.process_time), as `trainer bench` reports for one thread:
on a machine shared with other work, wall-clock times mostly measure the other work. On an idle
machine the two agree.

OpenBLAS picks its kernel from the CPU unless OPENBLAS_CORETYPE says otherwise; the line printed
first (from threadpoolctl, if installed) says which it runs. To pair each Swift kernel with
OpenBLAS's kernel for the same instruction set on an AVX-512 machine:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 .../mlp_numpy.py --swift                        # SkylakeX
    env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 \
        python3 .../mlp_numpy.py --swift --kernel avx2                                                  # Haswell (AVX2)
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


def torch_epoch(torch, params, x, y, generator, lr=0.05, batch=64):
    """The same loop in PyTorch eager mode with autograd (f64, one thread)."""
    n = x.shape[0]
    order = torch.randperm(n, generator=generator)
    total = 0.0
    for start in range(0, n, batch):
        idx = order[start:start + batch]
        xb, yb = x[idx], y[idx]
        w1, b1, w2, b2, w3, b3 = params
        logits = torch.relu(torch.relu(xb @ w1 + b1) @ w2 + b2) @ w3 + b3
        loss = torch.nn.functional.cross_entropy(logits, yb)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        total += loss.item() * xb.shape[0]
    return total / n


def best_ms(run, repeats):
    """Best and median CPU milliseconds of `repeats` calls of run(), and its last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.process_time()
        result = run()
        times.append((time.process_time() - start) * 1000)
    times.sort()
    return times[0], times[len(times) // 2], result


def gemm_gflops(size, rng):
    """GFLOP/s of a size³ f64 product in numpy: the best of many short runs, CPU time."""
    a, b = rng.random((size, size)), rng.random((size, size))
    inner = max(1, int(2e7 / (2 * size ** 3)))
    def run():
        for _ in range(inner):
            a @ b
    best, _, _ = best_ms(run, 40)
    return 2 * size ** 3 * inner / (best / 1000) / 1e9


def describe_blas():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS kernel unknown (pip install threadpoolctl to see it)"
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}, {i.get('num_threads')} thread(s)"
                     for i in threadpool_info())


def main():
    print(f"numpy {np.__version__}: {describe_blas()}")
    x, y = load_digits()
    rng = np.random.default_rng(1)
    sizes = [64, 256, 256, 10]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(rng.normal(0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)))  # He
        params.append(np.zeros(fan_out))
    numpy_best, numpy_median, loss = best_ms(lambda: epoch(params, x, y, rng), 15)
    print(f"numpy MLP 64-256-256-10 epoch on 1797 digits (batch 64, SGD, f64, 1 thread, CPU time): "
          f"best {numpy_best:.1f} ms, median {numpy_median:.1f} ms; last loss {loss:.4f}")
    torch_best = None
    try:
        import torch
    except ImportError:
        print("PyTorch: not installed (optional)")
    else:
        torch.set_num_threads(1)
        generator = torch.Generator().manual_seed(1)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        tparams = [torch.tensor(p, requires_grad=True) for p in params]
        torch_best, torch_median, tloss = best_ms(lambda: torch_epoch(torch, tparams, tx, ty, generator), 15)
        print(f"PyTorch {torch.__version__} eager ({torch.backends.cpu.get_cpu_capability()}), same MLP epoch, 1 thread, CPU time: "
              f"best {torch_best:.1f} ms, median {torch_median:.1f} ms; last loss {tloss:.4f}")
    gemm = {s: gemm_gflops(s, np.random.default_rng(7)) for s in (256, 512, 1024)}
    for s, g in gemm.items():
        print(f"numpy {s}x{s} · {s}x{s}: {g:.1f} GFLOP/s (1 thread, CPU time)")
    if "--swift" not in sys.argv:
        return
    trainer = os.path.join(ROOT, ".build", "release", "trainer")
    extra = []
    if "--kernel" in sys.argv:
        extra = ["--kernel", sys.argv[sys.argv.index("--kernel") + 1]]
    bench = subprocess.run([trainer, "bench", "--part", "kernel"] + extra, capture_output=True, text=True, check=True).stdout
    mlp = subprocess.run([trainer, "bench", "--part", "mlp", "--epochs", "15"] + extra, capture_output=True, text=True, check=True).stdout
    print(bench.strip())
    print(mlp.strip().splitlines()[-1])
    print("side by side                     Swift      numpy      ratio")
    for s, g in gemm.items():
        label = f"{s}x{s} · {s}x{s}"
        line = next(l for l in bench.splitlines() if l.startswith(label + " "))
        swift = float(line[len(label):].split()[0])
        print(f"gemm {s}³ GFLOP/s".ljust(31) + f"{swift:7.1f}    {g:7.1f}    {swift / g:5.2f}x numpy's speed")
    swift_best = float(mlp.split("best ")[1].split(" ms")[0])
    print("MLP epoch, best ms".ljust(31) + f"{swift_best:7.1f}    {numpy_best:7.1f}    {swift_best / numpy_best:5.2f}x numpy's time")
    if torch_best is not None:
        print("MLP epoch vs PyTorch eager, ms".ljust(31) + f"{swift_best:7.1f}    {torch_best:7.1f}    {swift_best / torch_best:5.2f}x PyTorch's time")


if __name__ == "__main__":
    main()
