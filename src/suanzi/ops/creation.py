"""Tensor creation: tensor/as_tensor/from_numpy, zeros/ones/full/empty and
their ``*_like``, arange/linspace/eye, and the legacy typed constructors.

dtype inference is torch's: Python ints → int64, floats → the default dtype
(float32), bools → bool; NumPy arrays keep their dtype.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _check_device
from ._util import shape_arg

_make = Tensor._make

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones"]


def _infer_dtype(data):
    """The dtype torch.tensor gives nested Python data (no NumPy widening)."""
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, np.ndarray):
        return D.from_numpy_dtype(data.dtype)
    if isinstance(data, np.generic):
        return D.from_numpy_dtype(data.dtype) if not isinstance(data, np.floating) or \
            data.dtype != np.float64 else D.float64
    cat = -1
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, Tensor):
            c = x.dtype.category
            if c == D.FLOAT:
                return x.dtype if cat < D.FLOAT else D.get_default_dtype()
            cat = max(cat, c)
        else:
            cat = max(cat, D._scalar_category(x))
    if cat < 0:
        return D.get_default_dtype()  # empty list → float32
    return D._default_for_category(cat)


def _to_array(data, dt):
    if isinstance(data, Tensor):
        return np.array(data._data, dtype=dt.np)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [_to_array(x, dt) if isinstance(x, (Tensor, list, tuple)) else x for x in data]
    return np.array(data, dtype=dt.np)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    _check_device(device)
    dt = D.to_dtype(dtype) if dtype is not None else _infer_dtype(data)
    t = _make(_to_array(data, dt))
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None):
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or D.to_dtype(dtype).np == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().)")
    return _make(ndarray)


def _creation_dtype(dtype):
    return D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()


def _finish(arr, requires_grad):
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    _check_device(device)
    return _finish(np.zeros(shape_arg(size), _creation_dtype(dtype).np), requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None):
    _check_device(device)
    return _finish(np.ones(shape_arg(size), _creation_dtype(dtype).np), requires_grad)


METHODS = {}
