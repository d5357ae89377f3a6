#!/usr/bin/python3
"""PyTorch reference timings for bench.ts: the same work as one of our loss steps.

A small server, so that bench.ts can time PyTorch right after each of its own
cells (the machine is shared and its speed drifts; adjacent measurements make
the ratios fair). It prints "ready torch <version>", then answers each line
"<kl|nll> <batch> <d> <min_time_s> <min_reps>" with the median ms per step.
One thread, float32, torch.distributions with validate_args=False.
"""
import json
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)


def rows(batch, d):
    """[mean | L row-major] rows with a well-conditioned lower factor."""
    m = torch.randn(batch, d)
    L = torch.tril(torch.randn(batch, d, d) * 0.3, -1) + torch.diag_embed(torch.rand(batch, d) + 0.5)
    return torch.cat([m, L.reshape(batch, d * d)], -1)


def unpack(y, d):
    return y[:, :d], torch.tril(y[:, d:].reshape(-1, d, d))


def step_kl(y_true, y_pred, d):
    y_pred = y_pred.detach().requires_grad_(True)
    mt, Lt = unpack(y_true, d)
    mp, Lp = unpack(y_pred, d)
    p = torch.distributions.MultivariateNormal(mt, scale_tril=Lt, validate_args=False)
    q = torch.distributions.MultivariateNormal(mp, scale_tril=Lp, validate_args=False)
    loss = torch.distributions.kl_divergence(p, q).mean()
    loss.backward()
    return loss.item(), y_pred.grad


def step_nll(x, y_pred, d):
    y_pred = y_pred.detach().requires_grad_(True)
    mp, Lp = unpack(y_pred, d)
    q = torch.distributions.MultivariateNormal(mp, scale_tril=Lp, validate_args=False)
    loss = (-q.log_prob(x)).mean()
    loss.backward()
    return loss.item(), y_pred.grad


def median_ms(f, min_time=0.4, min_reps=15):
    for _ in range(3):
        f()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    print('ready torch', torch.__version__, flush=True)
    for line in sys.stdin:
        kind, batch, d, min_time, min_reps = line.split()
        batch, d = int(batch), int(d)
        yt, yp = rows(batch, d), rows(batch, d)
        x = torch.randn(batch, d)
        if kind == 'kl':
            ms = median_ms(lambda: step_kl(yt, yp, d), float(min_time), int(min_reps))
        else:
            ms = median_ms(lambda: step_nll(x, yp, d), float(min_time), int(min_reps))
        print(json.dumps(ms), flush=True)


if __name__ == '__main__':
    main()
