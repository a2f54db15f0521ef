"""The Tensor attribute API against torch: metadata, conversion, memory
sharing, dtype objects and aliases, default dtype, type promotion tables."""
import copy
import pickle

import numpy as np
import pytest
import torch

import suanzi
from helpers import assert_same, check, check_raises, dtype_name, randn

ALL = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
       "float64", "complex64", "complex128"]


def both(a, requires_grad=False):
    a = np.asarray(a)
    s, t = suanzi.from_numpy(a.copy()), torch.from_numpy(a.copy())
    if requires_grad:
        s.requires_grad_()
        t.requires_grad_()
    return s, t


SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 3, 4)]


# ------------------------------------------------------------------ metadata
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_shape_size_dim_numel(shape):
    s, t = both(randn(*shape))
    assert s.shape == t.shape and tuple(s.shape) == tuple(t.shape)
    assert isinstance(s.shape, tuple) and isinstance(s.size(), suanzi.Size)
    assert repr(s.shape) == repr(t.shape) and str(s.size()) == str(t.size())
    assert s.dim() == t.dim() == s.ndim == t.ndim == s.ndimension()
    assert s.numel() == t.numel() == s.nelement() == suanzi.numel(s)
    assert len(s.shape) == len(shape)
    for d in range(-len(shape), len(shape)):
        assert s.size(d) == t.size(d) and s.shape[d] == t.shape[d]
    if shape:
        assert len(s) == len(t)


def test_size_dim_errors():
    check_raises(lambda lib: lib.ones(2, 3).size(2))
    check_raises(lambda lib: lib.ones(2, 3).size(-3))
    check_raises(lambda lib: len(lib.tensor(1.0)))
    check_raises(lambda lib: lib.ones(2).size(0.5))


def test_size_object():
    s, t = suanzi.ones(2, 3, 4).shape, torch.ones(2, 3, 4).shape
    assert repr(s[1:]) == repr(t[1:]) and isinstance(s[1:], suanzi.Size)
    assert s.numel() == t.numel()
    assert s == (2, 3, 4) and s == torch.Size([2, 3, 4])
    assert repr(suanzi.Size([])) == repr(torch.Size([]))
    assert list(s) == [2, 3, 4]
    assert repr(s + (5,)) == repr(t + (5,))


@pytest.mark.parametrize("name", ALL)
def test_dtype_attr(name):
    s = suanzi.zeros(2, dtype=getattr(suanzi, name))
    t = torch.zeros(2, dtype=getattr(torch, name))
    assert s.dtype is getattr(suanzi, name)
    assert repr(s.dtype) == repr(t.dtype) and str(s.dtype) == str(t.dtype)
    assert s.is_floating_point() == t.is_floating_point()
    assert s.is_complex() == t.is_complex()
    assert s.dtype.is_floating_point == t.dtype.is_floating_point
    assert s.dtype.is_complex == t.dtype.is_complex
    assert s.dtype.is_signed == t.dtype.is_signed
    assert s.dtype.itemsize == t.dtype.itemsize
    assert s.element_size() == t.element_size()
    assert s.is_signed() == t.is_signed()


def test_dtype_aliases():
    for a, b in [("float", "float32"), ("double", "float64"), ("half", "float16"), ("long", "int64"),
                 ("int", "int32"), ("short", "int16"), ("cfloat", "complex64"),
                 ("cdouble", "complex128")]:
        assert getattr(suanzi, a) is getattr(suanzi, b)
        assert getattr(torch, a) is getattr(torch, b)
    assert suanzi.bool is suanzi.bool
    assert repr(suanzi.bool) == repr(torch.bool) == "torch.bool"
    assert isinstance(suanzi.float32, suanzi.dtype)


def test_dtype_pickle_and_copy_are_singletons():
    assert pickle.loads(pickle.dumps(suanzi.float16)) is suanzi.float16
    assert copy.deepcopy(suanzi.int64) is suanzi.int64
    assert {suanzi.float32: 1}[suanzi.float] == 1


def test_device():
    s = suanzi.ones(2)
    assert s.device == suanzi.device("cpu") and str(s.device) == str(torch.ones(2).device)
    assert repr(s.device) == repr(torch.ones(2).device)
    assert s.device.type == "cpu" and not s.is_cuda
    assert s.to("cpu") is s and s.cpu() is s
    assert s.get_device() == torch.ones(2).get_device()


# ------------------------------------------------------------------ autograd attributes
def test_requires_grad_and_is_leaf():
    for lib in (suanzi, torch):
        a = lib.ones(2)
        assert not a.requires_grad and a.is_leaf
        a.requires_grad_()
        assert a.requires_grad and a.is_leaf and a.grad_fn is None
        b = a * 2
        assert b.requires_grad and not b.is_leaf and b.grad_fn is not None
        c = b.detach()
        assert not c.requires_grad and c.is_leaf
        a.requires_grad = False
        assert not a.requires_grad


def test_requires_grad_errors():
    check_raises(lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_())
    check_raises(lambda lib: setattr((lib.ones(2, requires_grad=True) * 2), "requires_grad", False))


# ------------------------------------------------------------------ item / tolist / numpy
@pytest.mark.parametrize("name", ["float32", "float64", "float16", "int64", "int32", "uint8", "bool",
                                  "bfloat16"])
def test_item(name):
    for val in ([3], 2, [[1]]):
        s = suanzi.tensor(val, dtype=getattr(suanzi, name))
        t = torch.tensor(val, dtype=getattr(torch, name))
        assert s.item() == t.item() and type(s.item()) is type(t.item())
    s = suanzi.tensor(2.5 if name not in ("bool",) else True, dtype=getattr(suanzi, name))
    t = torch.tensor(2.5 if name not in ("bool",) else True, dtype=getattr(torch, name))
    assert s.item() == t.item() and type(s.item()) is type(t.item())


def test_item_errors_and_grad():
    check_raises(lambda lib: lib.ones(2).item())
    check_raises(lambda lib: lib.ones(0).item())
    s = suanzi.tensor(1.5, requires_grad=True)
    assert s.item() == 1.5


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_, np.float64, np.int8])
def test_tolist(shape, dtype):
    s, t = both(randn(*shape).astype(dtype))
    a, b = s.tolist(), t.tolist()
    assert a == b
    assert type(a) is type(b)
    if shape and shape[0] and np.prod(shape):
        flat_a, flat_b = np.asarray(a, dtype=object).ravel(), np.asarray(b, dtype=object).ravel()
        assert [type(x) for x in flat_a] == [type(x) for x in flat_b]


def test_numpy_shares_memory():
    s = suanzi.zeros(2, 3)
    n = s.numpy()
    assert n.dtype == np.float32 and n.shape == (2, 3)
    n[0, 0] = 7
    assert s.tolist()[0][0] == 7
    s.add_(1) if hasattr(s, "add_") else None
    assert n[0, 0] == 8


def test_numpy_requires_grad_raises():
    check_raises(lambda lib: lib.ones(2, requires_grad=True).numpy())
    check_raises(lambda lib: (lib.ones(2, requires_grad=True) * 2).numpy())
    for lib in (suanzi, torch):
        x = lib.ones(2, requires_grad=True)
        assert x.detach().numpy().tolist() == [1.0, 1.0]
        assert x.numpy(force=True).tolist() == [1.0, 1.0]


def test_array_protocol():
    s, t = both(randn(2, 3))
    np.testing.assert_array_equal(np.asarray(s), np.asarray(t))
    assert np.asarray(s).dtype == np.asarray(t).dtype
    assert np.asarray(s, dtype=np.float64).dtype == np.float64
    a = np.asarray(s)
    a[0, 0] = 100
    assert s.tolist()[0][0] == 100  # np.asarray shares memory, as with torch
    assert np.array(s).shape == (2, 3)
    assert np.array(s, copy=True) is not s.numpy()


def test_python_scalar_conversions():
    for lib in (suanzi, torch):
        assert float(lib.tensor([2.5])) == 2.5
        assert int(lib.tensor(3.7)) == 3
        assert bool(lib.tensor([0.0])) is False
        assert complex(lib.tensor(1.5)) == 1.5
        assert [10, 20, 30][lib.tensor(1)] == 20
    check_raises(lambda lib: float(lib.ones(2)))
    check_raises(lambda lib: bool(lib.ones(2)))
    check_raises(lambda lib: [1, 2][lib.tensor(1.0)])


# ------------------------------------------------------------------ clone / detach / data / contiguous
def test_clone():
    check(lambda lib, a: lib.clone(a), randn(2, 3))
    check(lambda lib, a: a.clone() * 2, randn(3))
    s = suanzi.ones(3)
    c = s.clone()
    c.numpy()[0] = 5
    assert s.tolist() == [1.0, 1.0, 1.0]
    x = suanzi.ones(2, requires_grad=True)
    y = x.clone()
    assert y.grad_fn.name == type(torch.ones(2, requires_grad=True).clone().grad_fn).__name__


def test_detach_shares_memory_and_version():
    for lib in (suanzi, torch):
        x = lib.ones(3, requires_grad=True)
        d = x.detach()
        assert not d.requires_grad and d.is_leaf
        with lib.no_grad():
            x.mul_(2) if hasattr(x, "mul_") else None
        assert d.tolist() == x.tolist()
        assert d._version == x._version
    s = suanzi.ones(3)
    d = s.detach()
    assert np.shares_memory(s.numpy(), d.numpy())


def test_data_attribute():
    for lib in (suanzi, torch):
        x = lib.ones(3, requires_grad=True)
        d = x.data
        assert not d.requires_grad
        d.numpy()[0] = 4
        assert x.detach().tolist()[0] == 4
        x.data = lib.zeros(3)
        assert x.requires_grad and x.detach().tolist() == [0.0, 0.0, 0.0]


def test_contiguous_and_strides():
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    s, t = both(a)
    assert s.stride() == t.stride() == (3, 1)
    assert s.stride(0) == t.stride(0) and s.stride(-1) == t.stride(-1)
    assert s.is_contiguous() and s.contiguous() is s
    st = suanzi.from_numpy(a.T)  # a transposed view
    tt = torch.from_numpy(a).t()
    assert st.stride() == tt.stride() == (1, 3)
    assert st.is_contiguous() == tt.is_contiguous() is False
    sc, tc = st.contiguous(), tt.contiguous()
    assert sc.is_contiguous() and sc.stride() == tc.stride()
    assert_same(sc, tc)
    check_raises(lambda lib: lib.ones(2, 3).stride(2))


def test_stride_expanded_and_0d():
    s = suanzi.ones(2, 1, 3).expand(2, 4, 3)
    t = torch.ones(2, 1, 3).expand(2, 4, 3)
    assert s.stride() == t.stride()
    assert s.is_contiguous() == t.is_contiguous()
    assert suanzi.tensor(1.0).stride() == torch.tensor(1.0).stride() == ()
    assert suanzi.ones(0, 3).stride() == torch.ones(0, 3).stride()


def test_contiguous_grad():
    a = randn(3, 4)
    check(lambda lib, x: (x.t() if lib is torch else x.t()).contiguous() * 2, a) \
        if hasattr(suanzi.Tensor, "t") else None
    x = suanzi.from_numpy(np.ascontiguousarray(a.T).T).requires_grad_()
    y = x.contiguous()
    assert y.is_contiguous() and y.grad_fn is not None
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 4), 2, np.float32))


# ------------------------------------------------------------------ conversions
@pytest.mark.parametrize("src", ALL[:10])
@pytest.mark.parametrize("dst", ALL[:10])
def test_to_dtype(src, dst):
    vals = np.array([0, 1, 2, 5, 100], np.float64)
    s = suanzi.tensor(vals, dtype=getattr(suanzi, src)).to(getattr(suanzi, dst))
    t = torch.tensor(vals, dtype=getattr(torch, src)).to(getattr(torch, dst))
    assert_same(s, t)


def test_to_same_dtype_returns_self():
    for lib in (suanzi, torch):
        x = lib.ones(2)
        assert x.to(lib.float32) is x
        assert x.to(lib.float32, copy=True) is not x
        assert x.to("cpu", lib.float64).dtype is lib.float64
        assert x.to(lib.ones(1, dtype=lib.int32)).dtype is lib.int32
        assert x.to(device="cpu", dtype=lib.float16).dtype is lib.float16


def test_to_grad():
    check(lambda lib, a: a.to(lib.float64) * 2, randn(3))
    check(lambda lib, a: a.double().float() * 2, randn(2, 2))
    check(lambda lib, a: a.half().float(), randn(4), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("method", ["float", "double", "half", "long", "int", "bool", "short", "byte",
                                    "char", "bfloat16"])
def test_conversion_methods(method):
    s, t = both(np.array([-1.5, 0.0, 2.7], np.float32))
    if method == "byte":
        s, t = both(np.array([1.5, 0.0, 2.7], np.float32))
    assert_same(getattr(s, method)(), getattr(t, method)())


@pytest.mark.parametrize("name", ALL[:10])
def test_type_strings(name):
    s = suanzi.zeros(2, dtype=getattr(suanzi, name))
    t = torch.zeros(2, dtype=getattr(torch, name))
    assert s.type() == t.type()
    for target in ["torch.DoubleTensor", "torch.FloatTensor", "torch.LongTensor", "torch.IntTensor",
                   "torch.BoolTensor", "torch.HalfTensor", "torch.ByteTensor"]:
        assert dtype_name(s.type(target).dtype) == dtype_name(t.type(target).dtype)
    assert s.type(suanzi.float64).dtype is suanzi.float64


def test_type_legacy_class():
    for name in ["DoubleTensor", "LongTensor", "HalfTensor", "BoolTensor"]:
        s = suanzi.ones(2).type(getattr(suanzi, name))
        t = torch.ones(2).type(getattr(torch, name))
        assert dtype_name(s.dtype) == dtype_name(t.dtype)
        assert suanzi.ones(2).to(getattr(suanzi, name).dtype).dtype is s.dtype


def test_is_floating_point_functions():
    for lib in (suanzi, torch):
        assert lib.is_floating_point(lib.ones(2))
        assert not lib.is_floating_point(lib.ones(2, dtype=lib.int64))
        assert lib.is_tensor(lib.ones(1)) and not lib.is_tensor([1])


# ------------------------------------------------------------------ default dtype
@pytest.mark.parametrize("name", ["float64", "float16", "bfloat16", "float32"])
def test_set_default_dtype(name):
    try:
        suanzi.set_default_dtype(getattr(suanzi, name))
        torch.set_default_dtype(getattr(torch, name))
        assert suanzi.get_default_dtype() is getattr(suanzi, name)
        if name in ("float32", "float64"):  # torch has no default complex for the half types
            s, t = suanzi.tensor(1 + 2j), torch.tensor(1 + 2j)
            assert dtype_name(s.dtype) == dtype_name(t.dtype)
        for f in (lambda lib: lib.tensor([1.5]), lambda lib: lib.zeros(2), lambda lib: lib.arange(2.0),
                  lambda lib: lib.ones(2, dtype=lib.int64) / 2 if False else lib.full((1,), 2.0),
                  lambda lib: lib.tensor([1, 2]), lambda lib: lib.linspace(0, 1, 3),
                  lambda lib: lib.rand(2), lambda lib: lib.randn(2), lambda lib: lib.eye(2),
                  lambda lib: lib.ones(2, dtype=lib.int64) + 1.5):
            s, t = f(suanzi), f(torch)
            assert dtype_name(s.dtype) == dtype_name(t.dtype)
    finally:
        suanzi.set_default_dtype(suanzi.float32)
        torch.set_default_dtype(torch.float32)
    assert suanzi.get_default_dtype() is suanzi.float32


def test_set_default_dtype_errors():
    check_raises(lambda lib: lib.set_default_dtype(lib.int64))
    check_raises(lambda lib: lib.set_default_dtype(lib.complex64), exc=TypeError)
    assert suanzi.get_default_dtype() is suanzi.float32


# ------------------------------------------------------------------ bfloat16
def test_bfloat16_round_trip():
    vals = [1.0, -2.5, 3.140625, 1e-3, 65504.0, 1e30]
    s = suanzi.tensor(vals, dtype=suanzi.bfloat16)
    t = torch.tensor(vals, dtype=torch.bfloat16)
    assert s.dtype is suanzi.bfloat16 and s.is_floating_point()
    assert s.float().tolist() == t.float().tolist()
    assert s.tolist() == t.tolist()
    assert s.to(suanzi.float64).tolist() == t.to(torch.float64).tolist()
    assert suanzi.ones(3).bfloat16().dtype is suanzi.bfloat16
    assert s.element_size() == 2
    r = suanzi.tensor([1.0], dtype=suanzi.bfloat16, requires_grad=True)
    assert r.requires_grad


# ------------------------------------------------------------------ promotion tables
@pytest.mark.parametrize("a", ALL)
@pytest.mark.parametrize("b", ALL)
def test_promote_types_table(a, b):
    s = suanzi.promote_types(getattr(suanzi, a), getattr(suanzi, b))
    t = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert dtype_name(s) == dtype_name(t)


def _operand(lib, kind, dtype):
    if kind == "dim":
        return lib.ones(2, dtype=getattr(lib, dtype))
    return lib.ones((), dtype=getattr(lib, dtype))


@pytest.mark.parametrize("a", ALL)
@pytest.mark.parametrize("b", ALL)
@pytest.mark.parametrize("kinds", [("dim", "dim"), ("dim", "zero"), ("zero", "dim"), ("zero", "zero")])
def test_result_type_tensors(a, b, kinds):
    s = suanzi.result_type(_operand(suanzi, kinds[0], a), _operand(suanzi, kinds[1], b))
    t = torch.result_type(_operand(torch, kinds[0], a), _operand(torch, kinds[1], b))
    _same_promotion(s, t)


def _same_promotion(s, t):
    if t == torch.complex32:  # torch's ComplexHalf has no suanzi counterpart
        assert s is suanzi.complex64
        return
    assert dtype_name(s) == dtype_name(t)


@pytest.mark.parametrize("a", ALL)
@pytest.mark.parametrize("scalar", [True, 2, 2.5, 1 + 1j, np.float64(1.5), np.int32(2)])
@pytest.mark.parametrize("kind", ["dim", "zero"])
def test_result_type_scalars(a, scalar, kind):
    s = suanzi.result_type(_operand(suanzi, kind, a), scalar)
    t = torch.result_type(_operand(torch, kind, a), scalar)
    _same_promotion(s, t)


def test_can_cast_table():
    for a in ALL:
        for b in ALL:
            assert suanzi.can_cast(getattr(suanzi, a), getattr(suanzi, b)) == \
                torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


# ------------------------------------------------------------------ misc
def test_pickle_and_deepcopy_tensor():
    x = suanzi.tensor([[1.5, 2.0]], requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == x.tolist() and y.requires_grad and y.dtype is suanzi.float32
    z = copy.deepcopy(x)
    assert z.tolist() == x.tolist() and z.requires_grad
    z.detach().numpy()[0, 0] = 9
    assert x.tolist()[0][0] == 1.5
    check_raises(lambda lib: copy.deepcopy(lib.ones(2, requires_grad=True) * 2))


def test_iteration_and_len():
    s, t = both(randn(3, 2))
    if hasattr(suanzi.Tensor, "unbind"):
        for a, b in zip(s, t):
            assert_same(a, b)
    check_raises(lambda lib: iter(lib.tensor(1.0)))


def test_nbytes_itemsize():
    s, t = suanzi.ones(2, 3, dtype=suanzi.float64), torch.ones(2, 3, dtype=torch.float64)
    assert s.nbytes == t.nbytes and s.itemsize == t.itemsize


def test_storage_offset_and_data_ptr():
    s = suanzi.ones(4)
    assert s.storage_offset() == 0
    assert isinstance(s.data_ptr(), int)
