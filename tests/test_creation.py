"""Tensor creation against torch: dtype inference, shapes, values, errors."""
import math

import numpy as np
import pytest
import torch

import suanzi
from helpers import assert_same, check, check_raises, dtype_name

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool"]


def tdt(name):
    return getattr(torch, name)


def sdt(name):
    return getattr(suanzi, name)


def same(fn, **kw):
    """fn(lib) on both libraries; compare the results (values, shape, dtype)."""
    s, t = fn(suanzi), fn(torch)
    if isinstance(t, torch.Tensor) and t.is_complex():
        assert dtype_name(s.dtype) == dtype_name(t.dtype) and tuple(s.shape) == tuple(t.shape)
        np.testing.assert_array_equal(s.detach().numpy(), t.detach().numpy())
    else:
        assert_same(s, t, **kw)
    return s, t


# ------------------------------------------------------------------ tensor()
TENSOR_DATA = [
    1.5, 3, True, 2 + 1j, -0.0, [], [[]], [[], []], [1, 2, 3], [1.0, 2], [1, 2.5], [True, False],
    [True, 2], [True, 2.5], [1, 2j], (1, 2), [(1, 2), (3, 4)], [[1, 2], [3, 4]],
    [[[1.5]], [[2.5]]], [np.float64(1.5), 2.0], [np.float32(1.5), 2.0], [np.int32(1), 2],
    [np.int32(1), np.int32(2)], [np.int16(1), np.int8(2)], [np.bool_(True), False],
    [np.uint8(1), np.int8(-1)], [np.float16(1), 2], [np.int64(3), 1.5], np.float64(1.5),
    np.int32(3), np.float16(2.5), np.bool_(True), [2 ** 62, 1], [-(2 ** 63)],
    [float("nan"), float("inf")],
]


@pytest.mark.parametrize("data", TENSOR_DATA, ids=[repr(d) for d in TENSOR_DATA])
def test_tensor_dtype_inference(data):
    same(lambda lib: lib.tensor(data))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("data", [[1, 2, 3], [1.7, -2.2], [[True, False]], 3, 2.5, [0, 1]])
def test_tensor_with_dtype(data, dtype):
    if dtype == "uint8" and data == [1.7, -2.2]:
        data = [1.7, 2.2]  # a negative float into uint8 is an error in torch
    same(lambda lib: lib.tensor(data, dtype=getattr(lib, dtype)))


def test_tensor_negative_to_uint8_wraps():
    same(lambda lib: lib.tensor([-1, 3], dtype=lib.uint8))
    check_raises(lambda lib: lib.tensor([256], dtype=lib.uint8))
    check_raises(lambda lib: lib.tensor([-129], dtype=lib.int8))
    same(lambda lib: lib.tensor(-1, dtype=lib.uint8))
    same(lambda lib: lib.tensor([-255, True], dtype=lib.uint8))
    same(lambda lib: lib.tensor([2, 3, 0], dtype=lib.bool))
    same(lambda lib: lib.tensor([1e10], dtype=lib.float16))
    same(lambda lib: lib.tensor([1e300], dtype=lib.float32))
    for data, dt in [([300.0], "uint8"), ([255.9], "uint8"), ([-0.5], "uint8"), ([2 ** 31], "int32"),
                     ([float("inf")], "int32"), ([float("nan")], "int64"), (300, "int8"),
                     ([1.5 + 1j], "float32"), ([1 + 1j], "int64")]:
        check_raises(lambda lib: lib.tensor(data, dtype=getattr(lib, dt)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16,
                                   np.int8, np.uint8, np.bool_, np.complex64, np.complex128])
def test_tensor_from_numpy_keeps_dtype(dtype):
    arr = (np.arange(6).reshape(2, 3) % 3).astype(dtype)
    same(lambda lib: lib.tensor(arr))
    s = suanzi.tensor(arr)
    assert not np.shares_memory(s.numpy(), arr)  # tensor() copies


def test_tensor_from_numpy_with_dtype():
    arr = np.array([1.7, 2.2])
    same(lambda lib: lib.tensor(arr, dtype=lib.float32))
    same(lambda lib: lib.tensor(arr, dtype=lib.int64))


def test_tensor_of_zero_dim_tensors():
    same(lambda lib: lib.tensor([lib.tensor(1, dtype=lib.int32), 2]))
    same(lambda lib: lib.tensor([lib.tensor(1, dtype=lib.int32), 2.5]))
    same(lambda lib: lib.tensor([lib.tensor(1., dtype=lib.float64), 2]))
    same(lambda lib: lib.tensor([[lib.tensor(1.5), lib.tensor(2.)], [3, 4]]))
    same(lambda lib: lib.tensor([lib.tensor(True), lib.tensor(False)]))


def test_tensor_of_tensor_copies_and_detaches():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib in (suanzi, torch):
            a = lib.ones(3, requires_grad=True)
            b = lib.tensor(a * 2)
            assert not b.requires_grad and b.is_leaf
            b[0] = 5 if lib is torch else 5
            assert a.tolist() == [1.0, 1.0, 1.0]


def test_tensor_of_tensor_copy_no_setitem():
    a = suanzi.ones(3)
    b = suanzi.tensor(a)
    assert not np.shares_memory(a.numpy(), b.numpy())
    assert b.dtype is suanzi.float32


@pytest.mark.parametrize("data", [[1.5, 2.0], 1.5, [[1.0], [2.0]]])
def test_tensor_requires_grad(data):
    s, t = same(lambda lib: lib.tensor(data, requires_grad=True))
    assert s.requires_grad and s.is_leaf and t.requires_grad


def test_tensor_requires_grad_bfloat16_and_complex():
    same(lambda lib: lib.tensor([1.5, 2.0], dtype=lib.bfloat16, requires_grad=True))
    same(lambda lib: lib.tensor([1 + 1j], requires_grad=True))


@pytest.mark.parametrize("data", [[[1, 2], [3]], [1, [2, 3]], [[1, 2], 3], [[[1]], [[1, 2]]]])
def test_tensor_ragged_raises(data):
    check_raises(lambda lib: lib.tensor(data))


@pytest.mark.parametrize("data,kw", [([1, 2], {"requires_grad": True}), ("abc", {}), ([1, None], {}),
                                    (None, {}), (2 ** 63, {}), ([True], {"requires_grad": True})])
def test_tensor_errors(data, kw):
    check_raises(lambda lib: lib.tensor(data, **kw))


def test_tensor_range_and_device():
    same(lambda lib: lib.tensor(range(4)))
    same(lambda lib: lib.tensor([1.0], device="cpu"))
    same(lambda lib: lib.tensor([1.0], device=lib.device("cpu")))


def test_tensor_follows_default_dtype():
    try:
        torch.set_default_dtype(torch.float64)
        suanzi.set_default_dtype(suanzi.float64)
        same(lambda lib: lib.tensor([1.5, 2]))
        same(lambda lib: lib.tensor(1.5))
        same(lambda lib: lib.tensor([1 + 2j]))
        same(lambda lib: lib.zeros(2))
        same(lambda lib: lib.arange(3.0))
        same(lambda lib: lib.full((2,), 1.5))
    finally:
        torch.set_default_dtype(torch.float32)
        suanzi.set_default_dtype(suanzi.float32)


def test_tensor_long_list_speed_and_dtype():
    data = [float(i) for i in range(20000)]
    s = suanzi.tensor(data)
    assert s.dtype is suanzi.float32
    data2 = [list(range(5)) for _ in range(2000)]
    same(lambda lib: lib.tensor(data2))


# ------------------------------------------------------------------ as_tensor / asarray / from_numpy
def test_from_numpy_shares_memory():
    arr = np.arange(6.0).reshape(2, 3)
    s = suanzi.from_numpy(arr)
    assert s.dtype is suanzi.float64
    arr[0, 0] = 42
    assert s[0, 0].item() == 42 if hasattr(s, "__getitem__") else s.numpy()[0, 0] == 42
    s.numpy()[1, 1] = -1
    assert arr[1, 1] == -1


def test_from_numpy_errors():
    check_raises(lambda lib: lib.from_numpy([1, 2]))
    check_raises(lambda lib: lib.from_numpy(np.array(["a"])))
    check_raises(lambda lib: lib.from_numpy(np.arange(5)[::-1]))
    check_raises(lambda lib: lib.from_numpy(np.array([1], np.uint16 if False else object)))


def test_from_numpy_non_contiguous():
    arr = np.arange(12.0).reshape(3, 4)[:, ::2]
    s = suanzi.from_numpy(arr)
    t = torch.from_numpy(arr)
    assert_same(s, t)
    assert s.stride() == t.stride()


def test_as_tensor():
    arr = np.arange(4.0)
    s = suanzi.as_tensor(arr)
    arr[0] = 9
    assert s.numpy()[0] == 9  # shares memory
    s2 = suanzi.as_tensor(arr, dtype=suanzi.float32)
    assert s2.dtype is suanzi.float32 and not np.shares_memory(s2.numpy(), arr)
    x = suanzi.ones(2)
    assert suanzi.as_tensor(x) is x
    same(lambda lib: lib.as_tensor([1, 2], dtype=lib.float64))
    same(lambda lib: lib.as_tensor([1.5, 2]))
    same(lambda lib: lib.as_tensor(lib.ones(2), dtype=lib.int64))


def test_asarray():
    same(lambda lib: lib.asarray([1.5, 2]))
    same(lambda lib: lib.asarray([1, 2]))
    same(lambda lib: lib.asarray(np.ones(2)))
    same(lambda lib: lib.asarray(np.ones(2), dtype=lib.float32))
    arr = np.ones(3)
    s = suanzi.asarray(arr)
    arr[1] = 5
    assert s.numpy()[1] == 5
    c = suanzi.asarray(arr, copy=True)
    arr[2] = 7
    assert c.numpy()[2] == 1
    x = suanzi.ones(2)
    assert suanzi.asarray(x) is x
    check_raises(lambda lib: lib.asarray(lib.ones(2), dtype=lib.float64, copy=False))
    same(lambda lib: lib.asarray([1.5], requires_grad=True))


# ------------------------------------------------------------------ zeros / ones / full / empty
SIZE_FORMS = [(2, 3), ((2, 3),), ([2, 3],), ((),), ([],), (0,), (2, 0, 3), (4,), (1, 1, 1, 1)]


@pytest.mark.parametrize("fname", ["zeros", "ones"])
@pytest.mark.parametrize("args", SIZE_FORMS, ids=[repr(a) for a in SIZE_FORMS])
def test_zeros_ones_sizes(fname, args):
    same(lambda lib: getattr(lib, fname)(*args))


@pytest.mark.parametrize("fname", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("dtype", DTYPES + ["complex64"])
def test_zeros_ones_empty_dtype(fname, dtype):
    sr = getattr(suanzi, fname)(2, 3, dtype=sdt(dtype))
    tr = getattr(torch, fname)(2, 3, dtype=tdt(dtype))
    assert dtype_name(sr.dtype) == dtype_name(tr.dtype) and tuple(sr.shape) == tuple(tr.shape)
    if fname != "empty":
        same(lambda lib: getattr(lib, fname)(2, 3, dtype=getattr(lib, dtype)))


def test_size_forms_special():
    same(lambda lib: lib.zeros(lib.Size([2, 3])))
    same(lambda lib: lib.zeros(size=(2, 3)))
    same(lambda lib: lib.ones(size=[4]))
    same(lambda lib: lib.zeros(np.int64(3)))
    same(lambda lib: lib.zeros(lib.tensor(3)))
    same(lambda lib: lib.empty(size=(2,)).shape)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.zeros(-1, 2), lambda lib: lib.ones(2, -3), lambda lib: lib.empty(-1),
    lambda lib: lib.zeros(2.5), lambda lib: lib.ones((2, 2.5)), lambda lib: lib.zeros("a"),
    lambda lib: lib.full(3, 1.0), lambda lib: lib.full((-1,), 1.0), lambda lib: lib.zeros(),
    lambda lib: lib.ones(2, dtype=lib.int64, requires_grad=True),
])
def test_creation_errors(fn):
    check_raises(fn)


def test_requires_grad_creation():
    for name in ("zeros", "ones", "empty"):
        s = getattr(suanzi, name)(2, requires_grad=True)
        assert s.requires_grad and s.is_leaf and s.grad_fn is None
    s = suanzi.full((2,), 1.5, requires_grad=True)
    assert s.requires_grad


@pytest.mark.parametrize("value", [1.5, 3, True, False, -2, np.float64(2.0), np.int32(2), 1 + 2j,
                                   float("nan"), float("inf")])
def test_full_infers_dtype(value):
    same(lambda lib: lib.full((2, 3), value))


@pytest.mark.parametrize("dtype", DTYPES)
def test_full_with_dtype(dtype):
    same(lambda lib: lib.full((3,), 2.7 if dtype != "bool" else 1, dtype=getattr(lib, dtype)))
    same(lambda lib: lib.full((3,), 2, dtype=getattr(lib, dtype)))


def test_full_tensor_fill():
    same(lambda lib: lib.full((2,), lib.tensor(3.5)))
    same(lambda lib: lib.full((2,), lib.tensor(3)))
    same(lambda lib: lib.full([], 2.0))


def test_full_out_of_range_raises():
    check_raises(lambda lib: lib.full((2,), 300, dtype=lib.uint8))
    check_raises(lambda lib: lib.full((2,), 1 + 1j, dtype=lib.float32))


def test_scalar_tensor():
    same(lambda lib: lib.scalar_tensor(3))
    same(lambda lib: lib.scalar_tensor(True))
    same(lambda lib: lib.scalar_tensor(2.5, dtype=lib.float64))
    same(lambda lib: lib.scalar_tensor(2.5, dtype=lib.int32))


# ------------------------------------------------------------------ *_like and new_*
LIKE_INPUTS = [np.ones((2, 3), np.float32), np.arange(6).reshape(3, 2), np.zeros((0, 2), np.float64),
               np.array(1.5, np.float32), np.array([True, False])]


@pytest.mark.parametrize("arr", LIKE_INPUTS, ids=lambda a: f"{a.dtype}{a.shape}")
@pytest.mark.parametrize("dtype", [None, "float64", "int32"])
def test_like(arr, dtype):
    kw = lambda lib: {} if dtype is None else {"dtype": getattr(lib, dtype)}  # noqa: E731
    check(lambda lib, x: lib.zeros_like(x, **kw(lib)), arr, grad=False)
    check(lambda lib, x: lib.ones_like(x, **kw(lib)), arr, grad=False)
    check(lambda lib, x: lib.full_like(x, 7, **kw(lib)), arr, grad=False)
    s, t = check(lambda lib, x: lib.empty_like(x, **kw(lib)).shape, arr, grad=False)


def test_like_preserves_strides_of_transposed_input():
    arr = np.ones((2, 3), np.float32)
    for fn in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
        s = getattr(suanzi, fn)(suanzi.from_numpy(arr).t() if hasattr(suanzi.Tensor, "t")
                                else suanzi.from_numpy(arr.T))
        t = getattr(torch, fn)(torch.from_numpy(arr).t())
        assert s.stride() == t.stride(), fn
        assert tuple(s.shape) == tuple(t.shape)


def test_like_expanded_input_is_contiguous():
    arr = np.broadcast_to(np.ones((1, 3), np.float32), (4, 3))
    s = suanzi.zeros_like(suanzi.from_numpy(arr))
    t = torch.zeros_like(torch.from_numpy(arr.copy()).expand(4, 3))
    assert s.stride() == t.stride()


def test_like_requires_grad():
    x = suanzi.ones(2)
    assert suanzi.zeros_like(x, requires_grad=True).requires_grad
    assert not suanzi.zeros_like(suanzi.ones(2, requires_grad=True)).requires_grad


def test_full_like_float_into_int():
    check(lambda lib, x: lib.full_like(x, 2.7), np.arange(3), grad=False)
    check(lambda lib, x: lib.full_like(x, 2.5, dtype=lib.float64), np.arange(3), grad=False)


def test_rand_like_family():
    x = suanzi.ones(3, 4, dtype=suanzi.float64)
    r = suanzi.rand_like(x)
    assert r.dtype is suanzi.float64 and r.shape == (3, 4)
    assert ((r.numpy() >= 0) & (r.numpy() < 1)).all()
    n = suanzi.randn_like(x, dtype=suanzi.float32)
    assert n.dtype is suanzi.float32 and n.shape == (3, 4)
    i = suanzi.randint_like(x, 5)
    assert i.dtype is suanzi.float64 and set(np.unique(i.numpy())) <= {0., 1., 2., 3., 4.}
    i2 = suanzi.randint_like(suanzi.ones(100, dtype=suanzi.int32), 2, 4)
    assert i2.dtype is suanzi.int32 and set(np.unique(i2.numpy())) <= {2, 3}
    i3 = suanzi.randint_like(x, 5, dtype=suanzi.int64)
    assert i3.dtype is suanzi.int64


def test_rand_like_int_raises():
    check_raises(lambda lib: lib.rand_like(lib.ones(2, dtype=lib.int64)))
    check_raises(lambda lib: lib.randn_like(lib.ones(2, dtype=lib.int64)))


@pytest.mark.parametrize("src_dtype", ["float32", "float64", "int32", "bool"])
def test_new_methods(src_dtype):
    def mk(lib):
        return lib.ones(2, dtype=getattr(lib, src_dtype))
    same(lambda lib: mk(lib).new_zeros(2, 3))
    same(lambda lib: mk(lib).new_zeros((2, 3)))
    same(lambda lib: mk(lib).new_ones([4]))
    same(lambda lib: mk(lib).new_ones(2, dtype=lib.float64))
    same(lambda lib: mk(lib).new_full((2,), 3))
    same(lambda lib: mk(lib).new_full((2,), 3.7 if src_dtype != "bool" else 1))
    same(lambda lib: mk(lib).new_tensor([1, 2]))
    same(lambda lib: mk(lib).new_tensor([1.5, 0], dtype=lib.float64))
    same(lambda lib: mk(lib).new_empty(3).shape)
    assert dtype_name(mk(suanzi).new_empty((2, 2)).dtype) == dtype_name(mk(torch).new_empty((2, 2)).dtype)


def test_new_requires_grad():
    x = suanzi.ones(2)
    assert x.new_zeros(2, requires_grad=True).requires_grad
    assert x.new_tensor([1.0], requires_grad=True).requires_grad


# ------------------------------------------------------------------ arange / range / linspace / logspace / eye
ARANGE_ARGS = [(5,), (5.0,), (0,), (1, 4), (1.0, 4), (0, 1, 0.1), (10, 0, -3), (0.5, 3), (-3, 3, 2),
               (0, 5, 1.5), (1, 2.5, 0.5), (0, 1, 0.3), (0, -1, -0.25), (3, 3), (0, 10, 3),
               (-1.5, 1.5, 0.5), (1e-3, 1e-2, 1e-3), (0, 100, 7)]


@pytest.mark.parametrize("args", ARANGE_ARGS, ids=[repr(a) for a in ARANGE_ARGS])
def test_arange(args):
    same(lambda lib: lib.arange(*args))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "int16", "float16", "uint8"])
@pytest.mark.parametrize("args", [(10,), (0, 10, 3), (0, 5, 1.5), (1, 2.5, 0.5), (0.5, 7.5, 1.25)])
def test_arange_dtype(args, dtype):
    if dtype == "int64" and args == (1, 2.5, 0.5):  # the step truncates to 0
        check_raises(lambda lib: lib.arange(*args, dtype=lib.int64))
        return
    same(lambda lib: lib.arange(*args, dtype=getattr(lib, dtype)))


def test_arange_tensor_and_numpy_bounds():
    same(lambda lib: lib.arange(lib.tensor(3)))
    same(lambda lib: lib.arange(lib.tensor(3.0)))
    same(lambda lib: lib.arange(np.int64(4)))
    same(lambda lib: lib.arange(np.float64(4)))
    same(lambda lib: lib.arange(start=1, end=4))
    same(lambda lib: lib.arange(end=4))
    same(lambda lib: lib.arange(0, 4, step=2))


def test_arange_requires_grad():
    s, t = same(lambda lib: lib.arange(3.0, requires_grad=True))
    assert s.requires_grad


@pytest.mark.parametrize("args", [(1, 4, 0), (1, 4, -1), (4, 1), (0, float("inf")), (0, 5, 0.5, "int64"),
                                  (1, 2.5, 0.5, "int64"), (0.5, 0, 0.5), (1.0, 4.0, 0.0)])
def test_arange_errors(args):
    def fn(lib):
        if args[-1] == "int64":
            return lib.arange(*args[:-1], dtype=lib.int64)
        return lib.arange(*args)
    check_raises(fn)


def test_range_deprecated():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same(lambda lib: lib.range(1, 4))
        same(lambda lib: lib.range(0, 1, 0.25))
        same(lambda lib: lib.range(1, 4, dtype=lib.int64))


LINSPACE_ARGS = [(0, 1, 5), (0, 1, 1), (0, 1, 0), (-7, 10, 4), (1.5, -2.5, 7), (0, 10, 11), (3, 3, 4),
                 (0, 1, 100), (-1e3, 1e3, 33), (0, 1, 2)]


@pytest.mark.parametrize("args", LINSPACE_ARGS, ids=[repr(a) for a in LINSPACE_ARGS])
@pytest.mark.parametrize("dtype", [None, "float64", "int64", "int32", "float16"])
def test_linspace(args, dtype):
    kw = lambda lib: {} if dtype is None else {"dtype": getattr(lib, dtype)}  # noqa: E731
    # torch's SIMD kernel rounds a little differently from the scalar formula
    tol = 1e-3 if dtype == "float16" else 1e-6
    same(lambda lib: lib.linspace(*args, **kw(lib)), rtol=tol, atol=tol)


def test_linspace_exact_endpoints():
    s = suanzi.linspace(-3.3, 7.7, 13)
    t = torch.linspace(-3.3, 7.7, 13)
    assert s.numpy()[0] == t.numpy()[0] and s.numpy()[-1] == t.numpy()[-1]
    np.testing.assert_allclose(s.numpy(), t.numpy(), rtol=1e-6, atol=1e-6)


def test_linspace_tensor_bounds_and_errors():
    same(lambda lib: lib.linspace(lib.tensor(0.0), lib.tensor(1.0), 5))
    check_raises(lambda lib: lib.linspace(0, 1, -1))
    check_raises(lambda lib: lib.linspace(0, 1, 2.5))
    check_raises(lambda lib: lib.linspace(0, 1))


@pytest.mark.parametrize("args,kw", [((0, 2, 3), {}), ((0, 2, 3), {"base": 2}), ((-2, 2, 5), {}),
                                     ((0, 3, 4), {"base": 2.5}), ((1, 1, 1), {}), ((0, 1, 0), {}),
                                     ((0, 3, 4), {"dtype": "int64"}), ((0, 3, 4), {"dtype": "float64"})])
def test_logspace(args, kw):
    def fn(lib):
        k = dict(kw)
        if "dtype" in k:
            k["dtype"] = getattr(lib, k["dtype"])
        return lib.logspace(*args, **k)
    same(fn, rtol=1e-6)


@pytest.mark.parametrize("args", [(3,), (2, 3), (3, 2), (0,), (0, 3), (1,)])
@pytest.mark.parametrize("dtype", [None, "int64", "bool", "float64"])
def test_eye(args, dtype):
    kw = lambda lib: {} if dtype is None else {"dtype": getattr(lib, dtype)}  # noqa: E731
    same(lambda lib: lib.eye(*args, **kw(lib)))


def test_eye_errors():
    check_raises(lambda lib: lib.eye(-1))
    check_raises(lambda lib: lib.eye(2, -1))


def test_eye_requires_grad():
    assert suanzi.eye(2, requires_grad=True).requires_grad


# ------------------------------------------------------------------ legacy constructors
LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
          "CharTensor", "ByteTensor", "BoolTensor", "BFloat16Tensor"]


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_with_data(name):
    same(lambda lib: getattr(lib, name)([1, 0, 1]))
    same(lambda lib: getattr(lib, name)([[1, 0], [0, 1]]))
    same(lambda lib: getattr(lib, name)((2, 3)))  # a tuple is data, as in torch


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_with_sizes(name):
    for args in [(2, 3), (4,), ()]:
        s, t = getattr(suanzi, name)(*args), getattr(torch, name)(*args)
        assert tuple(s.shape) == tuple(t.shape)
        assert dtype_name(s.dtype) == dtype_name(t.dtype)
    s, t = getattr(suanzi, name)(suanzi.Size([2, 2])), getattr(torch, name)(torch.Size([2, 2]))
    assert tuple(s.shape) == tuple(t.shape)


@pytest.mark.parametrize("name", LEGACY)
@pytest.mark.parametrize("dtype", DTYPES)
def test_legacy_isinstance(name, dtype):
    s = suanzi.zeros(2, dtype=sdt(dtype))
    t = torch.zeros(2, dtype=tdt(dtype))
    assert isinstance(s, getattr(suanzi, name)) == isinstance(t, getattr(torch, name))
    assert isinstance(s, suanzi.Tensor)


def test_legacy_from_tensor():
    check_raises(lambda lib: lib.FloatTensor(lib.tensor([1, 2])))
    x = suanzi.ones(2)
    y = suanzi.FloatTensor(x)
    assert np.shares_memory(x.numpy(), y.numpy())


def test_tensor_legacy_new():
    same(lambda lib: lib.ones(2, dtype=lib.float64).new([1, 2]))
    s, t = suanzi.ones(2, dtype=suanzi.int32).new(2, 3), torch.ones(2, dtype=torch.int32).new(2, 3)
    assert tuple(s.shape) == tuple(t.shape) and dtype_name(s.dtype) == dtype_name(t.dtype)


def test_out_argument():
    for lib in (suanzi, torch):
        out = lib.empty(3)
        r = lib.arange(3, out=out)
        assert r is out
        assert out.tolist() == [0.0, 1.0, 2.0]
        out2 = lib.empty(0)
        lib.zeros(2, 2, out=out2)
        assert tuple(out2.shape) == (2, 2)


def test_all_exports_exist():
    from suanzi.ops import creation
    for name in creation.__all__:
        assert hasattr(suanzi, name), name
        assert hasattr(torch, name), name


# ------------------------------------------------------------------ property-based
from hypothesis import given, settings, strategies as st  # noqa: E402

_scalars = st.one_of(st.booleans(), st.integers(-2 ** 40, 2 ** 40),
                     st.floats(-1e6, 1e6, allow_nan=False, width=32),
                     st.sampled_from([np.float64(1.5), np.int32(3), np.int8(-2), np.float16(0.5),
                                      np.uint8(7)]))  # np.bool_ mixed with ints: torch raises


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 3).flatmap(lambda n: st.lists(st.lists(_scalars, min_size=n, max_size=n),
                                                    min_size=0, max_size=4)))
def test_tensor_inference_property(data):
    same(lambda lib: lib.tensor(data))


@settings(max_examples=40, deadline=None)
@given(start=st.integers(-20, 20), length=st.floats(0, 30), step=st.sampled_from([0.1, 0.25, 0.3, 0.7, 1, 2, 3, -0.5, -1, -3]),
       as_float=st.booleans())
def test_arange_property(start, length, step, as_float):
    end = start + length * (1 if step > 0 else -1)
    if not as_float:
        end = int(end)
        if isinstance(step, float):
            step = 1 if step > 0 else -1
    same(lambda lib: lib.arange(start, end, step), rtol=1e-6, atol=1e-5)
