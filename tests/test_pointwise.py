"""Pointwise ops against torch: values, dtypes (promotion), gradients (kinks
included), in-place variants and error classes."""
import math

import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_raises, randn, to_suanzi, to_torch

RNG = np.random.default_rng(1234)


def rand(*shape, dtype=np.float32, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def rint(*shape, dtype=np.int64, low=-5, high=6):
    return RNG.integers(low, high, size=shape).astype(dtype)


# shapes for unary ops: plain, 0-d, empty, and (marked) transposed
UNARY_SHAPES = [(3, 4), (), (0, 3), "T"]


def _unary_input(shape, dtype, low, high):
    if shape == "T":
        return rand(4, 3, dtype=dtype, low=low, high=high), True
    return rand(*shape, dtype=dtype, low=low, high=high), False


# name -> (call, low, high); domain chosen away from poles/branch points
UNARY = {
    "abs": (lambda lib, x: lib.abs(x), -2, 2),
    "neg": (lambda lib, x: lib.neg(x), -2, 2),
    "negative": (lambda lib, x: lib.negative(x), -2, 2),
    "neg_op": (lambda lib, x: -x, -2, 2),
    "sign": (lambda lib, x: lib.sign(x), -2, 2),
    "sgn": (lambda lib, x: lib.sgn(x), -2, 2),
    "sqrt": (lambda lib, x: lib.sqrt(x), 0.1, 3),
    "rsqrt": (lambda lib, x: lib.rsqrt(x), 0.2, 3),
    "square": (lambda lib, x: lib.square(x), -2, 2),
    "exp": (lambda lib, x: lib.exp(x), -2, 2),
    "exp2": (lambda lib, x: lib.exp2(x), -2, 2),
    "expm1": (lambda lib, x: lib.expm1(x), -2, 2),
    "log": (lambda lib, x: lib.log(x), 0.1, 3),
    "log2": (lambda lib, x: lib.log2(x), 0.1, 3),
    "log10": (lambda lib, x: lib.log10(x), 0.1, 3),
    "log1p": (lambda lib, x: lib.log1p(x), -0.5, 3),
    "sin": (lambda lib, x: lib.sin(x), -3, 3),
    "cos": (lambda lib, x: lib.cos(x), -3, 3),
    "tan": (lambda lib, x: lib.tan(x), -1.2, 1.2),
    "asin": (lambda lib, x: lib.asin(x), -0.9, 0.9),
    "arcsin": (lambda lib, x: lib.arcsin(x), -0.9, 0.9),
    "acos": (lambda lib, x: lib.acos(x), -0.9, 0.9),
    "arccos": (lambda lib, x: lib.arccos(x), -0.9, 0.9),
    "atan": (lambda lib, x: lib.atan(x), -3, 3),
    "arctan": (lambda lib, x: lib.arctan(x), -3, 3),
    "sinh": (lambda lib, x: lib.sinh(x), -2, 2),
    "cosh": (lambda lib, x: lib.cosh(x), -2, 2),
    "tanh": (lambda lib, x: lib.tanh(x), -2, 2),
    "sigmoid": (lambda lib, x: lib.sigmoid(x), -4, 4),
    "erf": (lambda lib, x: lib.erf(x), -3, 3),
    "erfc": (lambda lib, x: lib.erfc(x), -3, 3),
    "erfinv": (lambda lib, x: lib.erfinv(x), -0.95, 0.95),
    "floor": (lambda lib, x: lib.floor(x), -3, 3),
    "ceil": (lambda lib, x: lib.ceil(x), -3, 3),
    "round": (lambda lib, x: lib.round(x), -3, 3),
    "round_dec2": (lambda lib, x: lib.round(x, decimals=2), -3, 3),
    "round_dec-1": (lambda lib, x: lib.round(x * 100, decimals=-1), -3, 3),
    "trunc": (lambda lib, x: lib.trunc(x), -3, 3),
    "fix": (lambda lib, x: lib.fix(x), -3, 3),
    "frac": (lambda lib, x: lib.frac(x), -3, 3),
    "reciprocal": (lambda lib, x: lib.reciprocal(x), 0.3, 3),
    "nan_to_num": (lambda lib, x: lib.nan_to_num(x), -2, 2),
    "clamp": (lambda lib, x: lib.clamp(x, -0.5, 0.7), -2, 2),
    "clamp_min": (lambda lib, x: lib.clamp_min(x, -0.5), -2, 2),
    "clamp_max": (lambda lib, x: lib.clamp_max(x, 0.5), -2, 2),
    "clip": (lambda lib, x: lib.clip(x, min=-0.5), -2, 2),
    "pow2": (lambda lib, x: lib.pow(x, 2), -2, 2),
    "pow3.5": (lambda lib, x: x ** 3.5, 0.1, 2),
    "pow-1": (lambda lib, x: x ** -1, 0.3, 2),
    "pow0": (lambda lib, x: x ** 0, -2, 2),
    "rpow": (lambda lib, x: 2.5 ** x, -2, 2),
    "rpow_int": (lambda lib, x: 3 ** x, -2, 2),
    "float_power": (lambda lib, x: lib.float_power(x, 2), -2, 2),
    "abs_op": (lambda lib, x: abs(x), -2, 2),
    "pos_op": (lambda lib, x: +x, -2, 2),
    "add_scalar": (lambda lib, x: x + 1.5, -2, 2),
    "rsub_scalar": (lambda lib, x: 1.5 - x, -2, 2),
    "rdiv_scalar": (lambda lib, x: 1.5 / x, 0.3, 2),
    "floordiv_scalar": (lambda lib, x: x // 0.7, -2, 2),
    "rfloordiv_scalar": (lambda lib, x: 3 // x, 0.3, 2),
    "mod_scalar": (lambda lib, x: x % 0.7, -2, 2),
    "rmod_scalar": (lambda lib, x: 3 % x, 0.3, 2),
    "fmod_scalar": (lambda lib, x: lib.fmod(x, -0.7), -2, 2),
    "remainder_neg": (lambda lib, x: lib.remainder(x, -0.7), -2, 2),
    "div_trunc": (lambda lib, x: lib.div(x, 0.7, rounding_mode="trunc"), -2, 2),
    "div_floor": (lambda lib, x: lib.div(x, 0.7, rounding_mode="floor"), -2, 2),
    "copysign_scalar": (lambda lib, x: lib.copysign(x, -1.0), -2, 2),
    "lerp_scalar": (lambda lib, x: lib.lerp(x, x * 2 + 1, 0.3), -2, 2),
    "addcmul_val": (lambda lib, x: lib.addcmul(x, x, x, value=0.5), -2, 2),
    "addcdiv_val": (lambda lib, x: lib.addcdiv(x, x, x + 3, value=2), -2, 2),
}


# torch defines no derivative for these (backward raises)
NO_DERIVATIVE = {"floordiv_scalar", "rfloordiv_scalar", "rmod_scalar", "floordiv",
                 "floor_divide_", "ifloordiv"}


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_float(name, dtype, shape):
    fn, low, high = UNARY[name]
    x, transpose = _unary_input(shape, dtype, low, high)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    grad = name not in NO_DERIVATIVE
    if transpose:
        check(lambda lib, a: fn(lib, a.t()), x, grad=grad, **tol)
    else:
        check(fn, x, grad=grad, **tol)


UNARY_METHODS = ["abs", "neg", "sign", "sgn", "sqrt", "rsqrt", "square", "exp", "exp2", "expm1",
                 "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "arcsin", "acos",
                 "arccos", "atan", "arctan", "sinh", "cosh", "tanh", "sigmoid", "erf", "erfc",
                 "erfinv", "floor", "ceil", "round", "trunc", "fix", "frac", "reciprocal",
                 "nan_to_num", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit",
                 "logical_not", "positive"]


@pytest.mark.parametrize("name", UNARY_METHODS)
def test_unary_method_and_inplace(name):
    x = rand(3, 4, low=0.1, high=0.9)
    check(lambda lib, a: getattr(a, name)(), x)
    if hasattr(torch.Tensor, name + "_"):
        check(lambda lib, a: getattr(a.clone(), name + "_")(), x, grad=False)
        check(lambda lib, a: getattr(a * 1, name + "_")(), x)


@pytest.mark.parametrize("name", ["abs", "neg", "sign", "sgn", "sqrt", "rsqrt", "square", "exp",
                                  "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos",
                                  "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                                  "sigmoid", "erf", "erfc", "erfinv", "floor", "ceil", "round",
                                  "trunc", "reciprocal", "nan_to_num", "isnan", "isinf",
                                  "isfinite", "isposinf", "isneginf", "isreal", "signbit",
                                  "logical_not", "bitwise_not"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8, np.bool_])
def test_unary_int_bool_dtypes(name, dtype):
    x = rint(2, 3, dtype=dtype, low=0, high=3) if dtype != np.bool_ else RNG.random((2, 3)) > 0.5
    f = lambda lib, a: getattr(lib, name)(a)  # noqa: E731
    try:
        getattr(torch, name)(to_torch(x))
    except Exception:
        check_raises(f, x)
        return
    check(f, x)


@pytest.mark.parametrize("dtype", [np.int64, np.int16, np.bool_, np.float32])
@pytest.mark.parametrize("name", ["abs", "neg", "sign", "floor", "round", "frac", "square"])
def test_unary_dtype_keeping(name, dtype):
    x = rint(5, dtype=dtype) if dtype != np.bool_ else np.array([True, False, True])
    f = lambda lib, a: getattr(lib, name)(a)  # noqa: E731
    try:
        getattr(torch, name)(to_torch(x))
    except Exception:
        check_raises(f, x)
        return
    check(f, x)


def test_int_overflow_abs_neg():
    x = np.array([-128, 127, 0], dtype=np.int8)
    check(lambda lib, a: (lib.abs(a), -a, a * 2, a + 100), x)


# ---------------------------------------------------------------- float16 / bfloat16
@pytest.mark.parametrize("name", ["sqrt", "exp", "sin", "tanh", "sigmoid", "erf", "erfc", "floor",
                                  "abs", "reciprocal"])
def test_unary_half(name):
    x = rand(6, low=0.2, high=2.0, dtype=np.float16)
    check(lambda lib, a: getattr(lib, name)(a), x, rtol=2e-3, atol=2e-3)
    check(lambda lib, a: getattr(lib, name)(a.to(lib.bfloat16)).float(), x, rtol=2e-2, atol=2e-2,
          grad=False)


# ---------------------------------------------------------------- erf accuracy (float64)
def test_erf_erfc_float64_accuracy():
    x = np.concatenate([np.linspace(-30, 30, 20001), np.geomspace(1e-300, 30, 500),
                        -np.geomspace(1e-300, 30, 500), [0.0, -0.0, np.inf, -np.inf, np.nan]])
    t = torch.from_numpy(x)
    s = suanzi.from_numpy(x)
    np.testing.assert_allclose(suanzi.erf(s).numpy(), torch.erf(t).numpy(), rtol=2e-15, atol=0)
    ref = torch.erfc(t).numpy()
    got = suanzi.erfc(s).numpy()
    big = np.abs(ref) > 1e-300
    np.testing.assert_allclose(got[big], ref[big], rtol=5e-15, atol=0)
    np.testing.assert_allclose(got[~big], ref[~big], atol=1e-300)


def test_erfinv_values():
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 2001), [1.0, -1.0, 1.5, -2.0, 0.0,
                                                                  np.nan]])
    s = suanzi.erfinv(suanzi.from_numpy(y)).numpy()
    t = torch.erfinv(torch.from_numpy(y)).numpy()
    np.testing.assert_allclose(s, t, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- binary ops
BINARY = {
    "add": (lambda lib, a, b: lib.add(a, b), None),
    "add_alpha": (lambda lib, a, b: lib.add(a, b, alpha=2.5), None),
    "sub": (lambda lib, a, b: lib.sub(a, b), None),
    "sub_alpha": (lambda lib, a, b: lib.sub(a, b, alpha=-1.5), None),
    "subtract": (lambda lib, a, b: lib.subtract(a, b), None),
    "mul": (lambda lib, a, b: a * b, None),
    "div": (lambda lib, a, b: a / b, "pos_b"),
    "true_divide": (lambda lib, a, b: lib.true_divide(a, b), "pos_b"),
    "div_trunc": (lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"), "pos_b"),
    "div_floor": (lambda lib, a, b: lib.div(a, b, rounding_mode="floor"), "pos_b"),
    "floordiv": (lambda lib, a, b: a // b, "pos_b"),
    "mod": (lambda lib, a, b: a % b, "pos_b"),
    "remainder_neg": (lambda lib, a, b: lib.remainder(a, -b), "pos_b"),
    "fmod": (lambda lib, a, b: lib.fmod(a, b), "pos_b"),
    "pow": (lambda lib, a, b: a ** b, "pos_a"),
    "pow_fn": (lambda lib, a, b: lib.pow(a, b), "pos_a"),
    "float_power": (lambda lib, a, b: lib.float_power(a, b), "pos_a"),
    "atan2": (lambda lib, a, b: lib.atan2(a, b), None),
    "arctan2": (lambda lib, a, b: lib.arctan2(a, b), None),
    "hypot": (lambda lib, a, b: lib.hypot(a, b), None),
    "logaddexp": (lambda lib, a, b: lib.logaddexp(a, b), None),
    "maximum": (lambda lib, a, b: lib.maximum(a, b), None),
    "minimum": (lambda lib, a, b: lib.minimum(a, b), None),
    "fmax": (lambda lib, a, b: lib.fmax(a, b), None),
    "fmin": (lambda lib, a, b: lib.fmin(a, b), None),
    "copysign": (lambda lib, a, b: lib.copysign(a, b), None),
    "lerp": (lambda lib, a, b: lib.lerp(a, b, 0.7), None),
    "lerp_tensor_w": (lambda lib, a, b: lib.lerp(a, b, lib.sigmoid(a + b)), None),
    "clamp_tensor": (lambda lib, a, b: lib.clamp(a, min=b), None),
    "clamp_tensor_max": (lambda lib, a, b: lib.clamp(a, max=b), None),
    "clamp_tensor_both": (lambda lib, a, b: lib.clamp(a, min=b - 0.5, max=b + 0.5), None),
    "clamp_crossed": (lambda lib, a, b: lib.clamp(a, min=b, max=b - 1), None),
    "addcmul": (lambda lib, a, b: lib.addcmul(a, a, b, value=0.5), None),
    "addcdiv": (lambda lib, a, b: lib.addcdiv(b, a, b, value=-2), "pos_b"),
}

BCAST_SHAPES = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((3,), ()),
                ((0, 4), (1, 4)), ((), ())]


def _binary_inputs(kind, sa, sb, dtype):
    a = rand(*sa, dtype=dtype)
    b = rand(*sb, dtype=dtype)
    if kind == "pos_b":
        b = rand(*sb, dtype=dtype, low=0.3, high=2.0)
    elif kind == "pos_a":
        a = rand(*sa, dtype=dtype, low=0.3, high=2.0)
    return a, b


@pytest.mark.parametrize("shapes", BCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_broadcast(name, shapes):
    fn, kind = BINARY[name]
    a, b = _binary_inputs(kind, *shapes, np.float64)
    check(fn, a, b, rtol=1e-10, atol=1e-12, grad=name not in NO_DERIVATIVE)


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_float32_noncontiguous(name):
    fn, kind = BINARY[name]
    a, b = _binary_inputs(kind, (4, 3), (3, 4), np.float32)
    check(lambda lib, x, y: fn(lib, x.t(), y), a, b, grad=name not in NO_DERIVATIVE)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "floordiv", "mod", "fmod", "pow_fn",
                                  "atan2", "maximum", "minimum", "fmax", "fmin", "copysign",
                                  "remainder_neg", "div_trunc", "div_floor", "addcmul"])
@pytest.mark.parametrize("dtypes", [(np.int64, np.int64), (np.int32, np.int64),
                                    (np.int8, np.uint8), (np.int64, np.float32),
                                    (np.float32, np.float64), (np.bool_, np.int64),
                                    (np.int16, np.float16), (np.bool_, np.bool_)], ids=str)
def test_binary_promotion(name, dtypes):
    fn, kind = BINARY[name]
    a = rint(3, 4, dtype=dtypes[0], low=-4, high=5) if dtypes[0] != np.bool_ else \
        RNG.random((3, 4)) > 0.5
    b = rint(3, 4, dtype=dtypes[1], low=1, high=4) if dtypes[1] != np.bool_ else \
        np.ones((3, 4), bool)
    if kind == "pos_a" and dtypes[0] != np.bool_:
        a = np.abs(a) + 1
    try:
        fn(torch, to_torch(a), to_torch(b))
    except Exception:
        check_raises(fn, a, b)
        return
    check(fn, a, b, grad=False, rtol=1e-3, atol=1e-3)


# dimensioned tensor vs 0-d tensor vs Python scalar (spec 0.2)
PROMO_CASES = [
    (np.int64, 1.5), (np.float32, np.float64(2.5)), (np.int32, True), (np.bool_, 1),
    (np.bool_, 2.5), (np.uint8, -1), (np.int8, 200), (np.float16, 1.5), (np.int64, 3),
]


@pytest.mark.parametrize("op", ["add", "mul", "sub", "div", "floordiv", "mod", "pow", "rsub",
                                "rdiv", "rpow", "rmod", "rfloordiv", "eq", "lt", "maximum",
                                "clamp", "atan2", "and"])
@pytest.mark.parametrize("case", PROMO_CASES, ids=str)
def test_scalar_promotion(op, case):
    dtype, s = case
    x = rint(5, dtype=dtype, low=1, high=5) if dtype != np.bool_ else np.array([True, False] * 2
                                                                                + [True])
    fns = {
        "add": lambda lib, a: a + s, "mul": lambda lib, a: a * s, "sub": lambda lib, a: a - s,
        "div": lambda lib, a: a / s, "floordiv": lambda lib, a: a // s,
        "mod": lambda lib, a: a % s, "pow": lambda lib, a: a ** s,
        "rsub": lambda lib, a: s - a, "rdiv": lambda lib, a: s / a,
        "rpow": lambda lib, a: s ** a, "rmod": lambda lib, a: s % a,
        "rfloordiv": lambda lib, a: s // a, "eq": lambda lib, a: a == s,
        "lt": lambda lib, a: a < s, "maximum": lambda lib, a: lib.maximum(a, lib.tensor(s)),
        "clamp": lambda lib, a: lib.clamp(a, min=s), "atan2": lambda lib, a: lib.atan2(
            a, lib.tensor(s)), "and": lambda lib, a: a & s,
    }
    fn = fns[op]
    try:
        fn(torch, to_torch(x))
    except Exception:
        check_raises(fn, x)
        return
    check(fn, x, grad=False, rtol=1e-3)


@pytest.mark.parametrize("dtypes", [(np.int64, np.float64), (np.float32, np.float64),
                                    (np.int32, np.int64), (np.int64, np.float16),
                                    (np.bool_, np.int8), (np.uint8, np.int8),
                                    (np.float16, np.float64)], ids=str)
@pytest.mark.parametrize("op", ["add", "mul", "div", "pow", "maximum", "eq", "floordiv"])
def test_zero_dim_promotion(op, dtypes):
    x = rint(4, dtype=dtypes[0], low=1, high=4) if dtypes[0] != np.bool_ else \
        np.array([True, False, True, True])
    z = np.array(2, dtype=dtypes[1])
    fns = {"add": lambda lib, a, b: (a + b, b + a), "mul": lambda lib, a, b: a * b,
           "div": lambda lib, a, b: (a / b, b / a), "pow": lambda lib, a, b: (a ** b, b ** a),
           "maximum": lambda lib, a, b: lib.maximum(a, b), "eq": lambda lib, a, b: a == b,
           "floordiv": lambda lib, a, b: a // b}
    check(fns[op], x, z, grad=False, rtol=1e-3)


# ---------------------------------------------------------------- integer semantics
def test_integer_division_semantics():
    a = np.array([7, -7, 7, -7, 0, 5], dtype=np.int64)
    b = np.array([2, 2, -2, -2, 3, 5], dtype=np.int64)
    check(lambda lib, x, y: (x // y, x % y, lib.fmod(x, y), lib.remainder(x, y), x / y,
                             lib.div(x, y, rounding_mode="trunc"),
                             lib.div(x, y, rounding_mode="floor"),
                             lib.floor_divide(x, y)), a, b)


def test_float_division_semantics():
    a = np.array([7.5, -7.5, 7.5, -7.5, 0.0, -0.0, 3.0, -3.5, 1.0, -1.0, np.inf, np.nan])
    b = np.array([2.0, 2.0, -2.0, -2.0, 3.0, 3.0, 0.0, 2.0, 0.0, 0.0, 2.0, 1.0])
    check(lambda lib, x, y: (x // y, x % y, lib.fmod(x, y), x / y,
                             lib.div(x, y, rounding_mode="trunc"),
                             lib.div(x, y, rounding_mode="floor")), a, b, grad=False)


@pytest.mark.parametrize("expr", [
    lambda lib, a: a // 0, lambda lib, a: a % 0, lambda lib, a: lib.fmod(a, 0),
    lambda lib, a: lib.div(a, 0, rounding_mode="trunc"),
    lambda lib, a: lib.div(a, 0, rounding_mode="floor"),
    lambda lib, a: a // lib.zeros(3, dtype=lib.int64),
    lambda lib, a: lib.remainder(a, lib.tensor([1, 0, 1])),
])
def test_int_division_by_zero_raises(expr):
    check_raises(expr, np.array([3, -3, 0]))


def test_int_true_div_by_zero_is_float():
    check(lambda lib, a: (a / 0, a / lib.zeros(3, dtype=lib.int64)), np.array([3, -3, 0]))


def test_integer_overflow_wraps():
    a = np.array([100, -100, 127], dtype=np.int8)
    check(lambda lib, x: (x + x, x * 3, x + 200, x - 200, x ** 2), a)
    b = np.array([2 ** 62, -2 ** 62], dtype=np.int64)
    check(lambda lib, x: (x + x, x * 4), b)


def test_pow_integer_rules():
    base = np.array([1, -1, 2, -2, 0, 3, -1], dtype=np.int64)
    exp_ = np.array([-1, -1, -1, -2, -1, 0, -2], dtype=np.int64)
    check(lambda lib, a, e: (a ** e, lib.pow(a, e), 2 ** e, a ** 0, a ** 3, (-1) ** e), base,
          exp_)
    check_raises(lambda lib, a: a ** -1, base)
    check_raises(lambda lib, a: lib.pow(a, -2), base)
    check_raises(lambda lib, a: a.pow_(-1), base)
    check(lambda lib, a: (a ** 0.5, a ** -1.0, a.pow(2.0)), np.abs(base))
    check_raises(lambda lib, a: a ** a, np.array([True, False]))
    check(lambda lib, a: (a ** 2, a ** 0.5), np.array([True, False]))


def test_pow_float_special_values():
    a = np.array([0.0, -1.0, 2.0, -0.0, np.inf, np.nan])
    check(lambda lib, x: (x ** 0, x ** 0.5, x ** -1, 0 ** x, x ** 2), a, grad=False)


def test_sign_nan_and_signbit():
    a = np.array([np.nan, -0.0, 0.0, -2.0, 3.0, np.inf, -np.inf])
    check(lambda lib, x: (lib.sign(x), lib.sgn(x), lib.signbit(x), lib.isnan(x), lib.isinf(x),
                          lib.isposinf(x), lib.isneginf(x), lib.isfinite(x), lib.isreal(x)), a)


def test_round_half_even_and_decimals():
    a = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1.2345, 12.5, 1234.5, -0.0051])
    check(lambda lib, x: (lib.round(x), lib.round(x, decimals=1), lib.round(x, decimals=3),
                          lib.round(x, decimals=-1), lib.round(x, decimals=-2)), a)
    check(lambda lib, x: lib.round(x, decimals=2), a.astype(np.float32))
    check_raises(lambda lib, x: lib.round(x, decimals=1), np.array([1, 2]))
    check_raises(lambda lib, x: lib.frac(x), np.array([1, 2]))


def test_nan_to_num_values():
    a = np.array([np.nan, np.inf, -np.inf, 1.0, -2.0], dtype=np.float32)
    check(lambda lib, x: (lib.nan_to_num(x), lib.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0),
                          lib.nan_to_num(x, posinf=7.0)), a)
    check(lambda lib, x: lib.nan_to_num(x), a.astype(np.float16), grad=False)
    check(lambda lib, x: lib.nan_to_num(x), a.astype(np.float64))


# ---------------------------------------------------------------- comparisons / logical / bitwise
CMP = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
       "not_equal"]


@pytest.mark.parametrize("name", CMP)
@pytest.mark.parametrize("dtypes", [(np.float32, np.float32), (np.int64, np.float32),
                                    (np.int8, np.int64), (np.bool_, np.int64)], ids=str)
def test_comparisons(name, dtypes):
    a = rint(3, 4, dtype=dtypes[0], low=0, high=2)
    b = rint(4, dtype=dtypes[1], low=0, high=2)
    if dtypes[0] == np.float32:
        a[0, 0] = np.nan
    check(lambda lib, x, y: (getattr(lib, name)(x, y), getattr(x, name)(y),
                             getattr(lib, name)(x, 1), getattr(lib, name)(x, 0.5)),
          a, b, grad=False)


def test_comparison_operators_and_no_grad():
    a = rand(3, 4)
    b = rand(4)
    s, t = check(lambda lib, x, y: (x == y, x != y, x < y, x <= y, x > y, x >= y, x == 0.5,
                                    0.5 < x, x > x, x == x), a, b)
    assert all(not r.requires_grad for r in s)
    assert (suanzi.ones(2) == None) is False  # noqa: E711
    assert (suanzi.ones(2) != "a") is True
    assert suanzi.ones(2).__eq__(None) is NotImplemented


def test_int8_compare_wraps_scalar():
    check(lambda lib, x: x == 200, np.array([-56, 1], dtype=np.int8))


LOGICAL = ["logical_and", "logical_or", "logical_xor"]


@pytest.mark.parametrize("name", LOGICAL)
def test_logical(name):
    a = np.array([[0.0, 1.5, -2.0, np.nan]], dtype=np.float32)
    b = np.array([[0], [3]], dtype=np.int64)
    check(lambda lib, x, y: (getattr(lib, name)(x, y), getattr(x, name)(y),
                             getattr(lib, name)(y, y > 0)), a, b, grad=False)
    check(lambda lib, x: (lib.logical_not(x), x.logical_not()), a, grad=False)


BITWISE = ["bitwise_and", "bitwise_or", "bitwise_xor"]


@pytest.mark.parametrize("name", BITWISE)
@pytest.mark.parametrize("dtypes", [(np.int64, np.int64), (np.bool_, np.bool_),
                                    (np.int32, np.bool_), (np.uint8, np.int8),
                                    (np.float32, np.int64)], ids=str)
def test_bitwise(name, dtypes):
    a = rint(3, 4, dtype=dtypes[0], low=0, high=9) if dtypes[0] != np.bool_ else \
        RNG.random((3, 4)) > 0.5
    b = rint(4, dtype=dtypes[1], low=0, high=9) if dtypes[1] != np.bool_ else \
        RNG.random(4) > 0.5
    fn = lambda lib, x, y: getattr(lib, name)(x, y)  # noqa: E731
    try:
        fn(torch, to_torch(a), to_torch(b))
    except Exception:
        check_raises(fn, a, b)
        return
    check(fn, a, b, grad=False)


def test_bitwise_operators():
    i = np.array([3, -3, 0, 12], dtype=np.int64)
    bl = np.array([True, False, True, False])
    check(lambda lib, x, y: (x & y, x | y, x ^ y, ~x, ~y, y & True, y | 1, x & 1, 5 & x,
                             1 | y, x ^ 6, x << 2, x >> 1, lib.bitwise_not(x),
                             lib.bitwise_not(y), x & y.int()), i, bl, grad=False)
    check_raises(lambda lib, x: ~x, rand(3))
    check_raises(lambda lib, x: x & x, rand(3))
    check_raises(lambda lib, x: lib.bitwise_not(x), rand(3))
    check_raises(lambda lib, x: x & 1.5, i)


def test_equal_allclose_isclose():
    a = np.array([1.0, np.nan, np.inf, -np.inf, 2.0])
    b = np.array([1.0 + 1e-9, np.nan, np.inf, np.inf, 2.1])
    check(lambda lib, x, y: (lib.isclose(x, y), lib.isclose(x, y, equal_nan=True),
                             lib.isclose(x, y, rtol=0.1), lib.isclose(x, y, rtol=0, atol=0),
                             lib.allclose(x, y), lib.allclose(x[:1], y[:1]),
                             lib.equal(x, y), lib.equal(x, x), lib.equal(x[:1], x[:1]),
                             x.allclose(y, atol=0.2, equal_nan=True), x.isclose(y)), a, b,
          grad=False)
    i = np.array([1, 2, 3])
    check(lambda lib, x: (lib.isclose(x, x + 1), lib.isclose(x, x), lib.equal(x, x.float()),
                          lib.equal(x, x[:2]), lib.allclose(x, x)), i, grad=False)
    check_raises(lambda lib, x: lib.isclose(x, x.float()), i)
    check_raises(lambda lib, x: lib.allclose(x, x.float()), i)
    assert suanzi.equal(suanzi.ones(2), suanzi.ones(2)) is True


# ---------------------------------------------------------------- clamp details
def test_clamp_variants():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0, np.nan], dtype=np.float32)
    check(lambda lib, a: (lib.clamp(a, -0.5, 0.5), lib.clamp(a, min=1, max=0),
                          lib.clamp(a, max=0.0), a.clamp(min=0.0), a.clip(-1, 1),
                          lib.clamp(a, min=float("nan"))), x)
    i = np.array([3, -3, 0])
    check(lambda lib, a: (lib.clamp(a, min=0.5), lib.clamp(a, min=1), lib.clamp(a, -1, 1),
                          lib.clamp(a, min=lib.tensor([0.5, 0.5, 0.5])),
                          lib.clamp_min(a, 0), lib.clamp_max(a, 0)), i)
    check(lambda lib, a: lib.clamp(a, min=0), np.array([True, False]))
    check_raises(lambda lib, a: lib.clamp(a), x)
    check_raises(lambda lib, a: lib.clamp(a, min=lib.zeros(6), max=1.0), x)
    check_raises(lambda lib, a: lib.clamp(a, min=lib.zeros(4)), x)


def test_clamp_tensor_bounds_grads():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0, 1.0, -1.0])
    lo = np.array([-1.0, -0.5, 0.5, 0.0, 0.0, 2.0, 0.0])
    hi = np.array([1.0, 1.0, 1.0, 0.5, 1.0, 0.0, -2.0])
    check(lambda lib, a, l, h: lib.clamp(a, l, h), x, lo, hi)
    check(lambda lib, a, l: lib.clamp(a, min=l), x, lo)
    check(lambda lib, a, h: lib.clamp(a, max=h), x, hi)
    check(lambda lib, a, l, h: lib.clamp(a, lib.tensor(0.0, dtype=lib.float64) * l.sum(), h),
          x, lo, hi)


# ---------------------------------------------------------------- kink gradients
@pytest.mark.parametrize("expr", [lambda lib, x: x // 2.0, lambda lib, x: 3 // x,
                                  lambda lib, x: lib.floor_divide(x, x), lambda lib, x: 3 % x,
                                  lambda lib, x: (x * 1).floor_divide_(2)])
def test_no_derivative_backward_raises(expr):
    check_raises(lambda lib, x: expr(lib, x.requires_grad_()).sum().backward(), rand(3) + 3)


def test_kink_gradients():
    x = np.array([0.0, -0.0, 1.0, -1.0, 2.0], dtype=np.float64)
    check(lambda lib, a: lib.abs(a), x)
    check(lambda lib, a: lib.sqrt(a), np.array([0.0, 1.0, 4.0]))
    check(lambda lib, a: lib.rsqrt(a), np.array([0.0, 1.0, 4.0]))
    check(lambda lib, a: lib.clamp(a, -1.0, 1.0), x)
    check(lambda lib, a: lib.clamp(a, min=1.0), x)
    check(lambda lib, a: lib.clamp(a, max=-1.0), x)
    check(lambda lib, a: lib.clamp(a, min=1.0, max=-1.0), x)
    check(lambda lib, a: (lib.sign(a), lib.floor(a), lib.ceil(a), lib.round(a), lib.trunc(a),
                          lib.round(a, decimals=1),
                          lib.div(a, 2.0, rounding_mode="floor"),
                          lib.div(a, 2.0, rounding_mode="trunc")), x)
    check(lambda lib, a: a ** 0, x)
    check(lambda lib, a: a ** 2, x)
    check(lambda lib, a: a ** 0.5, np.array([0.0, 1.0, 4.0]))
    check(lambda lib, a: a ** 1, x)
    check(lambda lib, a: lib.log(a), np.array([0.0, 1.0]))
    check(lambda lib, a: lib.nan_to_num(a), np.array([np.nan, np.inf, 1.0]))
    check(lambda lib, a: lib.frac(a), x)
    check(lambda lib, a: lib.copysign(a, -1.0), x)


def test_maximum_minimum_ties_and_nan():
    a = np.array([1.0, 2.0, 3.0, np.nan, 1.0, np.nan])
    b = np.array([1.0, 3.0, 2.0, 1.0, np.nan, np.nan])
    for fn in ("maximum", "minimum", "fmax", "fmin"):
        check(lambda lib, x, y: getattr(lib, fn)(x, y), a, b)
    check(lambda lib, x, y: lib.maximum(x, y), np.ones((2, 3)), np.ones(3))


def test_pow_gradient_special_cases():
    base = np.array([0.0, 0.0, 0.0, 2.0, -2.0, 1.5])
    ex = np.array([0.0, 2.0, 0.5, 0.0, 2.0, -1.0])
    check(lambda lib, a, e: a ** e, base, ex)
    check(lambda lib, e: 0.0 ** e, np.array([0.0, 1.0, 2.0, 0.5]))
    check(lambda lib, e: 0 ** e, np.array([0.0, 1.0, 2.0, 0.5]))
    check(lambda lib, e: 2 ** e, np.array([0.0, 1.0, -2.0]))
    check(lambda lib, a, e: lib.float_power(a, e), base.astype(np.float32),
          ex.astype(np.float32))


def test_hypot_atan2_logaddexp_edges():
    a = np.array([0.0, 3.0, -1.0, 1e3, -1e3])
    b = np.array([0.0, 4.0, 0.0, 1e3, 2.0])
    check(lambda lib, x, y: (lib.hypot(x, y), lib.atan2(x, y), lib.logaddexp(x, y)), a, b)


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("expr", [
    lambda lib, b: b - b, lambda lib, b: b - True, lambda lib, b: 1 - b,
    lambda lib, b: lib.sub(b, b), lambda lib, b: -b, lambda lib, b: lib.neg(b),
    lambda lib, b: lib.abs(b), lambda lib, b: b // b, lambda lib, b: b % b,
    lambda lib, b: b ** b, lambda lib, b: b.clone().neg_(), lambda lib, b: b.clone().abs_(),
    lambda lib, b: lib.zeros(2) - b, lambda lib, b: lib.tensor([1, 2]).sub_(True),
])
def test_bool_errors(expr):
    check_raises(expr, np.array([True, False]))


@pytest.mark.parametrize("expr", [
    lambda lib, a, b: a + b, lambda lib, a, b: a * b, lambda lib, a, b: a - b,
    lambda lib, a, b: a / b, lambda lib, a, b: a ** b, lambda lib, a, b: a // b,
    lambda lib, a, b: lib.maximum(a, b), lambda lib, a, b: lib.atan2(a, b),
    lambda lib, a, b: a == b, lambda lib, a, b: a < b, lambda lib, a, b: lib.hypot(a, b),
    lambda lib, a, b: lib.lerp(a, b, 0.5), lambda lib, a, b: lib.logical_and(a, b),
    lambda lib, a, b: a.add_(b), lambda lib, a, b: a.mul_(b), lambda lib, a, b: a.div_(b),
    lambda lib, a, b: a.clamp_(min=b), lambda lib, a, b: a.pow_(b), lambda lib, a, b: a.atan2_(b),
])
def test_broadcast_errors(expr):
    check_raises(expr, rand(2, 3), rand(2))


@pytest.mark.parametrize("expr", [
    lambda lib, a, b: a.add_(b), lambda lib, a, b: a.mul_(b), lambda lib, a, b: a.div_(b),
    lambda lib, a, b: a.pow_(b), lambda lib, a, b: a.clamp_(min=b), lambda lib, a, b: a.sub_(b),
    lambda lib, a, b: a.atan2_(b), lambda lib, a, b: a.lerp_(b, 0.5),
])
def test_inplace_broadcast_grows_self(expr):
    check_raises(expr, rand(3), rand(2, 3))


@pytest.mark.parametrize("expr", [
    lambda lib, i: i.add_(1.5), lambda lib, i: i.sub_(0.5), lambda lib, i: i.mul_(1.5),
    lambda lib, i: i.div_(2), lambda lib, i: i.sqrt_(), lambda lib, i: i.exp_(),
    lambda lib, i: i.sigmoid_(), lambda lib, i: i.clamp_(0.5), lambda lib, i: i.pow_(2.0),
    lambda lib, i: i.add_(lib.ones(3)), lambda lib, i: i.__itruediv__(2),
    lambda lib, i: i.__ifloordiv__(2.5), lambda lib, i: i.float_power_(2),
    lambda lib, i: i.lerp_(i, 0.5), lambda lib, i: i.bool().add_(1),
    lambda lib, i: i.bool().bitwise_and_(i), lambda lib, i: i.atan2_(i),
    lambda lib, i: i.float().float_power_(2), lambda lib, i: i.sin_(),
])
def test_inplace_dtype_refusal(expr):
    check_raises(expr, np.array([3, -3, 0]))


@pytest.mark.parametrize("expr", [
    lambda lib, f: lib.sqrt(1.0), lambda lib, f: lib.maximum(f, 2), lambda lib, f: f + None,
    lambda lib, f: f + "a", lambda lib, f: f * [1, 2], lambda lib, f: lib.pow(2.0, 3.0),
    lambda lib, f: lib.div(f, 2, rounding_mode="x"), lambda lib, f: lib.lerp(f, f.double(), 0.5),
    lambda lib, f: lib.lerp(f.long(), f.long(), 0.5), lambda lib, f: lib.hypot(f.long(), f.long()),
    lambda lib, f: lib.logaddexp(f.long(), f.long()),
    lambda lib, f: lib.addcdiv(f, f.long(), f.long()),
    lambda lib, f: lib.add(f.long(), f.long(), alpha=1.5),
    lambda lib, f: f.fill_(lib.ones(2)), lambda lib, f: lib.zeros(2, dtype=lib.int8).fill_(200),
    lambda lib, f: lib.maximum(f, 1.0), lambda lib, f: lib.lerp(f, f, f.double()),
    lambda lib, f: lib.clamp(f.to(lib.int8), min=200), lambda lib, f: f.to(lib.int8) ** 200,
    lambda lib, f: lib.addcmul(f.bool(), f.bool(), f.bool()),
])
def test_misc_errors(expr):
    check_raises(expr, rand(3))


# ---------------------------------------------------------------- in-place variants
INPLACE = {
    "add_": lambda lib, a, b: a.add_(b), "add_alpha": lambda lib, a, b: a.add_(b, alpha=2),
    "sub_": lambda lib, a, b: a.sub_(b, alpha=0.5), "mul_": lambda lib, a, b: a.mul_(b),
    "div_": lambda lib, a, b: a.div_(b), "div_floor": lambda lib, a, b: a.div_(
        b, rounding_mode="floor"),
    "true_divide_": lambda lib, a, b: a.true_divide_(b),
    "floor_divide_": lambda lib, a, b: a.floor_divide_(b),
    "remainder_": lambda lib, a, b: a.remainder_(b), "fmod_": lambda lib, a, b: a.fmod_(b),
    "pow_": lambda lib, a, b: a.abs().pow_(b), "pow_scalar": lambda lib, a, b: a.pow_(2),
    "atan2_": lambda lib, a, b: a.atan2_(b), "hypot_": lambda lib, a, b: a.hypot_(b),
    "lerp_": lambda lib, a, b: a.lerp_(b, 0.3), "copysign_": lambda lib, a, b: a.copysign_(b),
    "clamp_": lambda lib, a, b: a.clamp_(-0.5, 0.5), "clamp_t": lambda lib, a, b: a.clamp_(
        min=b), "clip_": lambda lib, a, b: a.clip_(max=0.2),
    "clamp_min_": lambda lib, a, b: a.clamp_min_(0.1),
    "clamp_max_": lambda lib, a, b: a.clamp_max_(0.1),
    "addcmul_": lambda lib, a, b: a.addcmul_(b, b, value=2),
    "addcdiv_": lambda lib, a, b: a.addcdiv_(b, b + 5),
    "iadd": lambda lib, a, b: a.__iadd__(b), "isub": lambda lib, a, b: a.__isub__(b),
    "imul": lambda lib, a, b: a.__imul__(b), "itruediv": lambda lib, a, b: a.__itruediv__(b),
    "ifloordiv": lambda lib, a, b: a.__ifloordiv__(b), "imod": lambda lib, a, b: a.__imod__(b),
    "ipow": lambda lib, a, b: a.abs().__ipow__(b),
    "eq_": lambda lib, a, b: a.eq_(b), "lt_": lambda lib, a, b: a.lt_(b),
    "ge_": lambda lib, a, b: a.ge_(0.0), "greater_": lambda lib, a, b: a.greater_(b),
    "logical_and_": lambda lib, a, b: a.logical_and_(b),
    "logical_not_": lambda lib, a, b: a.logical_not_(),
    "fill_": lambda lib, a, b: a.fill_(1.5), "fill_t": lambda lib, a, b: a.fill_(b.sum()),
    "zero_": lambda lib, a, b: a.zero_(), "nan_to_num_": lambda lib, a, b: a.nan_to_num_(),
    "float_power_": lambda lib, a, b: a.double().float_power_(2),
    "neg_": lambda lib, a, b: a.neg_(), "abs_": lambda lib, a, b: a.abs_(),
    "round_dec": lambda lib, a, b: a.round_(decimals=1),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_values_and_grads(name):
    fn = INPLACE[name]
    a = rand(3, 4, dtype=np.float64)
    b = rand(4, dtype=np.float64, low=0.5, high=2.0)
    # on a non-leaf: values and gradients flowing through the in-place op
    check(lambda lib, x, y: fn(lib, x * 1, y), a, b, rtol=1e-10, atol=1e-12,
          grad=name not in NO_DERIVATIVE)
    # returns self, bumps the version
    xs = suanzi.from_numpy(a.copy())
    v = xs._version
    r = fn(suanzi, xs, suanzi.from_numpy(b.copy()))
    if name not in ("pow_", "ipow", "float_power_"):
        assert r is xs
        assert xs._version > v


def test_inplace_on_view_and_leaf():
    a = rand(3, 4, dtype=np.float64)
    check(lambda lib, x: (lambda y: (y[1].mul_(2), y)[1])(x * 1), a)
    check(lambda lib, x: (lambda y: (y.t().clamp_(-0.5, 0.5), y)[1])(x * 1), a)
    check(lambda lib, x: (lambda y: (y[:, 1].exp_(), y)[1])(x * 1), a)
    check_raises(lambda lib, x: x.requires_grad_().exp_(), a)
    check_raises(lambda lib, x: x.requires_grad_()[0].abs_(), a)


def test_inplace_version_counter_errors():
    a = rand(3, dtype=np.float64, low=0.5, high=2)
    # exp saves its output: modifying it in place breaks backward (both libraries raise)
    check_raises(lambda lib, x: (lambda y: (y.add_(1), y.sum().backward()))(
        x.requires_grad_().exp()), a)
    check_raises(lambda lib, x: (lambda y: (lambda z: (y.mul_(2), z.sum().backward()))(
        y.sqrt() * y))(x.requires_grad_() * 1), a)
    check_raises(lambda lib, x: (lambda y: (lambda z: (y.sqrt_(), z.sum().backward()))(
        y ** 2))(x.requires_grad_() * 1), a)
    # unaffected: add saves nothing
    check(lambda lib, x: (lambda y: (lambda z: (y.mul_(2), z)[1])(y + 1))(x * 1), a)


@pytest.mark.parametrize("name", ["sqrt_", "exp_", "log_", "sin_", "tanh_", "sigmoid_", "abs_",
                                  "neg_", "floor_", "ceil_", "round_", "trunc_", "frac_",
                                  "reciprocal_", "square_", "rsqrt_", "erf_", "erfc_", "sign_",
                                  "expm1_", "log1p_", "atan_", "cosh_", "fix_", "sgn_",
                                  "erfinv_"])
def test_unary_inplace(name):
    a = rand(3, 4, dtype=np.float64, low=0.1, high=0.9)
    check(lambda lib, x: getattr(x * 1, name)(), a, rtol=1e-10, atol=1e-12)
    check(lambda lib, x: getattr(x.t() * 1, name)(), a, rtol=1e-10, atol=1e-12)


def test_int_inplace_ok():
    i = np.array([3, -3, 0, 7])
    check(lambda lib, x: (x.clone().abs_(), x.clone().neg_(), x.clone().floor_(),
                          x.clone().round_(), x.clone().sign_(), x.clone().square_(),
                          x.clone().clamp_(0), x.clone().div_(2, rounding_mode="floor"),
                          x.clone().floor_divide_(2), x.clone().remainder_(2),
                          x.clone().fill_(1.7), x.clone().add_(True), x.clone().eq_(3),
                          x.clone().logical_and_(x), x.clone().__iand__(1),
                          x.clone().pow_(2), x.clone().bitwise_not_(), x.clone().zero_(),
                          x.clone().__ilshift__(1), x.clone().fill_(lib.tensor(2.5))), i)
    check(lambda lib, b: (b.clone().sign_(), b.clone().fill_(2), b.clone().logical_not_(),
                          b.clone().__ixor__(True)), np.array([True, False]))


def test_fill_grads():
    a = rand(3, 4, dtype=np.float64)
    check(lambda lib, x, v: (x * 1).fill_(v.sum()) * x, a, rand(2, dtype=np.float64))
    check(lambda lib, x: (x * 1).fill_(2.0) + x, a)
    check(lambda lib, x: (x * 1).zero_() + x, a)


def test_float_into_float_inplace_promotion():
    a = rand(3, dtype=np.float32)
    b = rand(3, dtype=np.float64)
    check(lambda lib, x, y: (x * 1).add_(y), a, b)
    check(lambda lib, x, y: (x * 1).mul_(y), a, b)
    check(lambda lib, x, y: (x * 1).atan2_(y), a, b)
    check(lambda lib, x: (x * 1).add_(lib.tensor([1, 2, 3])), a)
    check(lambda lib, x: (x * 1).div_(lib.tensor([1, 2, 3])), a)


# ---------------------------------------------------------------- second derivatives
@pytest.mark.parametrize("name", ["sqrt", "rsqrt", "exp", "exp2", "expm1", "log", "log2",
                                  "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan",
                                  "sinh", "cosh", "tanh", "sigmoid", "erf", "erfc", "erfinv",
                                  "reciprocal", "abs", "square"])
def test_double_backward_unary(name):
    x = rand(5, dtype=np.float64, low=0.2, high=0.8)

    def f(lib, a):
        y = getattr(lib, name)(a).sum()
        (g,) = lib.autograd.grad(y, a, create_graph=True)
        return g
    check(f, x, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name", ["mul", "div", "pow", "atan2", "hypot", "logaddexp",
                                  "maximum", "remainder", "fmod", "lerp_tensor_w"])
def test_double_backward_binary(name):
    fn = BINARY.get(name, (None,))[0] or {
        "pow": lambda lib, a, b: a ** b, "remainder": lambda lib, a, b: lib.remainder(a, b),
        "fmod": lambda lib, a, b: lib.fmod(a, b)}[name]
    a = rand(4, dtype=np.float64, low=0.5, high=1.5)
    b = rand(4, dtype=np.float64, low=0.5, high=1.5)

    def f(lib, x, y):
        out = fn(lib, x, y)
        gx, gy = lib.autograd.grad((out * out).sum(), (x, y), create_graph=True)
        return gx * 1, gy * 1
    check(f, a, b, rtol=1e-9, atol=1e-10)


# ---------------------------------------------------------------- finite differences (float64)
def _fd_check(fn, *arrays, eps=1e-6, tol=1e-5):
    """Compare suanzi's analytic gradient of sum(fn(...) * w) with central differences."""
    ins = [suanzi.from_numpy(a.copy()).requires_grad_() for a in arrays]
    out = fn(suanzi, *ins)
    w = RNG.standard_normal(out.shape)
    (out * suanzi.from_numpy(w)).sum().backward()
    for k, a in enumerate(arrays):
        num = np.zeros_like(a)
        flat = a.reshape(-1)
        for j in range(flat.size):
            vals = []
            for d in (eps, -eps):
                pert = [x.copy() for x in arrays]
                pert[k].reshape(-1)[j] += d
                o = fn(suanzi, *[suanzi.from_numpy(p) for p in pert]).numpy()
                vals.append((o * w).sum())
            num.reshape(-1)[j] = (vals[0] - vals[1]) / (2 * eps)
        np.testing.assert_allclose(ins[k].grad.numpy(), num, rtol=tol, atol=tol,
                                   err_msg=f"input {k}")


FD_UNARY = [n for n in UNARY if n not in NO_DERIVATIVE and n not in ("sign", "sgn", "floor", "ceil", "round", "round_dec2",
                                          "round_dec-1", "trunc", "fix", "floordiv_scalar",
                                          "rfloordiv_scalar", "div_trunc", "div_floor")]


@pytest.mark.parametrize("name", FD_UNARY)
def test_finite_difference_unary(name):
    fn, low, high = UNARY[name]
    x = rand(5, dtype=np.float64, low=low, high=high)
    # keep away from kinks where finite differences are meaningless
    if name in ("abs", "abs_op", "clamp", "clamp_min", "clamp_max", "clip", "mod_scalar",
                "fmod_scalar", "remainder_neg", "rmod_scalar", "frac", "copysign_scalar"):
        x = np.array([-1.31, -0.77, 0.23, 0.61, 1.43])
    _fd_check(fn, x)


FD_BINARY = [n for n in BINARY if n not in ("div_trunc", "div_floor", "floordiv")]


@pytest.mark.parametrize("name", FD_BINARY)
def test_finite_difference_binary(name):
    fn, kind = BINARY[name]
    a, b = _binary_inputs(kind, (2, 3), (3,), np.float64)
    if name in ("maximum", "minimum", "fmax", "fmin", "clamp_tensor", "clamp_tensor_max",
                "clamp_tensor_both", "clamp_crossed", "mod", "remainder_neg", "fmod",
                "copysign"):
        a = np.array([[-1.31, -0.77, 0.23], [0.61, 1.43, -0.05]])
        b = np.array([0.37, 1.11, -0.52]) if name not in ("mod", "remainder_neg", "fmod") \
            else np.array([0.37, 1.11, 0.52])
    _fd_check(fn, a, b)


# ---------------------------------------------------------------- exports / methods
@pytest.mark.parametrize("name", ["abs", "absolute", "sign", "sgn", "sqrt", "rsqrt", "square",
                                  "exp2", "expm1", "log2", "log10", "log1p", "sin", "arcsin",
                                  "arccos", "arctan", "arctan2", "erfinv", "fix", "clip",
                                  "clamp_min", "clamp_max", "fmax", "fmin", "float_power",
                                  "logical_xor", "bitwise_xor", "greater_equal", "less_equal",
                                  "not_equal", "isclose", "allclose", "equal", "addcmul",
                                  "addcdiv", "copysign", "signbit", "nan_to_num", "isreal",
                                  "floor_divide", "remainder", "fmod", "hypot", "logaddexp",
                                  "lerp", "isposinf", "isneginf"])
def test_exported_and_method(name):
    assert callable(getattr(suanzi, name))
    assert callable(getattr(suanzi.Tensor, name))


def test_lerp_weights():
    a, b = rand(3, dtype=np.float32), rand(2, 3, dtype=np.float32)
    check(lambda lib, x, y: (lib.lerp(x, y, 2), lib.lerp(x, y, -0.5),
                             lib.lerp(x, y, lib.tensor(0.5, dtype=lib.float64)),
                             lib.lerp(x, y, lib.sigmoid(y))), a, b)


def test_scalar_scalar_add():
    check(lambda lib: (lib.add(1, 2), lib.mul(2.5, 2), lib.sub(3, 1.5)))


def test_float_ops_cast_int_operands_directly():
    u = np.array([1, 2, 250], dtype=np.uint8)
    check(lambda lib, x: (x / lib.tensor(-1), lib.atan2(x, lib.tensor(-1)), x / -1, -1 / x,
                          lib.atan2(x.to(lib.int8), lib.tensor(300)), x / lib.tensor(-1.5)), u)


def test_inplace_logical_keeps_history():
    a = rand(3, 4, dtype=np.float64)
    check(lambda lib, x: (x * 1).logical_and_(x > 0), a)
    check(lambda lib, x: (x * 1).logical_or_(x > 0), a)
    check(lambda lib, x: (x * 1).logical_not_(), a)
    check(lambda lib, x: (x * 1).eq_(x), a)


def test_hash_and_eq_coexist():
    t = suanzi.ones(2)
    assert isinstance(t == t, suanzi.Tensor)
    assert len({t, t}) == 1


def test_complex_abs_and_sgn_gradients_match_torch():
    def run(lib):
        p = lib.tensor([1 + 2j, -0.5 + 0.25j, 0j], requires_grad=True)
        (p.abs() ** 2).sum().backward()
        return p.grad, lib.sgn(p.detach()), p.detach().sgn()
    for s, t in zip(run(suanzi), run(torch)):
        np.testing.assert_allclose(s.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)
