"""suanzi.nn.init against torch.nn.init: gains, fans, distributions, errors."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import suanzi
import suanzi.nn.init as sinit
import torch.nn.init as tinit
from helpers import check_raises

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]


@pytest.mark.parametrize("name", NONLINEARITIES)
def test_calculate_gain(name):
    assert sinit.calculate_gain(name) == tinit.calculate_gain(name)


@pytest.mark.parametrize("param", [None, 0.2, 0, 3, math.sqrt(5)])
def test_calculate_gain_leaky_relu_param(param):
    assert sinit.calculate_gain("leaky_relu", param) == tinit.calculate_gain("leaky_relu", param)


@pytest.mark.parametrize("args", [("leaky_relu", True), ("leaky_relu", "x"), ("softmax", None),
                                  ("gelu", None)])
def test_calculate_gain_errors(args):
    with pytest.raises(ValueError) as t_err:
        tinit.calculate_gain(*args)
    with pytest.raises(ValueError) as s_err:
        sinit.calculate_gain(*args)
    assert str(s_err.value) == str(t_err.value)


@pytest.mark.parametrize("shape", [(3, 4), (16, 8, 3), (33, 16, 3, 5), (4, 2, 3, 3, 3), (5, 1),
                                   (0, 3), (3, 0, 2)])
def test_fans(shape):
    t = torch.empty(shape)
    s = suanzi.empty(shape)
    assert sinit._calculate_fan_in_and_fan_out(s) == tinit._calculate_fan_in_and_fan_out(t)
    for mode in ("fan_in", "fan_out", "FAN_IN"):
        assert sinit._calculate_correct_fan(s, mode) == tinit._calculate_correct_fan(t, mode)


@pytest.mark.parametrize("fn", [
    lambda I, x: I._calculate_fan_in_and_fan_out(x),
    lambda I, x: I.xavier_uniform_(x),
    lambda I, x: I.xavier_normal_(x),
    lambda I, x: I.kaiming_uniform_(x),
    lambda I, x: I.kaiming_normal_(x),
])
@pytest.mark.parametrize("shape", [(5,), ()])
def test_fan_errors_below_2d(fn, shape):
    t_err, s_err = None, None
    with pytest.raises(ValueError) as t_err:
        fn(tinit, torch.empty(shape))
    with pytest.raises(ValueError) as s_err:
        fn(sinit, suanzi.empty(shape))
    assert str(s_err.value) == str(t_err.value)


def test_correct_fan_bad_mode():
    with pytest.raises(ValueError) as t_err:
        tinit._calculate_correct_fan(torch.empty(3, 4), "fan_avg")
    with pytest.raises(ValueError) as s_err:
        sinit._calculate_correct_fan(suanzi.empty(3, 4), "fan_avg")
    assert str(s_err.value) == str(t_err.value)


@pytest.mark.parametrize("fn,args", [
    ("eye_", ((3, 4, 5),)), ("eye_", ((3,),)), ("dirac_", ((3, 4),)),
    ("dirac_", ((3, 4, 5, 6, 7, 8),)),
    ("orthogonal_", ((3,),)), ("sparse_", ((3, 4, 5), 0.1)),
])
def test_shape_errors(fn, args):
    shape, *rest = args
    check_raises(lambda lib, *a: getattr(lib.nn.init, fn)(lib.empty(shape), *rest))


def test_dirac_groups_error():
    check_raises(lambda lib: lib.nn.init.dirac_(lib.empty(5, 4, 3), groups=2))


def test_not_a_tensor():
    with pytest.raises(TypeError):
        sinit.uniform_(np.zeros(3))


# ------------------------------------------------------------------ distributions
def _std_mean(x):
    a = x._data.astype(np.float64).ravel()
    return a.std(), a.mean()


@pytest.mark.parametrize("a,b", [(0.0, 1.0), (-3.0, -1.0), (-0.25, 0.25)])
def test_uniform_(a, b):
    x = suanzi.empty(200, 100)
    r = sinit.uniform_(x, a, b)
    assert r is x
    assert x._data.min() >= a and x._data.max() < b
    std, mean = _std_mean(x)
    assert abs(mean - (a + b) / 2) < 0.02 * (b - a)
    assert abs(std - (b - a) / math.sqrt(12)) < 0.02 * (b - a)


@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (2.0, 0.5), (-1.0, 3.0)])
def test_normal_(mean, std):
    x = suanzi.empty(200, 100)
    assert sinit.normal_(x, mean, std) is x
    s, m = _std_mean(x)
    assert abs(m - mean) < 0.03 * std and abs(s - std) < 0.03 * std


@pytest.mark.parametrize("mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04),
                                          (1.0, 2.0, 0.0, 1.5), (0.0, 1.0, 1.0, 3.0)])
def test_trunc_normal_(mean, std, a, b):
    x = suanzi.empty(300, 100)
    assert sinit.trunc_normal_(x, mean, std, a, b) is x
    arr = x._data.astype(np.float64)
    assert x.dtype == suanzi.float32
    assert arr.min() >= a and arr.max() <= b
    # torch samples the same distribution: compare moments with a torch draw
    t = tinit.trunc_normal_(torch.empty(300, 100, dtype=torch.float64), mean, std, a, b).numpy()
    tol = 0.03 * (b - a)
    assert abs(arr.mean() - t.mean()) < tol
    assert abs(arr.std() - t.std()) < tol


def test_trunc_normal_float64_and_warning():
    x = suanzi.empty(50, 40, dtype=suanzi.float64)
    sinit.trunc_normal_(x)
    assert x.dtype == suanzi.float64 and x._data.min() >= -2 and x._data.max() <= 2
    with pytest.warns(UserWarning, match="more than 2 std"):
        sinit.trunc_normal_(suanzi.empty(10), mean=10.0, std=1.0, a=-2.0, b=2.0)


@pytest.mark.parametrize("val", [0.0, 1.0, -2.5, 7])
def test_constant_ones_zeros(val):
    x = suanzi.empty(3, 4)
    assert sinit.constant_(x, val) is x
    np.testing.assert_array_equal(x._data, np.full((3, 4), val, np.float32))
    sinit.ones_(x)
    np.testing.assert_array_equal(x._data, 1)
    sinit.zeros_(x)
    np.testing.assert_array_equal(x._data, 0)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4)])
def test_eye_(shape):
    s = sinit.eye_(suanzi.empty(shape))
    t = tinit.eye_(torch.empty(shape))
    np.testing.assert_array_equal(s._data, t.numpy())


@pytest.mark.parametrize("shape,groups", [((3, 16, 5), 1), ((3, 16, 5, 5), 1), ((6, 4, 3, 3), 2),
                                          ((6, 2, 3, 3, 3), 3), ((4, 4, 2, 2), 1),
                                          ((8, 2, 3, 4), 4)])
def test_dirac_(shape, groups):
    s = sinit.dirac_(suanzi.empty(shape), groups)
    t = tinit.dirac_(torch.empty(shape), groups)
    np.testing.assert_array_equal(s._data, t.numpy())


@pytest.mark.parametrize("gain", [1.0, 2.0])
@pytest.mark.parametrize("shape", [(200, 300), (64, 32, 3, 3)])
def test_xavier(shape, gain):
    t = torch.empty(shape)
    fan_in, fan_out = tinit._calculate_fan_in_and_fan_out(t)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    x = sinit.xavier_uniform_(suanzi.empty(shape), gain=gain)
    assert np.abs(x._data).max() <= bound
    assert abs(_std_mean(x)[0] - std) < 0.03 * std
    x = sinit.xavier_normal_(suanzi.empty(shape), gain=gain)
    assert abs(_std_mean(x)[0] - std) < 0.03 * std


@pytest.mark.parametrize("a,mode,nl", [(0, "fan_in", "leaky_relu"), (math.sqrt(5), "fan_in",
                                                                      "leaky_relu"),
                                       (0, "fan_out", "relu"), (0.1, "fan_out", "leaky_relu"),
                                       (0, "fan_in", "tanh"), (0, "fan_in", "linear")])
@pytest.mark.parametrize("shape", [(300, 200), (64, 16, 3, 3)])
def test_kaiming(shape, a, mode, nl):
    t = torch.empty(shape)
    fan = tinit._calculate_correct_fan(t, mode)
    std = tinit.calculate_gain(nl, a) / math.sqrt(fan)
    x = sinit.kaiming_uniform_(suanzi.empty(shape), a=a, mode=mode, nonlinearity=nl)
    assert np.abs(x._data).max() <= math.sqrt(3.0) * std
    assert abs(_std_mean(x)[0] - std) < 0.03 * std
    x = sinit.kaiming_normal_(suanzi.empty(shape), a=a, mode=mode, nonlinearity=nl)
    assert abs(_std_mean(x)[0] - std) < 0.03 * std


def test_kaiming_zero_element_warns():
    for fn in (sinit.kaiming_uniform_, sinit.kaiming_normal_):
        x = suanzi.empty(0, 3)
        with pytest.warns(UserWarning, match="zero-element"):
            assert fn(x) is x


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (6, 2, 2), (3, 2, 2, 2)])
@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_orthogonal_(shape, gain):
    x = sinit.orthogonal_(suanzi.empty(shape), gain=gain)
    m = x._data.reshape(shape[0], -1).astype(np.float64)
    rows, cols = m.shape
    if rows <= cols:
        np.testing.assert_allclose(m @ m.T, gain ** 2 * np.eye(rows), atol=1e-5)
    else:
        np.testing.assert_allclose(m.T @ m, gain ** 2 * np.eye(cols), atol=1e-5)
    assert x.dtype == suanzi.float32


def test_orthogonal_uniform_sign():
    # with the sign fix, Q is Haar-distributed: entries average to 0 over many draws
    acc = np.zeros((3, 3))
    for _ in range(200):
        acc += sinit.orthogonal_(suanzi.empty(3, 3))._data
    assert np.abs(acc / 200).max() < 0.2


@pytest.mark.parametrize("sparsity", [0.1, 0.5, 0.0])
def test_sparse_(sparsity):
    x = sinit.sparse_(suanzi.empty(20, 30), sparsity, std=0.5)
    zeros = (x._data == 0).sum(axis=0)
    np.testing.assert_array_equal(zeros, math.ceil(sparsity * 20))


# ------------------------------------------------------------------ semantics
@pytest.mark.parametrize("fn,args", [
    (sinit.uniform_, ()), (sinit.normal_, ()), (sinit.trunc_normal_, ()),
    (sinit.constant_, (0.3,)), (sinit.ones_, ()), (sinit.zeros_, ()), (sinit.eye_, ()),
    (sinit.xavier_uniform_, ()), (sinit.xavier_normal_, ()), (sinit.kaiming_uniform_, ()),
    (sinit.kaiming_normal_, ()), (sinit.orthogonal_, ()), (sinit.sparse_, (0.2,)),
])
def test_in_place_no_grad_leaf(fn, args):
    p = suanzi.nn.Parameter(suanzi.zeros(4, 6))
    r = fn(p, *args)
    assert r is p
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    # still a usable leaf: gradients accumulate into it
    (p * 2).sum().backward()
    np.testing.assert_array_equal(p.grad._data, 2)


@pytest.mark.parametrize("fn,kw", [
    (sinit.uniform_, {"a": -1.0, "b": 1.0}), (sinit.normal_, {}), (sinit.trunc_normal_, {}),
    (sinit.xavier_uniform_, {}), (sinit.xavier_normal_, {}), (sinit.kaiming_uniform_, {}),
    (sinit.kaiming_normal_, {}), (sinit.orthogonal_, {}), (sinit.sparse_, {"sparsity": 0.3}),
])
def test_generator_and_seed_reproducible(fn, kw):
    g = suanzi.Generator().manual_seed(123)
    a = fn(suanzi.empty(5, 7), generator=g, **kw)._data.copy()
    g.manual_seed(123)
    b = fn(suanzi.empty(5, 7), generator=g, **kw)._data.copy()
    np.testing.assert_array_equal(a, b)
    suanzi.manual_seed(7)
    c = fn(suanzi.empty(5, 7), **kw)._data.copy()
    suanzi.manual_seed(7)
    d = fn(suanzi.empty(5, 7), **kw)._data.copy()
    np.testing.assert_array_equal(c, d)
    if fn is not sinit.sparse_:
        assert not np.array_equal(a, fn(suanzi.empty(5, 7), **kw)._data)


@pytest.mark.parametrize("dtype", [suanzi.float64, suanzi.float16])
def test_keeps_dtype(dtype):
    for fn in (sinit.uniform_, sinit.normal_, sinit.kaiming_uniform_, sinit.xavier_normal_,
               sinit.trunc_normal_, sinit.orthogonal_, sinit.eye_, sinit.zeros_):
        x = suanzi.empty(4, 5, dtype=dtype)
        assert fn(x).dtype == dtype


def test_deprecated_aliases():
    with pytest.warns(FutureWarning, match="deprecated"):
        x = sinit.uniform(suanzi.empty(2, 2))
    assert x.shape == (2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sinit.uniform_(suanzi.empty(2, 2))
