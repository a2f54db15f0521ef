"""Small shared helpers for op modules: operand conversion with torch's type
promotion, dim wrapping, broadcast-shape checks. Every op calls these
instead of re-deriving the rules."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

_make = Tensor._make


def is_tensor(x):
    return isinstance(x, Tensor)


def scalar_array(value, dt: D.dtype):
    """A 0-d array of ``dt`` holding a Python scalar, wrapping integers that
    don't fit as torch does (int8 tensor + 200 wraps; NumPy 2 would raise)."""
    if dt.category == D.INT and isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        info = np.iinfo(dt.np)
        v = int(value)
        if v < info.min or v > info.max:
            bits = 8 * dt.itemsize
            v &= (1 << bits) - 1
            if info.min < 0 and v >= 1 << (bits - 1):
                v -= 1 << bits
        return np.array(v, dtype=dt.np)
    return np.array(value, dtype=dt.np)


def to_tensor_operand(x, dt: D.dtype):
    """A Tensor of dtype ``dt`` from a Tensor (cast, differentiably if it
    requires grad) or a Python/NumPy scalar (a 0-d constant)."""
    if isinstance(x, Tensor):
        if x._data.dtype == dt.np:
            return x
        return x.to(dt)
    if isinstance(x, np.ndarray):
        return _make(np.asarray(x, dtype=dt.np))
    if isinstance(x, (numbers.Number, np.generic)):
        return _make(scalar_array(x, dt))
    raise TypeError(f"expected a Tensor or a number, got {type(x).__name__}")


def promote(*xs):
    """Cast all operands to torch.result_type(*xs); returns (tensors, dtype)."""
    dt = D.result_type(*(x if isinstance(x, Tensor) else _scalar_for_promotion(x) for x in xs))
    return [to_tensor_operand(x, dt) for x in xs], dt


def _scalar_for_promotion(x):
    if isinstance(x, np.ndarray):  # NumPy arrays promote like tensors
        return _make(x) if x.dtype in D._FROM_NP else x
    if isinstance(x, (numbers.Number, np.generic)):
        return x
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def wrap_dim(dim, ndim, name="dim"):
    """Wrap a possibly negative dim into [0, ndim); a 0-d tensor acts as 1-d."""
    m = max(ndim, 1)
    try:
        d = dim.__index__()
    except AttributeError:
        raise TypeError(f"{name} must be an int, got {type(dim).__name__}") from None
    if not -m <= d < m:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-m}, {m - 1}], but got {d})")
    return d + m if d < 0 else d


def wrap_dims(dims, ndim):
    """Wrap a list of dims, refusing repeats (torch's rule for reductions)."""
    out = []
    for d in dims:
        w = wrap_dim(d, ndim)
        if w in out:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        out.append(w)
    return out


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes with torch's error message naming both sizes."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, n in enumerate(s):
            j = ndim - len(s) + i
            if n == out[j] or n == 1:
                continue
            if out[j] == 1:
                out[j] = n
            else:
                raise RuntimeError(
                    f"The size of tensor a ({out[j]}) must match the size of tensor b ({n}) at "
                    f"non-singleton dimension {i}")
    return tuple(out)


def check_broadcast(a_shape, b_shape):
    """Raise torch's broadcast error (naming both shapes) if they don't broadcast."""
    la, lb = len(a_shape), len(b_shape)
    n = max(la, lb)
    for i in range(1, n + 1):
        x = a_shape[-i] if i <= la else 1
        y = b_shape[-i] if i <= lb else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {n - i}")


def shape_arg(args):
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(Size)``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    elif len(args) == 1 and isinstance(args[0], Tensor) and args[0].ndim == 1:
        args = args[0].tolist()
    try:
        return tuple(int(a.__index__()) for a in args)
    except AttributeError:
        bad = next(a for a in args if not hasattr(a, "__index__"))
        raise TypeError(f"expected a sequence of integers, but got {type(bad).__name__}") from None


def as_tensor_arg(x, name="input"):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{name} must be a Tensor, not {type(x).__name__}")


def write_out(out, arr):
    """``out=``: store ``arr`` in the tensor ``out`` (resized if needed)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"out must be a Tensor, not {type(out).__name__}")
    if out._data.shape == arr.shape:
        np.copyto(out._data, arr, casting="unsafe")
    else:
        out._data = arr.astype(out._data.dtype)
    out._vc[0] += 1
    return out
