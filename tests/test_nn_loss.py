"""Losses (issue §8): functional and module forms against torch — values,
dtypes, gradients w.r.t. input (and target where torch differentiates),
every option, the legacy size_average/reduce mapping, errors, warnings,
reprs and state_dict keys, float64 gradchecks."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_module, check_raises, randn

RNG = np.random.default_rng(123)
REDUCTIONS = ("none", "mean", "sum")


def F(lib):
    return lib.nn.functional


def targets(shape, C, ignore=None, frac=0.3):
    t = RNG.integers(0, C, size=shape).astype(np.int64)
    if ignore is not None and t.size:
        m = RNG.random(shape) < frac
        t[m] = ignore
    return np.asarray(t)


def probs(*shape, axis=1):
    p = RNG.random(shape).astype(np.float32) + 0.05
    return np.asarray(p / p.sum(axis=axis, keepdims=True))


def unit(*shape, dtype=np.float32):
    return np.asarray(RNG.uniform(0.02, 0.98, size=shape).astype(dtype))


def wts(n, dtype=np.float32):
    return np.asarray(RNG.uniform(0.2, 2.0, size=n).astype(dtype))


# ------------------------------------------------------------ cross entropy
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1])
@pytest.mark.parametrize("ls", [0.0, 0.25])
def test_cross_entropy_class_indices(reduction, weighted, ignore_index, ls):
    x = randn(6, 5)
    t = targets((6,), 5, ignore=ignore_index)
    w = wts(5) if weighted else None
    check(lambda lib, x, t, w: F(lib).cross_entropy(
        x, t, weight=w, ignore_index=ignore_index, reduction=reduction, label_smoothing=ls),
        x, t, w, requires_grad=[True, False, False])


@pytest.mark.parametrize("shape", [(2, 4, 3), (2, 3, 4, 5), (2, 3, 2, 2, 3), (1, 4, 1)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [dict(), dict(weight=True, ignore_index=0),
                                  dict(label_smoothing=0.1, weight=True, ignore_index=2)])
def test_cross_entropy_nd(shape, reduction, opts):
    C = shape[1]
    x = randn(*shape)
    ignore = opts.get("ignore_index", -100)
    t = targets((shape[0],) + shape[2:], C, ignore=ignore if ignore >= 0 else None)
    w = wts(C) if opts.get("weight") else None
    ls = opts.get("label_smoothing", 0.0)
    check(lambda lib, x, t, w: F(lib).cross_entropy(
        x, t, weight=w, ignore_index=ignore, reduction=reduction, label_smoothing=ls),
        x, t, w, requires_grad=[True, False, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ls", [0.0, 0.3])
@pytest.mark.parametrize("tshape", [(), (1,)])
def test_cross_entropy_unbatched(reduction, ls, tshape):
    x = randn(5)
    t = np.asarray(np.array(3, dtype=np.int64).reshape(tshape))
    if tshape == (1,) and ls > 0:  # torch can't broadcast its smoothing term here
        check_raises(lambda lib, x, t: F(lib).cross_entropy(x, t, reduction=reduction,
                                                            label_smoothing=ls), x, t)
        return
    # torch's own backward fails for a (1,) target ("size mismatch")
    grad = tshape == ()
    check(lambda lib, x, t: F(lib).cross_entropy(x, t, reduction=reduction, label_smoothing=ls),
          x, t, grad=grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ls", [0.0, 0.2])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2), (5,)])
def test_cross_entropy_probabilities(reduction, weighted, ls, shape):
    axis = 0 if len(shape) == 1 else 1
    x = randn(*shape)
    p = probs(*shape, axis=axis)
    w = wts(shape[axis]) if weighted else None
    # torch differentiates w.r.t. the probability targets too
    check(lambda lib, x, p, w: F(lib).cross_entropy(x, p, weight=w, reduction=reduction,
                                                    label_smoothing=ls),
          x, p, w, requires_grad=[True, True, False])


def test_cross_entropy_probabilities_promotes():
    x = randn(3, 4)
    p = probs(3, 4).astype(np.float64)
    check(lambda lib, x, p: F(lib).cross_entropy(x, p), x, p)
    check(lambda lib, x, p: F(lib).cross_entropy(x, p),
          x.astype(np.float64), p.astype(np.float32))


def test_cross_entropy_uint8_targets_and_dtypes():
    x = randn(4, 3)
    t = np.asarray(np.array([0, 2, 1, 2], dtype=np.uint8))
    check(lambda lib, x, t: F(lib).cross_entropy(x, t), x, t)
    check(lambda lib, x, t: F(lib).cross_entropy(x, t), x.astype(np.float64),
          t.astype(np.int64))
    check(lambda lib, x, t: F(lib).cross_entropy(x, t, label_smoothing=0.1),
          x.astype(np.float16), t.astype(np.int64), rtol=2e-3, atol=2e-3)


def test_cross_entropy_stable_large_logits():
    x = np.asarray(np.array([[1000.0, -1000.0, 0.0], [-5e4, 5e4, 4.9e4]], np.float32))
    t = np.asarray(np.array([1, 2]))
    check(lambda lib, x, t: F(lib).cross_entropy(x, t), x, t)
    check(lambda lib, x, t: F(lib).cross_entropy(x, t, reduction="none", label_smoothing=0.3),
          x, t)


def test_cross_entropy_all_ignored_and_empty():
    x = randn(3, 4)
    t = np.asarray(np.full(3, -100, np.int64))
    for ls in (0.0, 0.2):
        check(lambda lib, x, t: F(lib).cross_entropy(x, t, label_smoothing=ls), x, t)
    e = randn(0, 4)
    te = np.asarray(np.zeros(0, np.int64))
    for red in REDUCTIONS:
        check(lambda lib, x, t: F(lib).cross_entropy(x, t, reduction=red), e, te)
    check(lambda lib, x, t: F(lib).cross_entropy(x, t), e, randn(0, 4))


def test_cross_entropy_ignore_index_out_of_range_value():
    x = randn(3, 4)
    t = np.asarray(np.array([0, 7, 2]))
    check(lambda lib, x, t: F(lib).cross_entropy(x, t, ignore_index=7), x, t)
    check(lambda lib, x, t: F(lib).cross_entropy(x, t, ignore_index=7, label_smoothing=0.2,
                                                 reduction="none"), x, t)
    t2 = np.asarray(np.array([0, -1, 2]))
    check(lambda lib, x, t: F(lib).cross_entropy(x, t, ignore_index=-1), x, t2)


def test_cross_entropy_negative_label_smoothing_is_none():
    x, t = randn(3, 4), targets((3,), 4)
    check(lambda lib, x, t: F(lib).cross_entropy(x, t, label_smoothing=-0.1), x, t)


def test_cross_entropy_legacy_args():
    x, t = randn(4, 3), targets((4,), 3)
    for sa, red in itertools.product([None, True, False], [None, True, False]):
        if sa is None and red is None:
            continue
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            check(lambda lib, x, t: F(lib).cross_entropy(x, t, size_average=sa, reduce=red),
                  x, t)
        assert any("size_average and reduce args will be deprecated" in str(r.message)
                   for r in rec)


def test_cross_entropy_errors():
    x = randn(3, 4)
    t = targets((3,), 4)
    ce = lambda **kw: (lambda lib, x, t: F(lib).cross_entropy(x, t, **kw))  # noqa: E731
    check_raises(ce(), x, t.astype(np.int32))
    check_raises(ce(), x, t.astype(np.float32))
    check_raises(ce(), x, np.asarray(np.array([0, 1, 4])))
    check_raises(ce(), x, np.asarray(np.array([0, 1, -1])))
    check_raises(ce(label_smoothing=0.1), x, np.asarray(np.array([0, 1, 4])))
    check_raises(ce(), x, targets((2,), 4))
    check_raises(ce(), x, targets((3, 5), 4))
    check_raises(ce(), randn(2, 3, 4), targets((2, 3), 3))
    check_raises(ce(), randn(2, 3, 4, 5), targets((2, 4), 3))
    check_raises(ce(), randn(2, 3, 4, 5), targets((2, 4, 6), 3))
    check_raises(ce(), x.astype(np.int64), t)
    check_raises(ce(label_smoothing=1.5), x, t)
    check_raises(ce(reduction="foo"), x, t)
    check_raises(ce(), x, randn(3, 4).astype(np.int64))
    check_raises(ce(ignore_index=1), x, probs(3, 4))
    check_raises(ce(), randn(5), np.asarray(np.array([1, 2])))
    check_raises(lambda lib, x, t: F(lib).cross_entropy(x, t, weight=lib.ones(3)), x, t)
    check_raises(lambda lib, x, t: F(lib).cross_entropy(x, t, weight=lib.ones(4).double()),
                 x, t)
    check_raises(lambda lib, x, t: F(lib).cross_entropy(x, t, weight=lib.ones(4, 1)), x, t)
    check_raises(lambda lib, x, t: F(lib).cross_entropy(x, t, weight=lib.ones(5)), x,
                 probs(3, 4))
    check_raises(lambda lib, x, t: F(lib).cross_entropy(x.tolist(), t), x, t)
    check_raises(lambda lib, x, t: F(lib).cross_entropy(x, t.tolist()), x, t)


def test_weight_requiring_grad_is_refused():
    x, t = randn(3, 4), targets((3,), 4)
    for fn in ("cross_entropy", "nll_loss"):
        check_raises(lambda lib, x, t, w: getattr(F(lib), fn)(x, t, weight=w.requires_grad_()),
                     x, t, wts(4))
    check_raises(lambda lib, x, t, w: F(lib).binary_cross_entropy(
        x, t, weight=w.requires_grad_()), unit(3, 4), unit(3, 4), unit(3, 4))


def test_cross_entropy_bfloat16():
    x, t = randn(4, 5), targets((4,), 5)
    check(lambda lib, x, t: F(lib).cross_entropy(x.to(lib.bfloat16), t, label_smoothing=0.1),
          x, t, rtol=1e-2, atol=1e-2)


def test_cross_entropy_gradcheck():
    x = suanzi.from_numpy(randn(3, 4, dtype=np.float64)).requires_grad_()
    t = suanzi.tensor([0, 3, 1])
    w = suanzi.from_numpy(wts(4, np.float64))
    for ls in (0.0, 0.3):
        for red in REDUCTIONS:
            assert suanzi.autograd.gradcheck(
                lambda x: suanzi.nn.functional.cross_entropy(
                    x, t, weight=w, reduction=red, label_smoothing=ls, ignore_index=1), (x,))
    p = suanzi.from_numpy(probs(3, 4).astype(np.float64)).requires_grad_()
    assert suanzi.autograd.gradcheck(
        lambda x, p: suanzi.nn.functional.cross_entropy(x, p, weight=w, label_smoothing=0.2),
        (x, p))


def test_cross_entropy_grad_fn_and_backward_twice():
    x = suanzi.from_numpy(randn(3, 4)).requires_grad_()
    t = suanzi.tensor([0, 3, 1])
    loss = suanzi.nn.functional.cross_entropy(x, t)
    assert loss.grad_fn is not None
    loss.backward(retain_graph=True)
    g1 = x.grad.clone()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * g1.numpy(), rtol=1e-6)


# ------------------------------------------------------------------ nll
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 2])
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3), (2, 4, 3, 2), (4,)])
def test_nll_loss(reduction, weighted, ignore_index, shape):
    C = shape[0] if len(shape) == 1 else shape[1]
    x = randn(*shape)
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = targets(tshape, C, ignore=ignore_index if ignore_index >= 0 else None)
    w = wts(C) if weighted else None
    check(lambda lib, x, t, w: F(lib).nll_loss(x, t, weight=w, ignore_index=ignore_index,
                                               reduction=reduction),
          x, t, w, requires_grad=[True, False, False])


def test_nll_loss_errors_and_double_backward():
    x = randn(3, 4)
    check_raises(lambda lib, x, t: F(lib).nll_loss(x, t), x, np.asarray(np.array([0, 1, 4])))
    check_raises(lambda lib, x, t: F(lib).nll_loss(x, t), x, targets((3,), 4).astype(np.int32))
    check_raises(lambda lib, x, t: F(lib).nll_loss(x, t), np.asarray(np.float32(1.0)),
                 np.asarray(np.int64(0)))
    check_raises(lambda lib, x, t: F(lib).nll_loss(x, t), x, np.asarray(np.int64(0)))
    check_raises(lambda lib, x, t: F(lib).nll_loss(x, t), randn(2, 3, 4, 5),
                 targets((2, 4, 6), 3))
    check_raises(lambda lib, x, t: F(lib).nll_loss(x, t, weight=lib.ones(5)), x,
                 targets((3,), 4))
    check_raises(lambda lib, x, t: F(lib).nll_loss(x, t, reduction="batchmean"), x,
                 targets((3,), 4))
    # the backward is built from differentiable ops: double backward works
    check(lambda lib, x, t: lib.autograd.grad(F(lib).nll_loss(x * x, t, reduction="sum"), x,
                                              create_graph=True)[0],
          x, targets((3,), 4), requires_grad=[True, False])


# ------------------------------------------------------------ regression
POINTWISE = {
    "mse_loss": lambda lib, x, t, **kw: F(lib).mse_loss(x, t, **kw),
    "l1_loss": lambda lib, x, t, **kw: F(lib).l1_loss(x, t, **kw),
    "smooth_l1_loss": lambda lib, x, t, **kw: F(lib).smooth_l1_loss(x, t, **kw),
    "smooth_l1_loss_b0": lambda lib, x, t, **kw: F(lib).smooth_l1_loss(x, t, beta=0.0, **kw),
    "smooth_l1_loss_b05": lambda lib, x, t, **kw: F(lib).smooth_l1_loss(x, t, beta=0.5, **kw),
    "huber_loss": lambda lib, x, t, **kw: F(lib).huber_loss(x, t, **kw),
    "huber_loss_d2": lambda lib, x, t, **kw: F(lib).huber_loss(x, t, delta=2.0, **kw),
    "soft_margin_loss": lambda lib, x, t, **kw: F(lib).soft_margin_loss(x, t, **kw),
}


@pytest.mark.parametrize("name", sorted(POINTWISE))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_pointwise_losses(name, reduction):
    fn = POINTWISE[name]
    x = randn(4, 5) * 2
    t = randn(4, 5) * 2
    t[0, :2] = x[0, :2]  # z == 0 kink
    t[1, 0] = x[1, 0] - 1.0  # z == beta / delta boundary
    # soft_margin_loss: torch refuses a target that requires grad
    check(lambda lib, x, t: fn(lib, x, t, reduction=reduction), x, t,
          requires_grad=[True, name != "soft_margin_loss"])
    if name == "soft_margin_loss":
        check_raises(lambda lib, x, t: fn(lib, x, t.requires_grad_()), x, t)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_pointwise_broadcast_warns(name):
    fn = POINTWISE[name]
    x, t = randn(3, 4), randn(4)
    with pytest.warns(UserWarning, match="different to the input size"):
        check(lambda lib, x, t: fn(lib, x, t), x, t)
    with pytest.warns(UserWarning, match="different to the input size"):
        check_raises(lambda lib, x, t: fn(lib, x, t), x, randn(2, 4))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_pointwise_dtypes(name):
    fn = POINTWISE[name]
    x = randn(3, 4)
    # torch's huber backward fails on mixed dtypes ("Found dtype Double but expected Float")
    check(lambda lib, x, t: fn(lib, x, t), x, randn(3, 4, dtype=np.float64),
          grad=name != "huber_loss")
    check(lambda lib, x, t: fn(lib, x, t), x, np.asarray(RNG.integers(-2, 3, (3, 4))),
          requires_grad=[True, False], grad=name != "huber_loss")
    xi = np.asarray(RNG.integers(-3, 3, (3, 4)))
    ti = np.asarray(RNG.integers(-3, 3, (3, 4)))
    if name == "l1_loss":
        check(lambda lib, x, t: fn(lib, x, t, reduction="sum"), xi, ti)
        check(lambda lib, x, t: fn(lib, x, t, reduction="none"), xi, ti)
    check_raises(lambda lib, x, t: fn(lib, x, t), xi, ti)
    check_raises(lambda lib, x, t: fn(lib, x, t, reduction="foo"), x, randn(3, 4))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_pointwise_weight(name, reduction):
    fn = POINTWISE[name]
    x, t, w = randn(3, 4), randn(3, 4), unit(3, 4)
    check(lambda lib, x, t, w: fn(lib, x, t, reduction=reduction, weight=w), x, t, w)
    check_raises(lambda lib, x, t, w: fn(lib, x, t, weight=w), x, t, unit(4))


def test_pointwise_legacy_and_errors():
    x, t = randn(3, 4), randn(3, 4)
    with pytest.warns(UserWarning, match="reduction='none'"):
        check(lambda lib, x, t: F(lib).mse_loss(x, t, reduce=False), x, t)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        check(lambda lib, x, t: F(lib).l1_loss(x, t, size_average=False), x, t)
    check_raises(lambda lib, x, t: F(lib).smooth_l1_loss(x, t, beta=-1.0), x, t)
    check_raises(lambda lib, x, t: F(lib).huber_loss(x, t, delta=0.0), x, t)
    check_raises(lambda lib, x, t: F(lib).huber_loss(x, t, delta=-1.0), x, t)
    for red in REDUCTIONS:
        check(lambda lib, x, t: F(lib).mse_loss(x, t, reduction=red), randn(0), randn(0))


def test_pointwise_gradcheck():
    x = suanzi.from_numpy(randn(3, 4, dtype=np.float64) * 2).requires_grad_()
    t = suanzi.from_numpy(randn(3, 4, dtype=np.float64) * 2).requires_grad_()
    Fs = suanzi.nn.functional
    assert suanzi.autograd.gradcheck(lambda x: Fs.soft_margin_loss(x, t.detach()), (x,))
    for fn in (Fs.mse_loss, Fs.l1_loss, Fs.smooth_l1_loss, Fs.huber_loss,
               lambda x, t: Fs.smooth_l1_loss(x, t, beta=0.3),
               lambda x, t: Fs.huber_loss(x, t, delta=0.4)):
        assert suanzi.autograd.gradcheck(fn, (x, t))


# ------------------------------------------------------------ BCE
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("wshape", [None, (3, 4), (4,)])
def test_binary_cross_entropy(reduction, wshape):
    x, t = unit(3, 4), unit(3, 4)
    w = None if wshape is None else unit(*wshape)
    # torch differentiates w.r.t. input and target (not weight)
    check(lambda lib, x, t, w: F(lib).binary_cross_entropy(x, t, weight=w, reduction=reduction),
          x, t, w, requires_grad=[True, True, False])


def test_binary_cross_entropy_clamped_log():
    x = np.asarray(np.array([0.0, 1.0, 0.0, 1.0, 0.5], np.float32))
    t = np.asarray(np.array([1.0, 0.0, 0.0, 1.0, 0.3], np.float32))
    check(lambda lib, x, t: F(lib).binary_cross_entropy(x, t, reduction="none"), x, t,
          requires_grad=[True, False])
    check(lambda lib, x, t: F(lib).binary_cross_entropy(x, t), x, t, requires_grad=[True, False])
    check(lambda lib, x, t: F(lib).binary_cross_entropy(x, t), unit(3, dtype=np.float64),
          unit(3, dtype=np.float64))


def test_binary_cross_entropy_errors():
    x, t = unit(3, 4), unit(3, 4)
    bce = lambda **kw: (lambda lib, x, t: F(lib).binary_cross_entropy(x, t, **kw))  # noqa: E731
    check_raises(bce(), x * 3 - 1, t)
    check_raises(bce(), np.asarray(np.array([np.nan], np.float32)),
                 np.asarray(np.array([1.0], np.float32)))
    check_raises(bce(), x, t * 2)
    check_raises(bce(), x, t.astype(np.float64))
    check_raises(bce(), x.astype(np.float64), t)
    check_raises(bce(), x, unit(4))
    check_raises(bce(reduction="foo"), x, t)
    check_raises(lambda lib, x, t: F(lib).binary_cross_entropy(x, t, weight=lib.ones(3)), x, t)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos", [False, True])
def test_bce_with_logits(reduction, weighted, pos):
    x = randn(3, 4) * 5
    x[0, 0] = 0.0
    x[0, 1] = 40.0
    x[0, 2] = -40.0
    t = unit(3, 4)
    w = unit(4) if weighted else None
    pw = wts(4) if pos else None
    check(lambda lib, x, t, w, pw: F(lib).binary_cross_entropy_with_logits(
        x, t, weight=w, pos_weight=pw, reduction=reduction),
        x, t, w, pw, requires_grad=[True, True, False, False])


def test_bce_with_logits_dtypes_and_errors():
    x, t = randn(3, 4), unit(3, 4)
    bcel = lambda lib, x, t: F(lib).binary_cross_entropy_with_logits(x, t)  # noqa: E731
    check(bcel, x, t.astype(np.float64))
    check(bcel, x.astype(np.float64), t)
    check(lambda lib, x, t, pw: F(lib).binary_cross_entropy_with_logits(x, t, pos_weight=pw),
          x, t, wts(4, np.float64), requires_grad=[True, True, False])
    check(lambda lib, x, t, w: F(lib).binary_cross_entropy_with_logits(x, t, weight=w),
          x, t, wts(4, np.float64), requires_grad=[True, True, False])
    check_raises(bcel, x, unit(4))
    check_raises(bcel, x, t.astype(np.int64))
    check_raises(bcel, x.astype(np.int64), t)
    check_raises(lambda lib, x, t, w: F(lib).binary_cross_entropy_with_logits(x, t, weight=w),
                 x, t, unit(2, 3, 4))
    check_raises(lambda lib, x, t, w: F(lib).binary_cross_entropy_with_logits(
        x, t, pos_weight=w), x, t, unit(3))


def test_bce_gradcheck():
    x = suanzi.from_numpy(unit(3, 4, dtype=np.float64)).requires_grad_()
    t = suanzi.from_numpy(unit(3, 4, dtype=np.float64)).requires_grad_()
    w = suanzi.from_numpy(unit(4, dtype=np.float64))
    Fs = suanzi.nn.functional
    assert suanzi.autograd.gradcheck(lambda x, t: Fs.binary_cross_entropy(x, t, weight=w), (x, t))
    z = suanzi.from_numpy(randn(3, 4, dtype=np.float64)).requires_grad_()
    assert suanzi.autograd.gradcheck(
        lambda z, t: Fs.binary_cross_entropy_with_logits(z, t, weight=w, pos_weight=w * 2),
        (z, t))


def test_bce_double_backward():
    x, t = unit(3, 4), unit(3, 4)
    check(lambda lib, x, t: lib.autograd.grad(F(lib).binary_cross_entropy(x, t), x,
                                              create_graph=True)[0],
          x, t, requires_grad=[True, False])


# ------------------------------------------------------------------ KL
@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = np.log(probs(3, 4))
    t = probs(3, 4)
    if log_target:
        t = np.log(t)
    else:
        t[0, 0] = 0.0  # xlogy(0, 0) = 0
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        check(lambda lib, x, t: F(lib).kl_div(x, t, reduction=reduction, log_target=log_target),
              x, t, requires_grad=[True, log_target])
    warned = [r for r in rec if "'batchmean' divides only by the batch size" in str(r.message)]
    assert len(warned) == (2 if reduction == "mean" else 0)


def test_kl_div_more():
    x, t = np.log(probs(3, 4)), probs(3, 4)
    check(lambda lib, x, t: F(lib).kl_div(x, t, reduction="batchmean"), x, t)
    check(lambda lib, x, t: F(lib).kl_div(x, t, reduction="batchmean"), x, probs(1, 4)[0])
    check(lambda lib, x, t: F(lib).kl_div(x, t, reduction="batchmean"),
          np.asarray(np.float32(-1.2)), np.asarray(np.float32(0.3)))
    check(lambda lib, x, t: F(lib).kl_div(x, t, reduction="sum"), x, t.astype(np.float64))
    with pytest.warns(UserWarning, match="reduction='sum'"):
        check(lambda lib, x, t: F(lib).kl_div(x, t, size_average=False), x, t)
    check_raises(lambda lib, x, t: F(lib).kl_div(x, t, reduction="foo"), x, t)
    check_raises(lambda lib, x, t: F(lib).kl_div(x, t, reduction="sum"), x.astype(np.int64), t)
    check_raises(lambda lib, x, t: F(lib).kl_div(x, t, reduction="sum"), x, probs(2, 4))
    xs = suanzi.from_numpy(x.astype(np.float64)).requires_grad_()
    ts = suanzi.from_numpy(t.astype(np.float64)).requires_grad_()
    Fs = suanzi.nn.functional
    assert suanzi.autograd.gradcheck(lambda x, t: Fs.kl_div(x, t, reduction="batchmean"),
                                     (xs, ts))
    assert suanzi.autograd.gradcheck(
        lambda x, t: Fs.kl_div(x, t, reduction="sum", log_target=True), (xs, ts))


# ------------------------------------------------------------ margin & co
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_losses(reduction):
    x1, x2 = randn(6), randn(6)
    y = np.asarray(np.where(RNG.random(6) < 0.5, -1.0, 1.0).astype(np.float32))
    check(lambda lib, a, b, y: F(lib).margin_ranking_loss(a, b, y, margin=0.3,
                                                          reduction=reduction),
          x1, x2, y, requires_grad=[True, True, False])
    check(lambda lib, a, y: F(lib).hinge_embedding_loss(a, y, margin=0.5, reduction=reduction),
          randn(3, 4), np.asarray(np.where(RNG.random((3, 4)) < 0.5, -1.0, 1.0)
                                  .astype(np.float32)), requires_grad=[True, False])
    a, b = randn(5, 3), randn(5, 3)
    yi = np.asarray(np.array([1, -1, 1, -1, -1]))
    check(lambda lib, a, b, y: F(lib).cosine_embedding_loss(a, b, y, margin=0.1,
                                                            reduction=reduction), a, b, yi)
    check(lambda lib, a, b, y: F(lib).cosine_embedding_loss(a, b, y, reduction=reduction),
          randn(3), randn(3), np.asarray(np.int64(-1)))
    check(lambda lib, a, p, n: F(lib).triplet_margin_loss(a, p, n, reduction=reduction),
          randn(4, 3), randn(4, 3), randn(4, 3))
    check(lambda lib, a, p, n: F(lib).triplet_margin_loss(a, p, n, p=1, swap=True, margin=2.0,
                                                          reduction=reduction),
          randn(4, 3), randn(4, 3), randn(4, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [True, False])
def test_poisson_nll_loss(reduction, log_input, full):
    x = unit(3, 4) * 3 if not log_input else randn(3, 4)
    t = np.asarray(RNG.integers(0, 5, (3, 4)).astype(np.float32))
    check(lambda lib, x, t: F(lib).poisson_nll_loss(x, t, log_input=log_input, full=full,
                                                    reduction=reduction),
          x, t, requires_grad=[True, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [True, False])
def test_gaussian_nll_loss(reduction, full):
    x, t = randn(4, 3), randn(4, 3)
    check(lambda lib, x, t, v: F(lib).gaussian_nll_loss(x, t, v, full=full, reduction=reduction),
          x, t, unit(4, 3))
    check(lambda lib, x, t, v: F(lib).gaussian_nll_loss(x, t, v, reduction=reduction),
          x, t, unit(4))
    check(lambda lib, x, t, v: F(lib).gaussian_nll_loss(x, t, v, reduction=reduction),
          x, t, unit(4, 1))
    check(lambda lib, x, t: F(lib).gaussian_nll_loss(x, t, 0.5, reduction=reduction), x, t)


def test_misc_loss_errors():
    check_raises(lambda lib, x, t, v: F(lib).gaussian_nll_loss(x, t, v), randn(4, 3),
                 randn(4, 3), unit(2, 3))
    check_raises(lambda lib, x, t, v: F(lib).gaussian_nll_loss(x, t, v), randn(4, 3),
                 randn(4, 3), -unit(4, 3))
    check_raises(lambda lib, a, b, y: F(lib).margin_ranking_loss(a, b, y), randn(3), randn(3),
                 randn(1, 3))
    check_raises(lambda lib, a, b, y: F(lib).cosine_embedding_loss(a, b, y), randn(3, 2),
                 randn(3, 2), randn(3, 1))
    check_raises(lambda lib, a, p, n: F(lib).triplet_margin_loss(a, p, n), randn(3, 2),
                 randn(3, 2), randn(2))
    check_raises(lambda lib: lib.nn.TripletMarginLoss(margin=0.0))


# ------------------------------------------------------------ modules
def _w(lib, a):
    return None if a is None else lib.from_numpy(np.array(a))


MODULES = [
    ("CrossEntropyLoss", lambda lib: lib.nn.CrossEntropyLoss(), "ce"),
    ("CrossEntropyLoss(w)", lambda lib: lib.nn.CrossEntropyLoss(
        weight=_w(lib, np.array([0.5, 1.0, 2.0], np.float32)), ignore_index=1,
        label_smoothing=0.1, reduction="sum"), "ce"),
    ("NLLLoss(w)", lambda lib: lib.nn.NLLLoss(
        weight=_w(lib, np.array([0.5, 1.0, 2.0], np.float32)), reduction="none"), "ce"),
    ("NLLLoss", lambda lib: lib.nn.NLLLoss(ignore_index=0), "ce"),
    ("MSELoss", lambda lib: lib.nn.MSELoss(), "reg"),
    ("L1Loss", lambda lib: lib.nn.L1Loss(reduction="sum"), "reg"),
    ("SmoothL1Loss", lambda lib: lib.nn.SmoothL1Loss(beta=0.5), "reg"),
    ("HuberLoss", lambda lib: lib.nn.HuberLoss(reduction="none", delta=0.7), "reg"),
    ("SoftMarginLoss", lambda lib: lib.nn.SoftMarginLoss(), "soft"),
    ("BCELoss", lambda lib: lib.nn.BCELoss(
        weight=_w(lib, np.array([0.5, 1.0, 2.0], np.float32))), "bce"),
    ("BCEWithLogitsLoss", lambda lib: lib.nn.BCEWithLogitsLoss(
        weight=_w(lib, np.array([0.5, 1.0, 2.0], np.float32)),
        pos_weight=_w(lib, np.array([3.0, 1.0, 0.2], np.float32))), "logits"),
    ("BCEWithLogitsLoss()", lambda lib: lib.nn.BCEWithLogitsLoss(), "logits"),
    ("KLDivLoss", lambda lib: lib.nn.KLDivLoss(reduction="batchmean"), "kl"),
    ("KLDivLoss(log)", lambda lib: lib.nn.KLDivLoss(reduction="sum", log_target=True), "kl"),
    ("PoissonNLLLoss", lambda lib: lib.nn.PoissonNLLLoss(full=True), "reg"),
    ("GaussianNLLLoss", lambda lib: lib.nn.GaussianNLLLoss(full=True, eps=1e-3), "gauss"),
    ("MarginRankingLoss", lambda lib: lib.nn.MarginRankingLoss(margin=0.2), "rank"),
    ("HingeEmbeddingLoss", lambda lib: lib.nn.HingeEmbeddingLoss(margin=2.0), "hinge"),
    ("CosineEmbeddingLoss", lambda lib: lib.nn.CosineEmbeddingLoss(margin=0.1), "cos"),
    ("TripletMarginLoss", lambda lib: lib.nn.TripletMarginLoss(p=1.0, swap=True), "trip"),
]


def _module_inputs(kind):
    pm1 = np.asarray(np.where(RNG.random(4) < 0.5, -1.0, 1.0).astype(np.float32))
    return {
        "ce": (np.log(probs(4, 3)), targets((4,), 3)),
        "reg": (randn(4, 3), unit(4, 3) * 3),
        "bce": (unit(4, 3), unit(4, 3)),
        "logits": (randn(4, 3), unit(4, 3)),
        "kl": (np.log(probs(4, 3)), probs(4, 3)),
        "gauss": (randn(4, 3), randn(4, 3), unit(4, 3)),
        "rank": (randn(4), randn(4), pm1),
        "hinge": (randn(4), pm1),
        "soft": (randn(4), np.asarray(pm1.astype(np.int64))),
        "cos": (randn(4, 3), randn(4, 3), np.asarray(pm1.astype(np.int64))),
        "trip": (randn(4, 3), randn(4, 3), randn(4, 3)),
    }[kind]


@pytest.mark.parametrize("name,make,kind", MODULES, ids=[m[0] for m in MODULES])
def test_loss_modules(name, make, kind):
    arrays = _module_inputs(kind)
    sm, tm, _, _ = check_module(make, *arrays)
    assert repr(sm) == repr(tm)
    assert list(sm.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in sm.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert sm.reduction == tm.reduction
    for attr in ("ignore_index", "label_smoothing", "beta", "delta", "log_target", "margin",
                 "p", "eps", "swap", "full", "log_input"):
        if hasattr(tm, attr):
            assert getattr(sm, attr) == getattr(tm, attr), attr


def test_loss_module_legacy_reduction_and_state_dict():
    for sa, red in itertools.product([None, True, False], [None, True, False]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tm = torch.nn.MSELoss(size_average=sa, reduce=red)
            sm = suanzi.nn.MSELoss(size_average=sa, reduce=red)
        assert sm.reduction == tm.reduction
    with pytest.warns(UserWarning, match="size_average and reduce"):
        suanzi.nn.CrossEntropyLoss(size_average=False)
    w = np.array([1.0, 2.0], np.float32)
    tm = torch.nn.BCEWithLogitsLoss(pos_weight=torch.from_numpy(w))
    sm = suanzi.nn.BCEWithLogitsLoss(pos_weight=suanzi.from_numpy(w.copy()))
    assert list(sm.state_dict()) == list(tm.state_dict()) == ["pos_weight"]
    sm2 = suanzi.nn.BCEWithLogitsLoss(pos_weight=suanzi.zeros(2))
    sm2.load_state_dict(tm.state_dict())
    np.testing.assert_array_equal(sm2.pos_weight.numpy(), w)
    assert list(suanzi.nn.CrossEntropyLoss().state_dict()) == []
    assert list(suanzi.nn.CrossEntropyLoss(weight=suanzi.ones(3)).state_dict()) == ["weight"]
    m = suanzi.nn.NLLLoss(weight=suanzi.ones(3)).double()
    assert m.weight.dtype == suanzi.float64


def test_loss_modules_dims():
    # N-d cross entropy through the module, with the 4-D (image) layout
    x = randn(2, 3, 4, 4)
    t = targets((2, 4, 4), 3, ignore=255)
    check_module(lambda lib: lib.nn.CrossEntropyLoss(ignore_index=255), x, t)
    check_module(lambda lib: lib.nn.CrossEntropyLoss(), randn(2, 3, 4, 4), probs(2, 3, 4, 4))
