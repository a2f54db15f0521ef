"""repr(tensor) must equal torch's repr character for character."""
import math

import numpy as np
import pytest
import torch

import suanzi
from suanzi._tensor_str import get_printoptions, printoptions, set_printoptions

RNG = np.random.default_rng(1)


def both(arr, requires_grad=False):
    arr = np.asarray(arr)
    t = torch.from_numpy(arr.copy())
    s = suanzi.from_numpy(arr.copy())
    if requires_grad:
        t.requires_grad_(True)
        s.requires_grad_(True)
    return s, t


def same_repr(arr, requires_grad=False):
    s, t = both(arr, requires_grad)
    assert repr(s) == repr(t), f"\nsuanzi:\n{s!r}\ntorch:\n{t!r}"
    assert str(s) == str(t)


def _floats(shape, scale, dtype=np.float32):
    return (RNG.standard_normal(shape) * scale).astype(dtype)


CASES = {
    "int_1d": np.array([3, 4, 5, 6, 7]),
    "int_neg": np.array([-100, 2, 30000]),
    "int_0d": np.array(7),
    "int_2d": np.arange(12).reshape(3, 4) - 5,
    "int_3d": np.arange(24).reshape(2, 3, 4),
    "int_4d": np.arange(48).reshape(2, 2, 3, 4),
    "float_int_valued": np.array([1., 2., -3.], np.float32),
    "float_simple": np.array([1.5, 2.25, -3.125], np.float32),
    "float_0d": np.array(3.14159, np.float32),
    "float_0d_int": np.array(2., np.float32),
    "float_0d_neg": np.array(-0.5, np.float32),
    "float_small": np.array([1e-5, 2e-5], np.float32),
    "float_big": np.array([1e9, 2e9], np.float32),
    "float_big_int": np.array([123456789012., 1.], np.float32),
    "float_range": np.array([0.001, 10.0], np.float32),
    "float_range_edge": np.array([0.01, 10.0], np.float32),
    "float_wide_range": np.array([1e-3, 1e3, 5.], np.float32),
    "float_mixed": _floats((7,), 1.0),
    "float_2d": _floats((3, 4), 10.0),
    "float_3d": _floats((2, 3, 4), 1.0),
    "float_4d": _floats((2, 2, 2, 3), 100.0),
    "float_sci_2d": _floats((3, 3), 1e6),
    "float_wrap": _floats((30,), 1.0),
    "float_wrap_sci": _floats((30,), 1e-6),
    "int_wrap": np.arange(0, 3000, 97),
    "float_nan": np.array([1.5, np.nan, -2.], np.float32),
    "float_inf": np.array([np.inf, -np.inf, 1.], np.float32),
    "float_nan_int_mode": np.array([1., np.nan, np.inf], np.float32),
    "float_only_nan": np.array([np.nan, np.nan], np.float32),
    "float_nan_sci": np.array([1e-7, np.nan, 1.], np.float32),
    "float_0d_nan": np.array(np.nan, np.float32),
    "float_0d_inf": np.array(-np.inf, np.float32),
    "neg_zero": np.array([-0., 1., 2.], np.float32),
    "neg_zero_frac": np.array([-0., 1.5], np.float32),
    "all_zero": np.zeros(4, np.float32),
    "all_neg_zero": np.array([-0., -0.], np.float32),
    "zeros_2d": np.zeros((2, 3), np.float32),
    "ones_2d": np.ones((2, 3), np.float32),
    "bool_1d": np.array([True, False, True]),
    "bool_all_true": np.array([True, True]),
    "bool_0d": np.array(False),
    "bool_2d": np.eye(3, dtype=bool),
    "f64": np.array([1.5, 2.0], np.float64),
    "f64_0d": np.array(1.5, np.float64),
    "f64_int": np.array([1., 2.], np.float64),
    "f16": np.array([1.5, 2.0, 65504.], np.float16),
    "int32": np.array([1, 2, 3], np.int32),
    "int16": np.array([-1, 2], np.int16),
    "int8": np.array([-128, 127], np.int8),
    "uint8": np.array([0, 255], np.uint8),
    "int32_2d": np.arange(6, dtype=np.int32).reshape(2, 3),
    "int32_0d": np.array(5, np.int32),
    "c64": np.array([1 + 2j, -3.5 - 0.25j], np.complex64),
    "c64_int": np.array([1 + 2j, 3 - 1j], np.complex64),
    "c128": np.array([1 + 2j], np.complex128),
    "c64_0d": np.array(1 - 1j, np.complex64),
    "big_int": np.arange(2000),
    "big_float": _floats((1001,), 1.0),
    "big_2d": _floats((40, 40), 1.0),
    "big_2d_narrow": _floats((500, 3), 1.0),
    "big_3d": _floats((11, 12, 13), 1.0),
    "big_int_2d": np.arange(40 * 30).reshape(40, 30),
    "big_bool": RNG.random(1500) > 0.5,
    "big_sci": _floats((2000,), 1e-6),
    "big_3d_short_dim": _floats((2, 30, 30), 3.0),
    "long_row": _floats((2, 25), 1.0),
    "big_values_hidden": np.concatenate([np.ones(500), np.full(10, 1e10), np.ones(500)]).astype(np.float32),
    "empty": np.zeros(0, np.float32),
    "empty_2d": np.zeros((0, 3), np.float32),
    "empty_2d_b": np.zeros((2, 0), np.float32),
    "empty_int": np.zeros(0, np.int64),
    "empty_int_2d": np.zeros((3, 0), np.int64),
    "empty_f64": np.zeros((0,), np.float64),
    "empty_bool": np.zeros((0,), bool),
    "single": np.array([0.1], np.float32),
    "column": _floats((4, 1), 1.0),
    "size1_dims": _floats((1, 1, 3), 1.0),
    "large_int64": np.array([2 ** 62, -5]),
    "precision_round": np.array([0.99999, 1.00004], np.float32),
    "boundary_1e8": np.array([1e8, 1.], np.float64),
    "boundary_1e8_above": np.array([1.5e8, 1.], np.float64),
    "boundary_1e-4": np.array([1e-4, 0.05], np.float64),
    "boundary_ratio_1000": np.array([1., 1000.], np.float64),
    "boundary_ratio_1001": np.array([1., 1001.], np.float64),
    "f64_int_huge": np.array([1e15, 3.], np.float64),
    "f64_precise": np.array([1.23456789012, 2.5], np.float64),
    "neg_zero_0d": np.array(-0.0, np.float32),
    "neg_zero_sci": np.array([-0.0, 1e-6, 1.], np.float32),
    "c64_nan": np.array([complex(np.nan, 1), complex(1, np.inf)], np.complex64),
    "c64_neg_zero_imag": np.array([complex(1, -0.0), complex(-2, 0.5)], np.complex64),
    "c64_2d": (RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))).astype(np.complex64),
    "c64_big": (RNG.standard_normal((1200,)) + 1e-5j).astype(np.complex64),
    "c64_sci": np.array([1e-6 + 1e3j, 2 + 3j], np.complex64),
    "f16_sci": np.array([1e-3, 60000.], np.float16),
    "f16_0d": np.array(0.333, np.float16),
    "uint8_2d_big": (np.arange(1500) % 256).astype(np.uint8).reshape(30, 50),
    "int_5d": np.arange(64).reshape(2, 2, 2, 2, 4),
    "float_5d_big": _floats((4, 4, 4, 4, 5), 1.0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_matches_torch(name):
    same_repr(CASES[name])


@pytest.mark.parametrize("name", ["float_simple", "float_0d", "float_2d", "float_wrap", "big_2d",
                                  "f64", "empty", "empty_2d", "float_sci_2d", "long_row"])
def test_repr_requires_grad(name):
    same_repr(CASES[name], requires_grad=True)


def test_bfloat16_repr():
    t = torch.tensor([1.5, 2.0, -3.25], dtype=torch.bfloat16)
    s = suanzi.tensor([1.5, 2.0, -3.25], dtype=suanzi.bfloat16)
    assert repr(s) == repr(t)


@pytest.mark.parametrize("op", ["mul", "add", "sub", "div", "neg", "exp"])
def test_grad_fn_suffix(op):
    arr = _floats((2, 3), 1.0)
    outs = []
    for lib in (suanzi, torch):
        a = lib.from_numpy(arr.copy()).requires_grad_()
        b = lib.from_numpy(arr.copy() + 1)
        r = {"mul": lambda: a * b, "add": lambda: a + b, "sub": lambda: a - b,
             "div": lambda: a / b, "neg": lambda: -a, "exp": lambda: a.exp()}[op]()
        outs.append(repr(r))
    assert outs[0] == outs[1]


def test_grad_fn_suffix_wraps_line():
    # the suffix moves to its own line when it would pass the line width
    arr = _floats((8,), 1.0)
    outs = []
    for lib in (suanzi, torch):
        a = lib.from_numpy(arr.copy()).requires_grad_()
        outs.append(repr(a * 2))
        outs.append(repr((a * 2).double() if lib is torch else (a * 2).double()))
    assert outs[0] == outs[2]
    assert outs[1] == outs[3]


def test_dtype_and_requires_grad_suffix_together():
    for arr in (_floats((9,), 1.0, np.float64), _floats((3, 4), 1.0, np.float64)):
        same_repr(arr, requires_grad=True)


def test_default_dtype_changes_suffix():
    arrs = [np.array([1.5, 2.], np.float64), np.array([1.5, 2.], np.float32), np.zeros(0, np.float64),
            np.zeros(0, np.float32), np.array([1 + 1j], np.complex128), np.array([1 + 1j], np.complex64)]
    old_t, old_s = torch.get_default_dtype(), suanzi.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)
        suanzi.set_default_dtype(suanzi.float64)
        for a in arrs:
            same_repr(a)
    finally:
        torch.set_default_dtype(old_t)
        suanzi.set_default_dtype(old_s)


def test_str_equals_repr_and_format():
    s, t = both(np.array([1.5, 2.], np.float32))
    assert str(s) == str(t)
    assert f"{s}" == f"{t}"
    s0, t0 = both(np.array(1.23456, np.float32))
    assert f"{s0:.2f}" == f"{t0:.2f}"


def test_non_contiguous_prints_like_torch():
    arr = np.arange(24, dtype=np.float32).reshape(4, 6) / 7
    for view in (arr.T, arr[:, ::2], arr[::-1][::-1][1:, 2:]):
        assert repr(suanzi.from_numpy(view)) == repr(torch.from_numpy(np.ascontiguousarray(view)))


OPTION_SETS = [
    dict(precision=2), dict(precision=8), dict(precision=0), dict(threshold=5),
    dict(threshold=5, edgeitems=1), dict(threshold=5, edgeitems=0), dict(edgeitems=1, threshold=10),
    dict(linewidth=40), dict(linewidth=200), dict(linewidth=10), dict(sci_mode=True),
    dict(sci_mode=False), dict(profile="short"), dict(profile="full"),
    dict(sci_mode=True, precision=2),
]


@pytest.mark.parametrize("opts", OPTION_SETS, ids=[str(o) for o in OPTION_SETS])
@pytest.mark.parametrize("name", ["float_simple", "float_2d", "float_3d", "big_2d", "int_2d",
                                  "float_wrap", "big_int", "float_small", "float_big",
                                  "float_int_valued", "bool_2d", "f64", "float_0d", "c64",
                                  "float_nan", "empty_2d", "long_row"])
def test_printoptions(opts, name):
    old_t = torch._tensor_str.get_printoptions()
    old_s = get_printoptions()
    try:
        torch.set_printoptions(**opts)
        set_printoptions(**opts)
        same_repr(CASES[name])
        if name in ("float_2d", "float_wrap"):
            same_repr(CASES[name], requires_grad=True)
    finally:
        torch.set_printoptions(**old_t)
        set_printoptions(**old_s)


def test_printoptions_context_manager_restores():
    before = get_printoptions()
    with printoptions(precision=1):
        s, _ = both(np.array([1.2345], np.float32))
        assert repr(s) == "tensor([1.2])"
    assert get_printoptions() == before
    s, t = both(np.array([1.2345], np.float32))
    assert repr(s) == repr(t)


def test_set_printoptions_sci_mode_reset_to_auto():
    old = get_printoptions()
    try:
        set_printoptions(sci_mode=True)
        assert get_printoptions()["sci_mode"] is True
        set_printoptions(precision=4)  # like torch: sci_mode goes back to None
        assert get_printoptions()["sci_mode"] is None
    finally:
        set_printoptions(**old)


@pytest.mark.parametrize("seed", range(25))
def test_random_floats_repr(seed):
    rng = np.random.default_rng(seed)
    ndim = rng.integers(0, 4)
    shape = tuple(rng.integers(1, 6, size=ndim))
    scale = 10.0 ** rng.integers(-6, 9)
    arr = (rng.standard_normal(shape) * scale).astype(np.float32)
    if rng.random() < 0.3:
        arr = np.round(arr)
    if rng.random() < 0.2 and arr.size:
        arr.reshape(-1)[0] = 0.0
    same_repr(arr)
    same_repr(arr.astype(np.float64))


@pytest.mark.parametrize("seed", range(10))
def test_random_ints_repr(seed):
    rng = np.random.default_rng(100 + seed)
    ndim = rng.integers(1, 4)
    shape = tuple(rng.integers(1, 9, size=ndim))
    arr = rng.integers(-10 ** rng.integers(1, 9), 10 ** rng.integers(1, 9), size=shape)
    same_repr(arr)
    same_repr(arr.astype(np.int32))


def test_subclass_prefix():
    class MyTensor(suanzi.Tensor):
        pass

    class MyTorch(torch.Tensor):
        pass

    arr = np.array([1.5, 2.0], np.float32)
    s = suanzi.from_numpy(arr.copy())
    s.__class__ = MyTensor
    t = torch.from_numpy(arr.copy()).as_subclass(MyTorch)
    assert repr(s).replace("MyTensor", "MyTorch") == repr(t)


def test_0d_requires_grad_and_grad_fn():
    s, t = both(np.array(2.5, np.float32), requires_grad=True)
    assert repr(s) == repr(t)
    assert repr(s * 2) == repr(t * 2)
    assert repr(s.detach()) == repr(t.detach())


def test_repr_of_bfloat16_various():
    for vals in ([1e-6, 1.0], [0.0, 0.0], [1.0, 2.0], [100.5, -3.25], [float("nan"), 1.5]):
        t = torch.tensor(vals, dtype=torch.bfloat16)
        s = suanzi.tensor(vals, dtype=suanzi.bfloat16)
        assert repr(s) == repr(t)


def test_repr_does_not_change_tensor():
    s = suanzi.from_numpy(_floats((40, 40), 1.0))
    before = s.numpy().copy()
    repr(s)
    np.testing.assert_array_equal(s.numpy(), before)
