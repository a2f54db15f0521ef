"""Fixed per-op cost of suanzi against torch, measured in the same run.

Small (10-element) tensors, so the time is almost all framework overhead:
Python dispatch, dtype promotion, Tensor creation, graph recording.

    python bench/overhead.py [--number 20000] [--repeat 7]

Prints one row per op with the best time per call (µs) of each library and
the ratio suanzi/torch. Timings are wall-clock and vary with the machine;
compare the ratio, which is measured under the same conditions.
"""
from __future__ import annotations

import argparse
import platform
import timeit

import numpy as np
import torch

import suanzi


def cases(lib):
    a = lib.ones(10)
    b = lib.ones(10)
    ag = lib.ones(10, requires_grad=True)
    bg = lib.ones(10, requires_grad=True)
    x = lib.ones(2, 5)
    return {
        "a + b": lambda: a + b,
        "a * 2.0": lambda: a * 2.0,
        "a.sum()": lambda: a.sum(),
        "a.view(2, 5)": lambda: a.view(2, 5),
        "a.exp()": lambda: a.exp(),
        "x[0]": lambda: x[0],
        "a + b (grad)": lambda: ag + bg,
        "a * b (grad)": lambda: ag * bg,
        "a.sum() (grad)": lambda: ag.sum(),
        "a.view(2, 5) (grad)": lambda: ag.view(2, 5),
        "(a * b).sum().backward()": lambda: (ag * bg).sum().backward(),
    }


def best_us(fn, number, repeat):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--number", type=int, default=20000)
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    torch.set_num_threads(1)
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"suanzi {suanzi.__version__}")
    t_cases, s_cases = cases(torch), cases(suanzi)
    print(f"{'op':28s} {'torch µs':>9s} {'suanzi µs':>10s} {'ratio':>6s}")
    ratios = []
    for name in t_cases:
        t = best_us(t_cases[name], args.number, args.repeat)
        s = best_us(s_cases[name], args.number, args.repeat)
        ratios.append(s / t)
        print(f"{name:28s} {t:9.2f} {s:10.2f} {s / t:6.2f}")
    print(f"{'geometric mean ratio':28s} {'':9s} {'':10s} {np.exp(np.mean(np.log(ratios))):6.2f}")


if __name__ == "__main__":
    main()
