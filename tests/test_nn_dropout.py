"""Dropout family: mask statistics, kept values scaled by 1/(1-p), gradient
= mask/(1-p), eval identity (the same object), p=0/p=1, channel-wise masks,
torch's rank rules, warnings and errors, reproducibility under manual_seed."""
import warnings

import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_raises, to_suanzi

RNG = np.random.default_rng(3)
FD = suanzi.nn.functional


def _x(*shape):
    return to_suanzi(RNG.uniform(0.5, 2.0, size=shape).astype(np.float32), True)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_values_grad_and_stats(p):
    suanzi.manual_seed(1)
    x = _x(200, 100)
    y = FD.dropout(x, p)
    xd, yd = x.detach().numpy(), y.detach().numpy()
    kept = yd != 0
    np.testing.assert_allclose(yd[kept], xd[kept] / (1 - p), rtol=1e-6)
    frac = 1 - kept.mean()
    assert abs(frac - p) < 4 * np.sqrt(p * (1 - p) / kept.size)
    y.backward(suanzi.ones_like(y))
    np.testing.assert_allclose(x.grad.numpy(), kept / np.float32(1 - p), rtol=1e-6)
    assert y.dtype == x.dtype


def test_dropout_module_train_eval_and_repr():
    for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                 "FeatureAlphaDropout"):
        for args in ((), (0.3,), (0.1, True)):
            assert repr(getattr(suanzi.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
        m = getattr(suanzi.nn, name)(0.4)
        x = _x(2, 3, 4, 5, 6) if name == "Dropout3d" else _x(2, 3, 4, 5)
        if name == "Dropout1d":
            x = _x(2, 3, 4)
        m.eval()
        assert m(x) is x
        m.train()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert m(x) is not x


def test_eval_and_p0_identity():
    x = _x(3, 4)
    for fn in (FD.dropout, FD.dropout1d, FD.dropout2d, FD.dropout3d, FD.alpha_dropout,
               FD.feature_alpha_dropout):
        with warnings.catch_warnings():  # 2-D input: dropout2d/3d warn, as torch does
            warnings.simplefilter("ignore")
            assert fn(x, 0.5, training=False) is x
            assert fn(x, 0.0, training=True) is x
    assert FD.alpha_dropout(x) is x  # training defaults to False for the alpha variants
    assert torch.nn.functional.alpha_dropout(torch.ones(2)) is not None


@pytest.mark.parametrize("fn", ["dropout", "alpha_dropout", "feature_alpha_dropout"])
def test_p1_zero_no_nan(fn):
    x = _x(4, 3, 2)
    y = getattr(FD, fn)(x, 1.0, training=True)
    assert not np.isnan(y.detach().numpy()).any() and not np.any(y.detach().numpy())
    y.sum().backward()
    assert not np.any(x.grad.numpy())
    check(lambda lib, x: getattr(lib.nn.functional, fn)(x, 1.0, True), _x(3, 2).detach().numpy())


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_p_out_of_range(p):
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    for fn in ("dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
               "feature_alpha_dropout"):
        check_raises(lambda lib, x: getattr(lib.nn.functional, fn)(x, p), x)
    for name in ("Dropout", "Dropout2d", "AlphaDropout"):
        check_raises(lambda lib: getattr(lib.nn, name)(p))


def test_int_input():
    xi = np.array([1, 2, 3], np.int64)
    check_raises(lambda lib, x: lib.nn.functional.dropout(x, 0.5), xi)
    check(lambda lib, x: lib.nn.functional.dropout(x, 0.5, training=False), xi)


def test_dropout2d_channelwise():
    suanzi.manual_seed(5)
    x = _x(8, 16, 5, 6)
    y = FD.dropout2d(x, 0.5)
    yd, xd = y.detach().numpy(), x.detach().numpy()
    zero = (yd == 0).reshape(8, 16, -1)
    assert np.all(zero.all(-1) | (~zero).all(-1))  # whole channels
    assert 0.2 < zero.all(-1).mean() < 0.8
    kept = ~zero.all(-1)
    np.testing.assert_allclose(yd.reshape(8, 16, -1)[kept], 2 * xd.reshape(8, 16, -1)[kept],
                               rtol=1e-6)
    y.backward(suanzi.ones_like(y))
    np.testing.assert_allclose(x.grad.numpy().reshape(8, 16, -1), 2.0 * kept[..., None] *
                               np.ones((1, 1, 30)), rtol=1e-6)


@pytest.mark.parametrize("fn,shape,channel_axes", [
    ("dropout1d", (4, 6, 7), (0, 1)), ("dropout1d", (6, 7), (0,)),
    ("dropout3d", (2, 6, 3, 2, 2), (0, 1)), ("dropout3d", (6, 3, 2, 2), (0,)),
    ("feature_alpha_dropout", (4, 6, 5), (0, 1))])
def test_feature_masks(fn, shape, channel_axes):
    suanzi.manual_seed(2)
    x = _x(*shape)
    y = getattr(FD, fn)(x, 0.5, True)
    yd = y.detach().numpy()
    k = len(channel_axes)
    flat = yd.reshape(shape[:k] + (-1,))
    # the same transformation across each channel: its values minus their first value are
    # proportional to the input's (scale a or 0, plus one shift)
    xd = x.detach().numpy().reshape(shape[:k] + (-1,))
    ratio = (flat - flat[..., :1]) / (xd - xd[..., :1] + 1e-30)
    ratio = ratio[..., 1:]
    assert np.allclose(ratio, ratio[..., :1], rtol=1e-4, atol=1e-4)


def test_dropout2d_rank_warnings():
    x = _x(3, 4, 5)
    with pytest.warns(UserWarning, match="3D input to dropout2d"):
        FD.dropout2d(x, 0.5)
    with pytest.warns(UserWarning, match="2-D input to dropout2d"):
        FD.dropout2d(_x(3, 4), 0.5)
    with pytest.warns(UserWarning, match="dropout3d"):
        FD.dropout3d(_x(3, 4, 5), 0.5)
    check_raises(lambda lib, x: lib.nn.functional.dropout1d(x, 0.5),
                 RNG.standard_normal((2, 3, 4, 5)).astype(np.float32))
    check_raises(lambda lib, x: lib.nn.functional.dropout1d(x, 0.5),
                 RNG.standard_normal(3).astype(np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_raises(lambda lib, x: lib.nn.functional.dropout2d(x, 0.5),
                     RNG.standard_normal(3).astype(np.float32))


def test_alpha_dropout_statistics():
    suanzi.manual_seed(0)
    x = suanzi.randn(400, 500)
    y = FD.alpha_dropout(x, 0.3, training=True)
    yd = y.numpy()
    assert abs(yd.mean()) < 0.02 and abs(yd.std() - 1) < 0.02  # self-normalizing
    # dropped positions all take one value: -alpha*scale*a + b
    vals, counts = np.unique(yd, return_counts=True)
    assert counts.max() / yd.size == pytest.approx(0.3, abs=0.01)


def test_alpha_dropout_grad():
    suanzi.manual_seed(4)
    x = _x(50, 40)
    y = FD.alpha_dropout(x, 0.4, training=True)
    y.backward(suanzi.ones_like(y))
    a = 1 / np.sqrt((1.7580993408473766 ** 2 * 0.4 + 1) * 0.6)
    g = x.grad.numpy()
    u = np.unique(g)
    assert len(u) == 2 and u[0] == 0 and u[1] == pytest.approx(a, rel=1e-6)
    m = suanzi.nn.AlphaDropout(0.4)
    assert m(x) is not x and (m.eval()(x) is x)


def test_inplace():
    suanzi.manual_seed(3)
    x = _x(10, 10)
    y = x * 1
    r = FD.dropout(y, 0.5, inplace=True)
    assert r is y
    r.sum().backward()
    kept = (y.detach().numpy() != 0)
    np.testing.assert_allclose(x.grad.numpy(), 2.0 * kept)
    z = x * 1
    assert FD.dropout2d(z.reshape(1, 10, 10, 1), 0.5, inplace=True) is not None
    check_raises(lambda lib, x: lib.nn.functional.dropout(x.requires_grad_(), 0.5,
                                                          inplace=True),
                 RNG.standard_normal(3).astype(np.float32))


def test_reproducible_with_manual_seed():
    x = _x(30, 30)
    suanzi.manual_seed(123)
    a = FD.dropout(x, 0.5).detach().numpy()
    b = FD.dropout(x, 0.5).detach().numpy()
    suanzi.manual_seed(123)
    c = FD.dropout(x, 0.5).detach().numpy()
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)


def test_float64_and_gradcheck():
    x = suanzi.tensor(RNG.standard_normal((4, 5)), requires_grad=True)
    suanzi.manual_seed(0)
    y = FD.dropout(x, 0.25)
    assert y.dtype == suanzi.float64

    def fn(t):
        suanzi.manual_seed(0)
        return FD.dropout(t, 0.25)
    assert suanzi.autograd.gradcheck(fn, (x,))


def test_lesson_block_13():
    # the lesson's §13 code on suanzi
    torch_ = suanzi
    nn = suanzi.nn
    m = nn.Dropout(p=0.2)
    input = torch_.randn(20, 16)
    output = m(input)
    o, i = output.numpy(), input.numpy()
    kept = o != 0
    np.testing.assert_allclose(o[kept], i[kept] / 0.8, rtol=1e-6)
    assert 0.05 < 1 - kept.mean() < 0.35
    m.eval()
    assert m(input) is input
