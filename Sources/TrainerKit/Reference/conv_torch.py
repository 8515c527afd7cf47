#!/usr/bin/env python3
"""The trainer's conv models in PyTorch eager, timed beside `trainer bench` in one run.

A development aid only: the workbook never needs Python or PyTorch. Same nets, same data, same loop
as `trainer bench --part cnn` and `--part resnet`, f64, SGD (learning rate 0.05), batch 64, all 1797
bundled digits standardized with one mean and deviation for all pixels, one shuffle per epoch:

    cnn     3x3 conv (8 channels, padding 1, bias) → ReLU → 2x2 max pool → dense 128 → 10
    resnet  3x3 conv (16, padding 1, no bias) → BN → ReLU
            → basic block 16 → 16 → basic block 16 → 32, stride 2, 1x1 projection (no BN on it)
            → basic block 32 → 64, stride 2, 1x1 projection → global average pool → dense 64 → 10
            (basic block: conv3x3 → BN → ReLU → conv3x3 → BN, plus the shortcut, then ReLU;
             the convolutions have no bias; BN ε = 1e-5, as the trainer's)

Layouts differ (PyTorch NCHW, the workbook NHWC); the arithmetic per epoch is the same.

    python3 Sources/TrainerKit/Reference/conv_torch.py                  # PyTorch only, 1 and 2 threads
    python3 Sources/TrainerKit/Reference/conv_torch.py --swift          # then trainer bench, and the ratios
    WORKBOOK_GEMM_KERNEL=avx2 ATEN_CPU_CAPABILITY=avx2 python3 .../conv_torch.py --swift   # both on AVX2

With --swift it builds nothing: run `WORKBOOK=Solutions swift build -c release --product trainer` first.
`--repeats N` times N epochs per configuration (default 7) and reports the median and the best.
With --swift it then runs `trainer bench --part speedup --epochs N` for `--rounds N` (default 5):
the Swift ResNet's epoch on 1 thread then on 2, N pairs in one process, each pair with the cores
its 2-thread epoch got and how fast its two cores handed a cache line over, and the median speed-up
over all pairs and over the pairs at the run's usual hand-over (within 1.5x of its median): on a
shared machine only pairs where the process got close to 2 cores say anything, and on a virtual
machine whose host moves its cores apart the hand-over, and with it every exchange between the
threads, slows several times.
One thread: CPU time of the process (time.process_time), as `trainer bench` reports for one
thread, so that other work on a shared machine counts less, and wall-clock time; two threads:
wall-clock time only. The speed-up of two threads compares wall clock with wall clock.
"""
import os

# On a machine shared with other work, OpenMP threads that spin at barriers while their partner is
# descheduled make 2-thread PyTorch 100x slower than 1 thread; passive waiting (sleep at barriers)
# is what the Swift kernel's threads do too. Must be set before torch loads. Override to compare.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def load_digits():
    rows = np.loadtxt(os.path.join(HERE, "..", "Data", "digits.csv"), delimiter=",", skiprows=1)
    y = rows[:, 0].astype(np.int64)
    x = rows[:, 1:]
    # Images: one mean and one deviation for all pixels (the trainer's Normalizer(perFeature: false)
    # would give this; bench standardizes per pixel for the MLP, but any standardization costs the same).
    x = (x - x.mean()) / x.std()
    return x.reshape(-1, 8, 8, 1).transpose(0, 3, 1, 2).copy(), y   # NCHW for PyTorch


def models(torch):
    nn = torch.nn

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3, padding=1)
            self.fc = nn.Linear(8 * 4 * 4, 10)

        def forward(self, x):
            x = torch.max_pool2d(torch.relu(self.conv(x)), 2)
            return self.fc(x.flatten(1))

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
            self.downsample = nn.Conv2d(cin, cout, 1, stride=stride, bias=False) if cin != cout or stride != 1 else None

        def forward(self, x):
            out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            return torch.relu(out + (self.downsample(x) if self.downsample is not None else x))

    class ResNet(nn.Module):
        def __init__(self, width=16):
            super().__init__()
            self.stem = nn.Conv2d(1, width, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(width, eps=1e-5, momentum=0.1)
            self.blocks = nn.Sequential(Block(width, width, 1), Block(width, 2 * width, 2), Block(2 * width, 4 * width, 2))
            self.fc = nn.Linear(4 * width, 10)

        def forward(self, x):
            x = self.blocks(torch.relu(self.bn(self.stem(x))))
            return self.fc(x.mean(dim=(2, 3)))

    return {"cnn": CNN, "resnet": ResNet}


def epoch(torch, model, x, y, generator, lr=0.05, batch=64):
    model.train()
    order = torch.randperm(x.shape[0], generator=generator)
    total = 0.0
    for start in range(0, x.shape[0], batch):
        index = order[start:start + batch]
        loss = torch.nn.functional.cross_entropy(model(x[index]), y[index])
        model.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p.sub_(lr * p.grad)
        total = loss.item()
    return total


def timed(run, repeats, clock):
    times = []
    for _ in range(repeats):
        start = clock()
        loss = run()
        times.append((clock() - start) * 1e3)
    times.sort()
    return times[0], times[len(times) // 2], loss


def main():
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 7
    try:
        import torch
    except ImportError:
        sys.exit("PyTorch is not installed (pip install torch); this script compares against it")
    torch.set_default_dtype(torch.float64)
    x, y = load_digits()
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    print(f"PyTorch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, f64, "
          f"{x.shape[0]} digits, batch 64, SGD; {repeats} epochs per line")
    results = {}
    for name, build in models(torch).items():
        for threads in (1, 2):
            torch.set_num_threads(threads)
            torch.manual_seed(1)
            model = build().double()
            generator = torch.Generator().manual_seed(1)
            epoch(torch, model, tx, ty, generator)   # warm-up: allocator, first-call dispatch
            for clock, label in ((time.process_time, "CPU time"), (time.perf_counter, "wall clock")):
                if threads == 2 and clock is time.process_time:
                    continue   # the CPU time of two threads is their sum: not a speed
                best, median, loss = timed(lambda: epoch(torch, model, tx, ty, generator), repeats, clock)
                results[(name, threads, label)] = median
                print(f"torch {name:6s} {threads} thread{'s' if threads > 1 else ' '} ({label:10s}): median {median:7.1f} ms, best {best:7.1f} ms; last loss {loss:.4f}")
    if "--swift" not in sys.argv:
        return
    trainer = os.path.join(ROOT, ".build", "release", "trainer")
    if not os.path.exists(trainer):
        sys.exit(f"{trainer} is missing: WORKBOOK=Solutions swift build -c release --product trainer")
    print()
    print("model   threads  clock        Swift median ms   PyTorch median ms   Swift / PyTorch time")
    swift = {}
    for name in ("cnn", "resnet"):
        for threads, clock in ((1, "CPU time"), (1, "wall clock"), (2, "wall clock")):
            out = subprocess.run([trainer, "bench", "--part", name, "--threads", str(threads), "--epochs", str(repeats),
                                  "--clock", "cpu" if clock == "CPU time" else "wall"], capture_output=True, text=True, check=True).stdout
            if not swift:
                print("trainer: " + out.splitlines()[0])
            line = [l for l in out.splitlines() if "epoch on 1797 digits" in l][-1]
            key = (name, threads, clock)
            swift[key] = float(line.split("median ")[1].split(" ms")[0])
            print(f"{name:7s} {threads:7d}  {clock:10s}   {swift[key]:15.1f}   {results[key]:17.1f}   {swift[key] / results[key]:8.2f}x")
    for name in ("cnn", "resnet"):
        one, two = (name, 1, "wall clock"), (name, 2, "wall clock")
        print(f"{name}: 2 threads / 1 thread speed-up (wall clock): Swift x{swift[one] / swift[two]:.2f}, PyTorch x{results[one] / results[two]:.2f}")
    # The Swift ResNet's speed-up again, measured the way a noisy host allows: `trainer bench --part
    # speedup` times an epoch on one thread and then one on two, pair after pair in one process, so
    # both epochs of a pair see the same machine; each pair shows the CPU time the process got per
    # second of wall clock (near 2 only when both cores were free for it) and how fast its two cores
    # handed a cache line over before and after its two-thread epoch. On a virtual machine the host
    # may move the two cores onto different dies for seconds at a time (the hand-over then takes
    # several times longer, and so does every exchange of data between the threads), or onto the two
    # hyper-threads of one core (a faster hand-over, but one core's arithmetic for both threads).
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    print()
    out = subprocess.run([trainer, "bench", "--part", "speedup", "--epochs", str(rounds)],
                         capture_output=True, text=True, check=True).stdout
    print("\n".join(out.splitlines()[1:]))
    print(f"(load now {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; PyTorch above: "
          f"x{results[('resnet', 1, 'wall clock')] / results[('resnet', 2, 'wall clock')]:.2f})")


if __name__ == "__main__":
    main()
