"""Views and shape ops: view/reshape, transpose/permute, squeeze/unsqueeze,
expand, flatten, cat/stack, split/chunk, flip/roll, repeat/tile, gather and
scatter, masked_fill, where.

View ops are Functions with ``may_be_view = True``: when NumPy returns a view
of the input, the result shares the base's memory and version counter.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from .._tensor import Tensor
from ._util import shape_arg

_make = Tensor._make

__all__ = ["reshape"]


def _infer_shape(shape, numel):
    """Resolve one -1 with torch's errors."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if neg:
        rest = 1
        for i, s in enumerate(shape):
            if i != neg[0]:
                rest *= s
        if rest == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                    "unspecified dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % rest:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // rest if s == -1 else s for s in shape)
    n = 1
    for s in shape:
        n *= s
    if n != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class View(Function):
    may_be_view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        try:
            return np.reshape(a, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    def backward(self, g):
        return g.reshape(self.in_shape)


class Reshape(Function):
    name = "ViewBackward0"
    may_be_view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        return np.reshape(a, shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


def view(self, *shape):
    shape = _infer_shape(shape_arg(shape), self._data.size)
    return View.apply(self, shape=shape)


def reshape(input, *shape):
    shape = _infer_shape(shape_arg(shape), input._data.size)
    if shape == input._data.shape:
        return View.apply(input, shape=shape)
    return Reshape.apply(input, shape=shape)


class Expand(Function):
    may_be_view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        return np.broadcast_to(a, shape)

    def backward(self, g):
        return g.sum_to_size(self.in_shape)


def expand(self, *sizes):
    sizes = shape_arg(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    f"non-existing dimension {i}")
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}")
        out.append(s)
    return Expand.apply(self, shape=tuple(out))


METHODS = {"view": view, "reshape": reshape, "expand": expand}
