#!/usr/bin/env python3
"""The worker pool's spin settings side by side: the Swift ResNet epoch on 1 thread and on 2 threads
with the default policy (spin while the caller has its core), with workers that sleep at once
(WORKBOOK_POOL_SPIN_US=0) and with a fixed 200 µs spin, in alternating rounds.

A development aid only (not shipped in the student release). Build first:

    WORKBOOK=Solutions swift build -c release --product trainer
    python3 Sources/TrainerKit/Reference/pool_spin.py [ROUNDS]            # both cores free
    python3 Sources/TrainerKit/Reference/pool_spin.py [ROUNDS] --busy     # one core kept busy by a shell loop
    WORKBOOK_GEMM_KERNEL=avx2 python3 Sources/TrainerKit/Reference/pool_spin.py [ROUNDS]

Each run is `trainer bench --part resnet --epochs 7 --clock wall` (its median epoch); each round runs
the four settings back to back, and a setting's speed-up is taken against the 1-thread run of the same
round, so a host that changes pace between rounds moves both sides.
"""
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SETTINGS = [("1 thread", 1, None), ("2 threads, default", 2, None),
            ("2 threads, sleep (SPIN_US=0)", 2, "0"), ("2 threads, spin 200 µs", 2, "200")]


def epoch(trainer, threads, spin):
    env = dict(os.environ)
    env.pop("WORKBOOK_POOL_SPIN_US", None)
    if spin is not None:
        env["WORKBOOK_POOL_SPIN_US"] = spin
    out = subprocess.run([trainer, "bench", "--part", "resnet", "--threads", str(threads), "--epochs", "7",
                          "--clock", "wall"], capture_output=True, text=True, check=True, env=env).stdout
    line = [l for l in out.splitlines() if "epoch on 1797 digits" in l][-1]
    return float(line.split("median ")[1].split(" ms")[0])


def main():
    trainer = os.path.join(ROOT, ".build", "release", "trainer")
    if not os.path.exists(trainer):
        sys.exit(f"{trainer} is missing: WORKBOOK=Solutions swift build -c release --product trainer")
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    rounds = int(numbers[0]) if numbers else 6
    busy = subprocess.Popen(["bash", "-c", "while :; do :; done"]) if "--busy" in sys.argv else None
    times = {name: [] for name, _, _ in SETTINGS}
    try:
        for r in range(rounds):
            load = os.getloadavg()[0]
            for name, threads, spin in SETTINGS:
                times[name].append(epoch(trainer, threads, spin))
            print(f"round {r + 1} (load {load:.2f}): " + ", ".join(f"{name} {times[name][-1]:.0f} ms" for name, _, _ in SETTINGS), flush=True)
    finally:
        if busy:
            busy.kill()
    one = times["1 thread"]
    print(f"ResNet epoch, {rounds} rounds{', one core busy' if busy else ''}:")
    for name, _, _ in SETTINGS:
        ratios = [a / b for a, b in zip(one, times[name])]
        print(f"  {name:30s} median {statistics.median(times[name]):6.1f} ms; speed-up over 1 thread in the same round: "
              f"median x{statistics.median(ratios):.2f} (x{min(ratios):.2f}-x{max(ratios):.2f})")


if __name__ == "__main__":
    main()
