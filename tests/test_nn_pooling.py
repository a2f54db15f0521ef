"""Pooling parity with torch: max/avg pooling sweeps (shapes, divisors,
indices, gradients), ties and NaN, adaptive pooling, unpooling, Lp pooling,
errors, module reprs and the lesson's pooling blocks."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_module, check_raises, randn

RNG = np.random.default_rng(1234)


def _libF(lib):
    return lib.nn.functional


def _window_cases(nd, n, dilation=True, seed=0):
    """``n`` random (size, k, s, p, d) per-dim tuples with p <= k // 2 and the
    output size >= 1 (so torch accepts them)."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        size = tuple(int(v) for v in rng.integers(1, 9, nd))
        k = tuple(int(v) for v in rng.integers(1, 5, nd))
        s = tuple(int(v) for v in rng.integers(1, 4, nd))
        p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
        d = tuple(int(v) for v in rng.integers(1, 3, nd)) if dilation else (1,) * nd
        ceil = bool(rng.integers(0, 2))
        ok = all((sz + 2 * pp - dd * (kk - 1) - 1) >= 0 and
                 _every_window_reads_input(sz, kk, ss, pp, dd, ceil)
                 for sz, kk, ss, pp, dd in zip(size, k, s, p, d))
        if ok:
            out.append((size, k, s, p, d, ceil))
    return out


def _every_window_reads_input(n, k, s, p, d, ceil):
    """False for the degenerate dilated windows whose every sample is padding:
    torch returns -inf there with an index past the plane, and its backward
    then writes into the neighbouring plane (a torch bug not reproduced)."""
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return all(any(0 <= o * s - p + j * d < n for j in range(k)) for o in range(out))


def _all_1d_cases(dilations=(1, 2)):
    for n, k, s, d, ceil in itertools.product(range(1, 9), range(1, 5), range(1, 4), dilations,
                                              (False, True)):
        for p in range(0, k // 2 + 1):
            if n + 2 * p - d * (k - 1) - 1 >= 0 and _every_window_reads_input(n, k, s, p, d,
                                                                               ceil):
                yield n, k, s, p, d, ceil


# ------------------------------------------------------------ max pool sweeps
def test_max_pool1d_full_sweep():
    """Every (in, k, s, p, d, ceil) of the spec's grid: values, indices, gradients."""
    count = 0
    for n, k, s, p, d, ceil in _all_1d_cases():
        x = randn(2, 3, n)
        check(lambda lib, x: _libF(lib).max_pool1d(x, k, s, p, d, ceil_mode=ceil,
                                                   return_indices=True), x)
        count += 1
    assert count > 500


def test_max_pool_window_all_padding():
    """A dilated window that reads only padding: -inf and torch's index."""
    check(lambda lib, x: _libF(lib).max_pool1d(x, 2, 1, 1, 2, return_indices=True),
          randn(1, 1, 1), grad=False)


def test_avg_pool1d_full_sweep():
    count = 0
    for n, k, s, p, _, ceil in _all_1d_cases(dilations=(1,)):
        for cip in (True, False):
            x = randn(2, n)  # unbatched (C, L)
            check(lambda lib, x: _libF(lib).avg_pool1d(x, k, s, p, ceil, cip), x)
            count += 1
    assert count > 300


@pytest.mark.parametrize("seed", range(4))
def test_max_pool2d_sweep(seed):
    for size, k, s, p, d, ceil in _window_cases(2, 60, seed=seed):
        x = randn(2, 2, *size)
        check(lambda lib, x: _libF(lib).max_pool2d(x, k, s, p, d, ceil_mode=ceil,
                                                   return_indices=True), x)
        check(lambda lib, x: _libF(lib).max_pool2d(x, k, s, p, d, ceil), x[0])  # unbatched


@pytest.mark.parametrize("seed", range(4))
def test_avg_pool2d_sweep(seed):
    rng = np.random.default_rng(100 + seed)
    for size, k, s, p, _, ceil in _window_cases(2, 60, dilation=False, seed=10 + seed):
        cip = bool(rng.integers(0, 2))
        div = [None, None, 1, 3, 7][int(rng.integers(0, 5))]
        x = randn(2, 3, *size)
        check(lambda lib, x: _libF(lib).avg_pool2d(x, k, s, p, ceil, cip, div), x)


def test_pool3d_cases():
    for size, k, s, p, d, ceil in _window_cases(3, 25, seed=7):
        x = randn(2, 2, *size)
        check(lambda lib, x: _libF(lib).max_pool3d(x, k, s, p, d, ceil_mode=ceil,
                                                   return_indices=True), x)
    for size, k, s, p, _, ceil in _window_cases(3, 25, dilation=False, seed=8):
        x = randn(1, 2, *size)
        for cip, div in ((True, None), (False, None), (True, 5)):
            fn = (lambda lib, x: _libF(lib).avg_pool3d(x, k, s, p, ceil, cip, div))
            if all(n >= kk for n, kk in zip(size, k)):
                check(fn, x)
            else:  # avg_pool3d also requires the unpadded input to hold the kernel
                check_raises(fn, x)
    check(lambda lib, x: _libF(lib).max_pool3d(x, 2), randn(2, 4, 4, 4))  # unbatched


def test_shape_rule_examples():
    # spec §3: (in=5, k=2, s=2, p=1, ceil) -> 3; (in=4, k=2, s=2, p=1) -> 3 either way
    for n, ceil in ((5, True), (4, False), (4, True)):
        x = randn(1, 1, n)
        s, t = check(lambda lib, x: _libF(lib).max_pool1d(x, 2, 2, 1, ceil_mode=ceil), x)
        assert s.shape[-1] == 3


def test_avg_divisor_examples():
    ones3 = np.ones((1, 1, 3, 3), np.float32)
    s, _ = check(lambda lib, x: _libF(lib).avg_pool2d(x, 3, 2, 1), ones3)
    np.testing.assert_allclose(s.detach().numpy(), 4 / 9, rtol=1e-6)
    check(lambda lib, x: _libF(lib).avg_pool2d(x, 3, 2, 1, count_include_pad=False), ones3)
    check(lambda lib, x: _libF(lib).avg_pool2d(x, 2, ceil_mode=True), np.ones((1, 1, 5, 5),
                                                                              np.float32))
    check(lambda lib, x: _libF(lib).avg_pool2d(x, 3, 2, 1, ceil_mode=True),
          randn(1, 1, 4, 4))


def test_max_pool_ties_first_wins():
    x = np.ones((1, 2, 5, 5), np.float32)
    s, t = check(lambda lib, x: _libF(lib).max_pool2d(x, 3, 1, 1, return_indices=True), x)
    # rounded values: many ties in every window
    x = RNG.integers(0, 3, (2, 3, 7, 6)).astype(np.float32)
    for k, st, p, d in ((2, 1, 0, 1), (3, 2, 1, 1), (3, 1, 1, 2), (2, 2, 1, 1)):
        check(lambda lib, x: _libF(lib).max_pool2d(x, k, st, p, d, return_indices=True), x)
        check(lambda lib, x: _libF(lib).max_pool1d(x, k, st, p, d, return_indices=True),
              x.reshape(6, 7, 6))


def test_max_pool_nan_and_inf():
    x = randn(2, 2, 6, 7)
    x[0, 0, 1, 2] = np.nan
    x[0, 0, 1, 3] = np.nan
    x[1, 1, 4, 4] = np.nan
    x[1, 0] = -np.inf
    for k, s, p, d, ceil in ((2, 1, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False)):
        check(lambda lib, x: _libF(lib).max_pool2d(x, k, s, p, d, ceil, return_indices=True), x)
        check(lambda lib, x: _libF(lib).max_pool2d(x, k, s, p, d, ceil), x)
    y = np.array([[[1., np.nan, 3, np.nan, 2, 1]]], np.float32)
    check(lambda lib, x: _libF(lib).max_pool1d(x, 3, 1, return_indices=True), y)


def test_max_pool_integer_and_float64():
    xi = RNG.integers(-50, 50, (2, 3, 6, 5))
    for dt in (np.int64, np.int32, np.uint8):
        check(lambda lib, x: _libF(lib).max_pool2d(x, 2, 1, 1, return_indices=True),
              np.abs(xi).astype(dt) if dt == np.uint8 else xi.astype(dt))
    check(lambda lib, x: _libF(lib).max_pool2d(x, 3, 2, 1), randn(2, 3, 7, 7, dtype=np.float64))


def test_avg_pool_integer_truncates():
    x = (np.arange(32).reshape(2, 4, 4) - 9).astype(np.int64)
    check(lambda lib, x: _libF(lib).avg_pool2d(x, 3, 1, 1), x)


def test_max_pool_overlapping_gradient_accumulates():
    x = np.zeros((1, 1, 5, 5), np.float32)
    x[0, 0, 2, 2] = 1.0  # the max of all nine 3x3 windows (stride 1, padding 1)
    s, t = check(lambda lib, x: _libF(lib).max_pool2d(x, 3, 1, 1), x)


@pytest.mark.parametrize("shape,kw", [
    ((3, 70, 40, 37), dict(kernel_size=3, stride=2, padding=1)),  # several blocks + a partial one
    ((2, 5, 33, 31), dict(kernel_size=(3, 4), stride=1, padding=(1, 2), dilation=(2, 1))),
    ((2, 3, 30, 29), dict(kernel_size=2, stride=2, ceil_mode=True)),  # no overlap, partial edge
])
def test_max_pool2d_backward_scatter_blocks(shape, kw):
    # the backward scatters flat indices a block of planes at a time: block
    # edges, dilation, overlap and ceil-mode edges must route like torch
    x = RNG.standard_normal(shape).astype(np.float32)
    x[0, 0, :4, :4] = -np.inf
    x[1, 1, 5:7, 5:7] = 2.0  # ties
    for return_indices in (False, True):
        check(lambda lib, x: _libF(lib).max_pool2d(x, return_indices=return_indices, **kw), x,
              grad_rtol=0, grad_atol=1e-6)


def test_max_pool_backward_scatter_1d_3d():
    x1 = RNG.standard_normal((4, 6, 50)).astype(np.float32)
    check(lambda lib, x: _libF(lib).max_pool1d(x, 4, 1, 2, 2), x1, grad_rtol=0, grad_atol=1e-6)
    x3 = RNG.standard_normal((2, 3, 9, 10, 11)).astype(np.float32)
    check(lambda lib, x: _libF(lib).max_pool3d(x, 3, (1, 2, 2), 1), x3, grad_rtol=0,
          grad_atol=1e-6)


def test_pool_stride_none_and_empty_list():
    x = randn(2, 3, 8, 8)
    check(lambda lib, x: _libF(lib).max_pool2d(x, 2, None), x)
    check(lambda lib, x: _libF(lib).avg_pool2d(x, (2, 3), stride=None), x)
    check(lambda lib, x: _libF(lib).max_pool2d(x, (3, 2), stride=[]), x)


def test_pool_empty_batch():
    check(lambda lib, x: _libF(lib).max_pool2d(x, 2), randn(0, 2, 4, 4), grad=False)
    check(lambda lib, x: _libF(lib).avg_pool2d(x, 2), randn(0, 2, 4, 4), grad=False)


def test_pool_noncontiguous_input():
    x = randn(3, 2, 9, 8)
    check(lambda lib, x: _libF(lib).max_pool2d(x.transpose(2, 3), 3, 2, 1,
                                               return_indices=True), x)
    check(lambda lib, x: _libF(lib).avg_pool2d(x[:, :, ::2], 2, 1), x)


# ------------------------------------------------------------ adaptive
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_adaptive_pools(nd):
    sizes = {1: [(5,), (8,), (1,), (7,)], 2: [(5, 7), (8, 9), (3, 1)], 3: [(4, 5, 3)]}[nd]
    outs = {1: [3, 1, 5, (4,)], 2: [(5, 7), 7, (None, 3), (3, None), 1, (2, 5), (1, 3)],
            3: [2, (None, 2, 4), (3, 5, 1)]}[nd]
    F = f"adaptive_avg_pool{nd}d"
    M = f"adaptive_max_pool{nd}d"
    for size in sizes:
        for o in outs:
            x = randn(2, 3, *size)
            check(lambda lib, x: getattr(_libF(lib), F)(x, o), x)
            check(lambda lib, x: getattr(_libF(lib), M)(x, o, True), x)
            check(lambda lib, x: getattr(_libF(lib), M)(x, o), x[0])  # unbatched


def test_adaptive_examples_from_spec():
    check(lambda lib, x: _libF(lib).adaptive_avg_pool1d(x, 3), randn(1, 2, 5))
    check(lambda lib, x: _libF(lib).adaptive_avg_pool1d(x, 5), randn(1, 2, 2))
    check(lambda lib, x: _libF(lib).adaptive_avg_pool2d(x, (0, 2)), randn(1, 4, 4), grad=False)


def test_adaptive_max_ties_and_nan():
    x = RNG.integers(0, 2, (2, 3, 7, 5)).astype(np.float32)
    check(lambda lib, x: _libF(lib).adaptive_max_pool2d(x, (3, 2), return_indices=True), x)
    x = randn(1, 2, 6, 6)
    x[0, 0, 1, 1] = x[0, 0, 0, 2] = x[0, 1, 5, 5] = np.nan
    check(lambda lib, x: _libF(lib).adaptive_max_pool2d(x, (4, 3), return_indices=True), x)
    check(lambda lib, x: _libF(lib).adaptive_max_pool1d(x, 4, return_indices=True), x[0])


def test_adaptive_float64_and_global():
    check(lambda lib, x: _libF(lib).adaptive_avg_pool2d(x, 1), randn(4, 5, 7, 6,
                                                                        dtype=np.float64))
    check(lambda lib, x: _libF(lib).adaptive_avg_pool2d(x, (3, 4)),
          randn(2, 3, 10, 9, dtype=np.float64), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------ unpool, lp
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_roundtrip(nd):
    def fn(lib, x):
        F = _libF(lib)
        out, idx = getattr(F, f"max_pool{nd}d")(x, 2, 2, return_indices=True)
        a = getattr(F, f"max_unpool{nd}d")(out, idx, 2, 2, output_size=x.shape)
        if all(n % 2 == 0 for n in x.shape[2:]):
            return a, getattr(F, f"max_unpool{nd}d")(out, idx, 2)
        return a
    for size in ({1: (9,), 2: (6, 7), 3: (4, 5, 4)}[nd], {1: (8,), 2: (6, 4), 3: (4, 2, 4)}[nd]):
        check(fn, randn(2, 2, *size))
    check(lambda lib, x: getattr(_libF(lib), f"max_unpool{nd}d")(
        *getattr(_libF(lib), f"max_pool{nd}d")(x, 3, 1, 1, return_indices=True), 3, 1, 1),
        randn(3, *({1: (6,), 2: (4, 5), 3: (3, 4, 3)}[nd])))  # unbatched, overlapping


def test_max_unpool_modules_and_errors():
    x = randn(1, 1, 4, 4)

    def fn(lib, x):
        pool = lib.nn.MaxPool2d(2, stride=2, return_indices=True)
        unpool = lib.nn.MaxUnpool2d(2, stride=2)
        out, idx = pool(x)
        return unpool(out, idx), unpool(out, idx, output_size=(1, 1, 5, 5))
    check(fn, x)
    check_raises(lambda lib, x: _libF(lib).max_unpool2d(
        *_libF(lib).max_pool2d(x, 2, return_indices=True), 2, output_size=(9, 9)), x)
    check_raises(lambda lib, x, i: _libF(lib).max_unpool2d(x, i, 2),
                 randn(1, 1, 2, 2), np.full((1, 1, 2, 2), 99, np.int64))


@pytest.mark.parametrize("nd", [1, 2])
def test_lp_pool(nd):
    size = {1: (9,), 2: (7, 6)}[nd]
    x = randn(2, 3, *size)
    for p, k, s, ceil in ((2, 3, None, False), (1.5, 2, 1, True), (3, 2, 2, False),
                          (float("inf"), 2, 1, False)):
        xx = np.abs(x) + 0.1 if p == 1.5 else x
        check(lambda lib, x: getattr(_libF(lib), f"lp_pool{nd}d")(x, p, k, s, ceil), xx,
              rtol=1e-4, atol=1e-5)
    check_module(lambda lib: getattr(lib.nn, f"LPPool{nd}d")(2, 2), x, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------ modules
def test_modules_parity():
    x2 = randn(2, 3, 9, 8)
    check_module(lambda lib: lib.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), x2)
    check_module(lambda lib: lib.nn.MaxPool2d(2, return_indices=True), x2)
    check_module(lambda lib: lib.nn.AvgPool2d((3, 2), stride=(2, 1), padding=(1, 0),
                                              count_include_pad=False), x2)
    check_module(lambda lib: lib.nn.AvgPool2d(3, divisor_override=4), x2)
    check_module(lambda lib: lib.nn.MaxPool1d(3, stride=2, dilation=2), x2[0])
    check_module(lambda lib: lib.nn.AvgPool1d(3, stride=2, padding=1, ceil_mode=True), x2[0])
    check_module(lambda lib: lib.nn.MaxPool3d(2, stride=1, padding=1), randn(1, 2, 3, 4, 5))
    check_module(lambda lib: lib.nn.AvgPool3d(2, stride=1, padding=1), randn(1, 2, 3, 4, 5))
    check_module(lambda lib: lib.nn.AdaptiveAvgPool2d((None, 3)), x2)
    check_module(lambda lib: lib.nn.AdaptiveMaxPool2d((4, 3), return_indices=True), x2)
    check_module(lambda lib: lib.nn.AdaptiveAvgPool1d(5), x2[0])
    check_module(lambda lib: lib.nn.AdaptiveMaxPool1d(5), x2[0])
    check_module(lambda lib: lib.nn.AdaptiveAvgPool3d(2), randn(1, 2, 3, 4, 5))
    check_module(lambda lib: lib.nn.AdaptiveMaxPool3d((2, None, 3)), randn(1, 2, 3, 4, 5))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.MaxPool2d(3, stride=2),
    lambda lib: lib.nn.MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=2, ceil_mode=True),
    lambda lib: lib.nn.MaxPool1d(3),
    lambda lib: lib.nn.MaxPool3d(2, return_indices=True),
    lambda lib: lib.nn.AvgPool1d(3, 2, 1),
    lambda lib: lib.nn.AvgPool2d(3, stride=2),
    lambda lib: lib.nn.AvgPool2d((3, 2), stride=(2, 1), divisor_override=3),
    lambda lib: lib.nn.AvgPool3d(2, ceil_mode=True),
    lambda lib: lib.nn.MaxUnpool1d(2),
    lambda lib: lib.nn.MaxUnpool2d(2, stride=1, padding=1),
    lambda lib: lib.nn.MaxUnpool3d((2, 1, 2)),
    lambda lib: lib.nn.LPPool1d(2, 3),
    lambda lib: lib.nn.LPPool2d(1.5, (3, 2), stride=2, ceil_mode=True),
    lambda lib: lib.nn.AdaptiveAvgPool1d(5),
    lambda lib: lib.nn.AdaptiveAvgPool2d((5, None)),
    lambda lib: lib.nn.AdaptiveAvgPool3d(1),
    lambda lib: lib.nn.AdaptiveMaxPool1d(3, return_indices=True),
    lambda lib: lib.nn.AdaptiveMaxPool2d((None, 7)),
    lambda lib: lib.nn.AdaptiveMaxPool3d(2),
])
def test_module_repr(make):
    assert repr(make(suanzi)) == repr(make(torch))


# ------------------------------------------------------------ errors
@pytest.mark.parametrize("fn,shape", [
    (lambda F, x: F.max_pool2d(x, 3), (3, 2, 2)),  # output size too small
    (lambda F, x: F.max_pool2d(x, 1), (2, 2)),  # rank
    (lambda F, x: F.max_pool2d(x, 2, padding=2), (1, 4, 4)),
    (lambda F, x: F.max_pool2d(x, 3, dilation=2, padding=2), (1, 4, 4)),
    (lambda F, x: F.max_pool2d(x, 2, 0), (1, 4, 4)),
    (lambda F, x: F.max_pool2d(x, 0), (1, 4, 4)),
    (lambda F, x: F.max_pool2d(x, (2, 2, 2)), (1, 4, 4)),
    (lambda F, x: F.max_pool1d(x, 2, padding=-1), (1, 4, 4)),
    (lambda F, x: F.max_pool2d(x, 1), (1, 0, 4)),
    (lambda F, x: F.max_pool3d(x, 2), (2, 4, 4)),
    (lambda F, x: F.max_pool2d(x, 2, dilation=0), (1, 4, 4)),
    (lambda F, x: F.avg_pool2d(x, 2, divisor_override=0), (1, 4, 4)),
    (lambda F, x: F.avg_pool2d(x, 2), (1, 1, 4)),
    (lambda F, x: F.avg_pool2d(x, 3, padding=2), (1, 6, 6)),
    (lambda F, x: F.avg_pool1d(x, 2), (4,)),
    (lambda F, x: F.adaptive_avg_pool2d(x, 2), (4, 4)),
    (lambda F, x: F.adaptive_max_pool2d(x, 2), (4, 4)),
    (lambda F, x: F.adaptive_max_pool2d(x, (2, 2)), (1, 4, 0)),
    (lambda F, x: F.adaptive_avg_pool2d(x, (2, 2, 2)), (1, 4, 4)),
    (lambda F, x: F.adaptive_avg_pool1d(x, -1), (1, 4)),
    (lambda F, x: F.adaptive_avg_pool1d(x, (None,)), (1, 4)),
    (lambda F, x: F.adaptive_max_pool1d(x, (None,)), (1, 4)),
])
def test_errors(fn, shape):
    check_raises(lambda lib, x: fn(_libF(lib), x), randn(*shape))


def test_dtype_errors():
    check_raises(lambda lib, x: _libF(lib).adaptive_avg_pool2d(x, 2),
                 np.ones((1, 4, 4), np.int64))
    check_raises(lambda lib, x: _libF(lib).max_pool2d(x, 2), [1, 2])  # not a tensor


# ------------------------------------------------------------ gradcheck
def test_gradcheck_float64():
    from suanzi.autograd import gradcheck

    F = suanzi.nn.functional
    # distinct values so that max pooling is differentiable at the point
    x = suanzi.from_numpy(RNG.permutation(75).reshape(1, 3, 5, 5).astype(np.float64) / 10)
    x.requires_grad_(True)
    assert gradcheck(lambda x: F.max_pool2d(x, 3, 1, 1), (x,))
    assert gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                            count_include_pad=False), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, (3, 4)), (x,))
    assert gradcheck(lambda x: F.adaptive_max_pool2d(x, (3, 2)), (x,))
    assert gradcheck(lambda x: F.lp_pool2d(x + 1, 2, 2), (x,))


def test_grad_fn_names():
    x = suanzi.from_numpy(randn(1, 1, 4, 4)).requires_grad_(True)
    t = torch.from_numpy(randn(1, 1, 4, 4)).requires_grad_(True)
    for name in ("max_pool2d", "avg_pool2d"):
        s_name = getattr(suanzi.nn.functional, name)(x, 2).grad_fn.name()
        t_name = getattr(torch.nn.functional, name)(t, 2).grad_fn.name()
        assert s_name == t_name
