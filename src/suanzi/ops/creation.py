"""Tensor creation: tensor/as_tensor/asarray/from_numpy, zeros/ones/full/empty
and their ``*_like`` and ``Tensor.new_*`` forms, arange/linspace/logspace/eye,
scalar_tensor, and the legacy typed constructors (``FloatTensor`` …).

dtype inference is torch's: Python ints → int64, floats → the default dtype
(float32), bools → bool, complex → the default complex dtype; NumPy arrays and
NumPy scalars keep their dtype; a list mixing kinds takes the promotion of its
elements (``torch.promote_types``), never NumPy's float64 widening.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .. import random as _random
from .._tensor import Size, Tensor, _check_device
from ._util import write_out

_make = Tensor._make

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like",
           "randint_like", "arange", "range", "linspace", "logspace", "eye", "scalar_tensor",
           "empty_strided", "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor",
           "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]

_builtin_range = range

# Python scalar types → the dtype torch gives them (the float/complex entries
# follow the default dtype, so they are looked up through a function).
_SCALAR_CAT = {bool: D.BOOL, int: D.INT, float: D.FLOAT, complex: D.COMPLEX}


# ------------------------------------------------------------------ inference
def _leaf_dtype(x):
    """dtype of one non-sequence element of the data given to ``tensor``."""
    tp = type(x)
    cat = _SCALAR_CAT.get(tp)
    if cat is not None:
        return D._default_for_category(cat)
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, (np.ndarray, np.generic)):
        return D.from_numpy_dtype(x.dtype)
    if isinstance(x, (bool, int, float, complex)):  # subclasses (IntEnum …)
        return D._default_for_category(D._scalar_category(x))
    if isinstance(x, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{tp.__name__}'")
    raise RuntimeError(f"Could not infer dtype of {tp.__name__}")


def _infer_dtype(data):
    """The dtype torch.tensor gives ``data``: the promotion of all its leaves.

    Scans types one list at a time (``set(map(type, row))`` runs at C speed),
    so a long list of floats costs one pass, not one Python call per element.
    """
    tp = type(data)
    if tp is not list and tp is not tuple:
        return _leaf_dtype(data)
    result = None
    stack = [data]
    while stack:
        seq = stack.pop()
        for t in set(map(type, seq)):
            if t is list or t is tuple:
                stack.extend(x for x in seq if type(x) is t)
                continue
            cat = _SCALAR_CAT.get(t)
            if cat is not None:
                dts = (D._default_for_category(cat),)
            else:
                dts = {_leaf_dtype(x) for x in seq if type(x) is t}
            for d in dts:
                result = d if result is None else D.promote_types(result, d)
    return D.get_default_dtype() if result is None else result


def _ragged_error(data):
    """torch's error for a ragged nested list: ValueError naming the dim and lengths,
    TypeError where numbers and sequences mix."""
    def walk(x, dim):
        if not isinstance(x, (list, tuple)):
            return None
        lens = {len(e) if isinstance(e, (list, tuple)) else -1 for e in x}
        if len(lens) > 1:
            first = len(x[0]) if isinstance(x[0], (list, tuple)) else None
            for e in x:
                n = len(e) if isinstance(e, (list, tuple)) else None
                if n != first:
                    if first is None or n is None:
                        return TypeError(
                            f"tensor(): mixed numbers and sequences at dim {dim + 1} (expected "
                            f"{'a sequence of length %d' % first if first is not None else 'a number'}"
                            f", got {type(e).__name__})")
                    return ValueError(
                        f"expected sequence of length {first} at dim {dim + 1} (got {n})")
        for e in x:
            m = walk(e, dim + 1)
            if m:
                return m
        return None

    return walk(data, 0) or ValueError("the nested sequence has an inhomogeneous shape")


def _to_array(data, dt):
    """A fresh ndarray of ``dt`` holding ``data`` (wrapping out-of-range ints
    as torch's casts do)."""
    npd = dt.np
    if npd is None:
        raise D._bfloat16_unavailable()
    if dt.category == D.INT:
        return _to_int_array(data, dt)
    if dt.category != D.COMPLEX and _has_complex(data):
        raise TypeError("must be real number, not complex")
    try:
        return np.array(data, dtype=npd)
    except OverflowError:
        arr = np.array(data)
        if arr.dtype == object:
            raise ValueError("Overflow when unpacking long long") from None
        return arr.astype(npd)
    except ValueError as e:
        if isinstance(data, (list, tuple)) and "inhomogeneous" in str(e):
            raise _ragged_error(data) from None
        raise
    except TypeError as e:
        raise TypeError(f"tensor(): could not convert the data to a tensor ({e})") from None


def _has_complex(data):
    if type(data) is complex:
        return True
    if isinstance(data, (list, tuple)):
        try:
            return np.array(data).dtype.kind == "c"
        except (ValueError, TypeError):
            return False
    return False


def _to_int_array(data, dt):
    """Python data into an integer dtype with torch's overflow check: a float
    must lie in the dtype's range, an integer too (an unsigned dtype also
    takes -max..-1, wrapping them)."""
    try:
        src = np.array(data)
    except ValueError as e:
        if isinstance(data, (list, tuple)) and "inhomogeneous" in str(e):
            raise _ragged_error(data) from None
        raise
    kind = src.dtype.kind
    info = np.iinfo(dt.np)
    if kind == "O":
        raise RuntimeError(f"value cannot be converted to type {dt.np} without overflow")
    if kind == "c":
        raise TypeError("must be real number, not complex")
    if src.size:
        if kind == "f":
            bad = ~np.isfinite(src) | (src < info.min) | (src > info.max)
        elif kind in "iu":
            lo = -int(info.max) if info.min == 0 else int(info.min)
            bad = (src < lo) | (src > info.max)
        elif kind == "b":
            bad = None
        else:
            raise TypeError(f"new(): invalid data type '{src.dtype}'")
        if bad is not None and bad.any():
            raise RuntimeError(f"value cannot be converted to type {dt.np} without overflow")
    return src.astype(dt.np)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.tensor: always copies ``data``; the result is a leaf."""
    if device is not None:
        _check_device(device)
    tp = type(data)
    if dtype is None:
        if tp is float:
            dt = D._default_float[0]
        elif tp is int:
            if not -(1 << 63) <= data < (1 << 63):
                raise ValueError("Overflow when unpacking long long")
            dt = D.int64
        elif tp is np.ndarray:
            dt = D.from_numpy_dtype(data.dtype)
        elif tp is Tensor:
            dt = data.dtype
        else:
            if tp is _builtin_range:
                data = list(data)
            dt = _infer_dtype(data)
    else:
        dt = D.to_dtype(dtype)
    if isinstance(data, Tensor):
        arr = np.array(data._data, dtype=dt.np)
    else:
        arr = _to_array(data, dt)
    t = _make(arr)
    if requires_grad:
        _require_grad(t)
    return t


def _require_grad(t):
    if t._data.dtype.kind not in "fcV":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    t._requires_grad = True


def from_numpy(ndarray):
    """A Tensor sharing memory with ``ndarray`` (writes are seen by both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().)")
    if not ndarray.dtype.isnative:
        raise TypeError("given numpy array has byte order different from the native byte order. "
                        "Conversion between byte orders is currently not supported.")
    return _make(ndarray)


def as_tensor(data, dtype=None, device=None):
    """Shares memory with a Tensor/ndarray of the requested dtype; else copies."""
    if device is not None:
        _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        if dtype is None or D.to_dtype(dtype).np == data.dtype:
            if all(s >= 0 for s in data.strides) and data.dtype.isnative:
                return from_numpy(data)
            return _make(np.array(data, dtype=D.from_numpy_dtype(data.dtype).np))
    return tensor(data, dtype=dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray: shares memory with Tensors and ndarrays unless a copy is
    asked for or needed (``copy=False`` refuses to copy)."""
    if device is not None:
        _check_device(device)
    dt = D.to_dtype(dtype) if dtype is not None else None
    if isinstance(obj, Tensor) or isinstance(obj, np.ndarray):
        src = obj._data if isinstance(obj, Tensor) else obj
        src_dt = D.from_numpy_dtype(src.dtype)
        if dt is not None and dt is not src_dt:
            if copy is False:
                raise ValueError(f"can't alias tensor with dtype '{_type_name(src_dt)}' into "
                                 f"dtype '{_type_name(dt)}'.")
            t = _make(src.astype(dt.np))
        elif copy:
            t = _make(np.array(src, copy=True))
        elif isinstance(obj, Tensor):
            t = obj
            if requires_grad and not t._requires_grad:
                t = obj.detach()
        else:
            t = from_numpy(obj)
    else:
        if copy is False:
            raise ValueError("can't alias Python data into a tensor (copy=False)")
        t = tensor(obj, dtype=dt)
    if requires_grad and not t._requires_grad:
        _require_grad(t)
    return t


_type_name = _random._type_name


# ------------------------------------------------------------------ sizes
_size = _random._size
_seq_size = _random._seq_size


def _dtype_or_default(dtype):
    return D.to_dtype(dtype) if dtype is not None else D._default_float[0]


def _finish(arr, requires_grad, out=None):
    if out is not None:
        return write_out(out, arr)
    t = _make(arr)
    if requires_grad:
        _require_grad(t)
    return t


# ------------------------------------------------------------------ constant fills
def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, names=None):
    if device is not None:
        _check_device(device)
    dt = D.to_dtype(dtype) if dtype is not None else D._default_float[0]
    if size is None and len(args) == 1 and type(args[0]) is int and args[0] >= 0:
        shape = args  # fast path: zeros(n)
    else:
        shape = _size(args, size, "zeros")
    return _finish(np.zeros(shape, dt.np), requires_grad, out)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None, names=None):
    if device is not None:
        _check_device(device)
    dt = D.to_dtype(dtype) if dtype is not None else D._default_float[0]
    return _finish(np.ones(_size(args, size, "ones"), dt.np), requires_grad, out)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, names=None):
    """Uninitialised in torch; zero-filled here (as cheap, and deterministic)."""
    if device is not None:
        _check_device(device)
    dt = D.to_dtype(dtype) if dtype is not None else D._default_float[0]
    return _finish(np.zeros(_size(args, size, "empty"), dt.np), requires_grad, out)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    if device is not None:
        _check_device(device)
    shape = _seq_size(size, "empty_strided")
    stride = tuple(int(s) for s in stride)
    if len(stride) != len(shape):
        raise RuntimeError(f"mismatch in length of strides and shape")
    dt = _dtype_or_default(dtype)
    extent = 1 + sum((n - 1) * s for n, s in zip(shape, stride)) if all(shape) else 0
    buf = np.zeros(max(extent, 0), dt.np)
    arr = np.lib.stride_tricks.as_strided(buf, shape, tuple(s * buf.itemsize for s in stride))
    return _finish(arr, requires_grad)


def _fill_value(value, fname):
    if isinstance(value, Tensor):
        if value._data.size != 1:
            raise RuntimeError(f"{fname}(): fill_value must be a number or a one-element tensor")
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _fill_dtype(value):
    cat = _SCALAR_CAT.get(type(value))
    if cat is None:
        cat = D._scalar_category(value)
    return D._default_for_category(cat)


def _full_array(shape, value, dt):
    if dt.category == D.INT and type(value) is int:
        info = np.iinfo(dt.np)
        if not info.min <= value <= info.max:
            raise RuntimeError(f"value cannot be converted to type {dt.np} without overflow")
    if dt.category < D.COMPLEX and isinstance(value, complex):
        raise RuntimeError(f"value cannot be converted to type {dt.np} without overflow")
    return np.full(shape, value, dt.np)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, names=None):
    """dtype from the fill value when not given: bool → bool, int → int64,
    float → the default dtype, complex → the default complex dtype."""
    if device is not None:
        _check_device(device)
    shape = _seq_size(size, "full")
    value = _fill_value(fill_value, "full")
    dt = D.to_dtype(dtype) if dtype is not None else _fill_dtype(value)
    return _finish(_full_array(shape, value, dt), requires_grad, out)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    if device is not None:
        _check_device(device)
    s = _fill_value(s, "scalar_tensor")
    return _finish(np.array(s, dtype=_dtype_or_default(dtype).np), requires_grad)


# ------------------------------------------------------------------ *_like
def _like_dtype(input, dtype):
    if not isinstance(input, Tensor):
        raise TypeError(f"expected a Tensor as input, got {type(input).__name__}")
    return D.to_dtype(dtype) if dtype is not None else input.dtype


def _like_shape_order(input, memory_format):
    """NumPy's order 'K' keeps the input's dim order (torch's preserve_format)
    for dense inputs; expanded/overlapping inputs get a contiguous result."""
    a = input._data
    if memory_format is not None and str(memory_format).endswith("contiguous_format"):
        return "C"
    if a.flags.c_contiguous or any(s == 0 for s in a.strides):
        return "C"
    return "K"


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    dt = _like_dtype(input, dtype)
    return _finish(np.zeros_like(input._data, dt.np, order=_like_shape_order(input, memory_format)),
                   requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    dt = _like_dtype(input, dtype)
    return _finish(np.ones_like(input._data, dt.np, order=_like_shape_order(input, memory_format)),
                   requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad, memory_format=memory_format)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    dt = _like_dtype(input, dtype)
    value = _fill_value(fill_value, "full_like")
    arr = np.empty_like(input._data, dt.np, order=_like_shape_order(input, memory_format))
    arr[...] = _full_array((), value, dt)
    return _finish(arr, requires_grad)


def _sampled_like(input, sample, memory_format, requires_grad):
    """A new tensor laid out like ``input`` (preserve_format) holding ``sample``."""
    order = _like_shape_order(input, memory_format)
    if order == "C":
        return _finish(sample._data, requires_grad)
    arr = np.empty_like(input._data, sample._data.dtype, order=order)
    arr[...] = sample._data
    return _finish(arr, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    dt = _like_dtype(input, dtype)
    return _sampled_like(input, _random.rand(input.shape, dtype=dt, generator=generator),
                         memory_format, requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    dt = _like_dtype(input, dtype)
    return _sampled_like(input, _random.randn(input.shape, dtype=dt, generator=generator),
                         memory_format, requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    """``randint_like(x, high)`` or ``randint_like(x, low, high)``; keeps x's dtype."""
    if high is None:
        low, high = 0, low
    dt = _like_dtype(input, dtype)
    return _sampled_like(input, _random.randint(low, high, input.shape, dtype=dt,
                                                generator=generator),
                         memory_format, requires_grad)


# ------------------------------------------------------------------ Tensor.new_*
def new_zeros(self, *args, size=None, dtype=None, layout=None, device=None, requires_grad=False,
              pin_memory=False):
    return zeros(*args, size=size, dtype=dtype if dtype is not None else self.dtype, device=device,
                 requires_grad=requires_grad)


def new_ones(self, *args, size=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    return ones(*args, size=size, dtype=dtype if dtype is not None else self.dtype, device=device,
                requires_grad=requires_grad)


def new_empty(self, *args, size=None, dtype=None, layout=None, device=None, requires_grad=False,
              pin_memory=False):
    return empty(*args, size=size, dtype=dtype if dtype is not None else self.dtype, device=device,
                 requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    return full(size, fill_value, dtype=dtype if dtype is not None else self.dtype, device=device,
                requires_grad=requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A copy of ``data`` with self's dtype unless ``dtype`` is given."""
    return tensor(data, dtype=dtype if dtype is not None else self.dtype, device=device,
                  requires_grad=requires_grad)


def new(self, *args, device=None):
    """Legacy ``x.new(...)``: the typed constructor of x's dtype."""
    return _legacy_new(self.dtype, args, device)


# ------------------------------------------------------------------ ranges
def _range_scalar(x, name):
    """A Python number from an arange/linspace bound (a number or a 1-element tensor)."""
    if isinstance(x, Tensor):
        if x._data.size != 1:
            raise RuntimeError(f"{name} must be a number or a one-element tensor")
        return x._data.reshape(()).item()
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (int, float)):
        return x
    raise TypeError(f"arange(): argument '{name}' must be Number, not {type(x).__name__}")


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """``arange(end)``, ``arange(start, end)``, ``arange(start, end, step)``.

    int64 when every bound is an integer, else the default dtype. The length
    is ``ceil((end - start) / step)``; values are ``start + i*step`` computed
    in double (in the truncated integer bounds for integer dtypes), as torch.
    """
    if end is None:
        if type(start) is int and start >= 0 and step == 1 and dtype is None and out is None \
                and device is None and not requires_grad:
            return _make(np.arange(start, dtype=np.int64))  # fast path: arange(n)
        start, end = 0, start
    if device is not None:
        _check_device(device)
    s, e, st = (_range_scalar(start, "start"), _range_scalar(end, "end"),
                _range_scalar(step, "step"))
    if dtype is not None:
        dt = D.to_dtype(dtype)
    elif any(isinstance(v, float) for v in (s, e, st)):
        dt = D._default_float[0]
    else:
        dt = D.int64
    if st == 0:
        raise RuntimeError("step must be nonzero")
    if dt.category in (D.INT, D.BOOL):  # torch's accumulate type is int64
        xs, xe, xst = int(s), int(e), int(st)
        if xst == 0 and dt is D.int64:
            raise ValueError("step must be nonzero")
    else:
        xs, xe, xst = float(s), float(e), float(st)
    for v in (xs, xe):
        if isinstance(v, float) and not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {xs} -> {xe}")
    if not ((st > 0 and e >= s) or (st < 0 and e <= s)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt is D.int64:
        sgn = (xst > 0) - (xst < 0)
        num = xe - xs + xst - sgn
        n = abs(num) // abs(xst) * (1 if (num >= 0) == (xst > 0) else -1)
    else:
        n = math.ceil((float(e) - float(s)) / float(st))
    n = max(int(n), 0)
    if dt.category in (D.INT, D.BOOL):
        arr = (np.arange(n, dtype=np.int64) * xst + xs).astype(dt.np, copy=False)
    else:
        arr = (np.arange(n, dtype=np.float64) * xst + xs).astype(dt.np, copy=False)
    return _finish(arr, requires_grad, out)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,  # noqa: A001
          requires_grad=False):
    """Deprecated torch.range: like arange but including ``end``; default dtype."""
    if end is None:
        start, end = 0, start
    s, e, st = (_range_scalar(start, "start"), _range_scalar(end, "end"),
                _range_scalar(step, "step"))
    if st == 0:
        raise RuntimeError("step must be nonzero")
    if not ((st > 0 and e >= s) or (st < 0 and e <= s)):
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    dt = _dtype_or_default(dtype)
    n = int(math.floor((e - s) / st)) + 1
    arr = (np.arange(n, dtype=np.float64) * st + s).astype(dt.np)
    return _finish(arr, requires_grad, out)


def _steps_arg(steps):
    if isinstance(steps, Tensor):
        steps = steps.item()
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return steps


def _linspace_values(s, e, steps, dt):
    """torch's kernel: the first half counts up from start, the second half
    down from end (so both ends are exact); float dtypes compute in their own
    precision, integer dtypes in double."""
    if dt.category in (D.INT, D.BOOL):
        s, e = float(int(s)), float(int(e))
        work = np.float64
    elif dt.category == D.COMPLEX:
        work = dt.np
    else:
        work = np.float64 if dt is D.float64 else np.float32
    if steps == 0:
        return np.zeros(0, work)
    if steps == 1:
        return np.full(1, s, work)
    ws, we = work(s), work(e)
    step = (we - ws) / work(steps - 1)
    idx = np.arange(steps, dtype=work)
    half = steps // 2
    out = np.empty(steps, work)
    out[:half] = ws + step * idx[:half]
    out[half:] = we - step * (work(steps - 1) - idx[half:])
    return out


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    if device is not None:
        _check_device(device)
    steps = _steps_arg(steps)
    s, e = _range_scalar(start, "start"), _range_scalar(end, "end")
    dt = _dtype_or_default(dtype)
    return _finish(_linspace_values(s, e, steps, dt).astype(dt.np, copy=False), requires_grad, out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    if device is not None:
        _check_device(device)
    steps = _steps_arg(steps)
    s, e = _range_scalar(start, "start"), _range_scalar(end, "end")
    dt = _dtype_or_default(dtype)
    exps = _linspace_values(s, e, steps, dt if dt.category != D.INT else D.float64)
    if dt.category == D.INT:
        exps = _linspace_values(float(int(s)), float(int(e)), steps, D.float64)
    vals = np.power(np.float64(_range_scalar(base, "base")), exps.astype(np.float64))
    return _finish(vals.astype(dt.np), requires_grad, out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    if device is not None:
        _check_device(device)
    n = int(_range_scalar(n, "n"))
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is None:
        m = n
    m = int(_range_scalar(m, "m"))
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _finish(np.eye(n, m, dtype=_dtype_or_default(dtype).np), requires_grad, out)


# ------------------------------------------------------------------ legacy constructors
def _legacy_new(dt, args, device=None):
    if device is not None:
        _check_device(device)
    if not args:
        return _make(np.zeros(0, dt.np))
    if len(args) == 1:
        a = args[0]
        if isinstance(a, Tensor):
            if a.dtype is not dt:
                raise TypeError(f"expected {_type_name(dt)} tensor (got {_type_name(a.dtype)})")
            t = _make(a._data)
            t._vc = a._vc
            return t
        if isinstance(a, Size):
            return _make(np.zeros(tuple(a), dt.np))
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            return tensor(a, dtype=dt)
    return _make(np.zeros(_size(args, None, "new"), dt.np))


class _LegacyTensorType(type):
    """``suanzi.FloatTensor``: callable as a constructor (data → copy of that
    dtype; sizes → a new tensor of that shape), and ``isinstance(x,
    FloatTensor)`` is true for a float32 tensor."""

    def __call__(cls, *args, device=None):
        return _legacy_new(cls.dtype, args, device)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy(name, dt):
    return _LegacyTensorType(name, (), {"dtype": dt, "__module__": "suanzi"})


FloatTensor = _legacy("FloatTensor", D.float32)
DoubleTensor = _legacy("DoubleTensor", D.float64)
HalfTensor = _legacy("HalfTensor", D.float16)
BFloat16Tensor = _legacy("BFloat16Tensor", D.bfloat16)
LongTensor = _legacy("LongTensor", D.int64)
IntTensor = _legacy("IntTensor", D.int32)
ShortTensor = _legacy("ShortTensor", D.int16)
CharTensor = _legacy("CharTensor", D.int8)
ByteTensor = _legacy("ByteTensor", D.uint8)
BoolTensor = _legacy("BoolTensor", D.bool_)


METHODS = {
    "new_zeros": new_zeros, "new_ones": new_ones, "new_empty": new_empty, "new_full": new_full,
    "new_tensor": new_tensor, "new": new,
}
