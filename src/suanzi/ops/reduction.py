"""Reductions: sum, mean, prod, var/std, max/min, logsumexp, norm, all/any,
cumulative ops.

``dim`` may be None, an int, or a tuple/list; an empty tuple reduces every
dim (torch's rule, unlike NumPy's ``axis=()``).
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd.function import Function
from .._tensor import Tensor
from ._util import wrap_dims

_make = Tensor._make

__all__ = ["sum"]

_builtin_sum = sum


def _axes(dim, ndim):
    """NumPy axis tuple for a torch ``dim`` argument (None/()/[] → all)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return tuple(range(ndim))
        return tuple(wrap_dims(dim, ndim)) if ndim else ()
    return tuple(wrap_dims((dim,), ndim)) if ndim else ()


def _restore_dims(g, shape, axes, keepdim):
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim and axes:
        kept = list(shape)
        for a in axes:
            kept[a] = 1
        g = g.reshape(kept)
    return g.expand(shape)


class Sum(Function):
    def forward(self, a, axes, keepdim, dtype):
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        return np.sum(a, axis=axes, keepdims=keepdim, dtype=dtype)

    def backward(self, g):
        return _restore_dims(g, self.shape, self.axes, self.keepdim)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dtype is not None:
        dt = D.to_dtype(dtype)
    elif input._data.dtype.kind in "biu":
        dt = D.int64
    else:
        dt = D.from_numpy_dtype(input._data.dtype)
    return Sum.apply(input, axes=_axes(dim, input.ndim), keepdim=bool(keepdim), dtype=dt.np)


class SumToSize(Function):
    name = "SumBackward1"

    def forward(self, a, shape):
        self.shape = a.shape
        lead = a.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and a.shape[lead + i] != 1)
        r = np.sum(a, axis=axes, keepdims=True) if axes else a
        return r.reshape(shape)

    def backward(self, g):
        return g.expand(self.shape)


def sum_to_size(input, *size):
    """Sum ``input`` down to ``size`` (the inverse of broadcasting)."""
    from ._util import shape_arg

    shape = shape_arg(size)
    if tuple(input._data.shape) == shape:
        return input
    try:
        np.broadcast_shapes(shape, input._data.shape)
        ok = len(shape) <= input.ndim
    except ValueError:
        ok = False
    if not ok or np.broadcast_shapes(shape, input._data.shape) != input._data.shape:
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size "
                           f"{{{list(input.shape)}}}.")
    return SumToSize.apply(input, shape=shape)


METHODS = {"sum": sum, "sum_to_size": sum_to_size}
