"""``nn.Parameter``: a leaf Tensor that a Module registers as a parameter."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """Shares memory with the tensor it wraps, like torch's Parameter."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            arr = np.empty(0, np.float32)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
        if requires_grad and arr.dtype.kind not in "fcV":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        p = object.__new__(cls)
        p._data = arr
        p._vc = [0]
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happens in __new__; Tensor.__init__ is the legacy constructor

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (np.array(self._data), self._requires_grad))


def _rebuild_parameter(arr, requires_grad):
    return Parameter(Tensor._make(arr), requires_grad)


class Buffer(Tensor):
    """``nn.Buffer(tensor, persistent=True)``: marks a tensor to be registered
    as a buffer when assigned to a Module attribute."""

    def __new__(cls, data=None, *, persistent=True):
        arr = np.empty(0, np.float32) if data is None else data._data
        b = object.__new__(cls)
        b._data = arr
        b._vc = [0]
        b.persistent = persistent
        return b

    def __init__(self, data=None, *, persistent=True):
        pass
