"""dtype conversion and copies: ``to``, ``type``, ``float()``…, ``clone``,
``contiguous``, ``copy_``."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd.function import Function
from .._tensor import Tensor, _check_device, device as _device_cls
from ._util import check_broadcast
from .pointwise import cast

_make = Tensor._make

__all__ = ["clone"]

_LEGACY_TYPES = {
    "torch.FloatTensor": D.float32, "torch.DoubleTensor": D.float64, "torch.HalfTensor": D.float16,
    "torch.BFloat16Tensor": D.bfloat16, "torch.LongTensor": D.int64, "torch.IntTensor": D.int32,
    "torch.ShortTensor": D.int16, "torch.CharTensor": D.int8, "torch.ByteTensor": D.uint8,
    "torch.BoolTensor": D.bool_,
}
_TYPE_STRING = {v.name: k for k, v in _LEGACY_TYPES.items()}


def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False, memory_format=None):
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``."""
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, _device_cls)) and not (isinstance(a, str) and a.replace(
                "torch.", "") in D._BY_NAME):
            device = a
        elif a is not None:
            dtype = a
    _check_device(device)
    if dtype is None:
        return self.clone() if copy else self
    dt = D.to_dtype(dtype)
    if self._data.dtype == dt.np:
        return self.clone() if copy else self
    return cast(self, dt)


def type_(self, dtype=None, non_blocking=False):
    if dtype is None:
        return _TYPE_STRING[self.dtype.name]
    if isinstance(dtype, str) and dtype in _LEGACY_TYPES:
        dtype = _LEGACY_TYPES[dtype]
    return to(self, dtype)


class Clone(Function):
    def forward(self, a):
        return np.array(a, copy=True, order="K")

    def backward(self, g):
        return g


def clone(input, *, memory_format=None):
    return Clone.apply(input)


class Contiguous(Function):
    name = "CloneBackward0"

    def forward(self, a):
        return np.ascontiguousarray(a)

    def backward(self, g):
        return g


def contiguous(self, memory_format=None):
    if self._data.flags.c_contiguous:
        return self
    return Contiguous.apply(self)


class CopyFrom(Function):
    """``self.copy_(src)``: the result is ``src`` broadcast and cast to self's
    shape and dtype; self's old values get no gradient."""

    name = "CopyBackwards"

    def forward(self, dst, src):
        self.src_dtype = src.dtype
        return np.broadcast_to(src, dst.shape).astype(dst.dtype)

    def backward(self, g):
        return None, g.to(D.from_numpy_dtype(self.src_dtype))


def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        src = _make(np.asarray(src, dtype=self._data.dtype))
    if src._data.shape != self._data.shape:
        check_broadcast(self._data.shape, src._data.shape)
        if np.broadcast_shapes(self._data.shape, src._data.shape) != self._data.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(src.shape)}")
    return self._inplace_apply(CopyFrom, src)


def _caster(dt):
    def convert(self, memory_format=None):
        return to(self, dt)
    convert.__name__ = dt.name
    return convert


METHODS = {
    "to": to, "type": type_, "clone": clone, "contiguous": contiguous, "copy_": copy_,
    "float": _caster(D.float32), "double": _caster(D.float64), "half": _caster(D.float16),
    "bfloat16": _caster(D.bfloat16), "long": _caster(D.int64), "int": _caster(D.int32),
    "short": _caster(D.int16), "char": _caster(D.int8), "byte": _caster(D.uint8),
    "bool": _caster(D.bool_), "cpu": lambda self, memory_format=None: self,
    "type_as": lambda self, other: to(self, other.dtype),
}
