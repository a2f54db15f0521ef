"""``F.embedding``: a row gather from ``weight`` with torch's options.

Forward is ``np.take(weight, indices, axis=0)``. The weight gradient sums
the rows of the output gradient per index: sorted indices and one
``np.add.reduceat`` (no Python loop, no scatter-add conflicts), with the
``padding_idx`` row zeroed and ``scale_grad_by_freq`` dividing each row by its
count. ``max_norm`` renormalizes the looked-up rows of ``weight`` in place,
under no_grad, before the lookup (torch's ``embedding_renorm_``).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from .._tensor import Tensor

_make = Tensor._make

__all__ = ["embedding"]

_INDEX_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                "bfloat16": "BFloat16Tensor", "bool": "BoolTensor", "uint8": "ByteTensor",
                "int8": "CharTensor", "int16": "ShortTensor", "complex64": "ComplexFloatTensor",
                "complex128": "ComplexDoubleTensor"}


class _AssertionValueError(AssertionError, ValueError):
    """torch raises AssertionError here; also a ValueError (spec §0.5)."""


def _check_indices(input, op="embedding"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'indices' must be Tensor, not {type(input).__name__}")
    dt = input._data.dtype
    if dt != np.int64 and dt != np.int32:
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{_INDEX_NAMES.get(input.dtype.name, 'Tensor')} "
            f"instead (while checking arguments for {op})")


def _grad_rows(idx, g2, num_weights, padding_idx, scale_grad_by_freq, dtype):
    """Sum the rows of ``g2`` (n, D) by index ``idx`` (n,) into (num_weights, D)."""
    gw = np.zeros((num_weights, g2.shape[1]), dtype)
    n = idx.size
    if n == 0:
        return gw
    if n <= 64:
        np.add.at(gw, idx, g2)
        counts = None
        if scale_grad_by_freq:
            counts = np.bincount(idx, minlength=num_weights)
            nz = counts > 0
            gw[nz] /= counts[nz, None].astype(dtype)
    else:
        order = np.argsort(idx, kind="stable")
        s = idx[order]
        starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
        uniq = s[starts]
        sums = np.add.reduceat(g2[order], starts, axis=0)
        if scale_grad_by_freq:
            counts = np.diff(np.append(starts, n))
            sums /= counts[:, None].astype(dtype)
        gw[uniq] = sums
    if padding_idx is not None and padding_idx >= 0:
        gw[padding_idx] = 0
    return gw


class Embedding(Function):
    name = "EmbeddingBackward0"
    once_differentiable = True

    def forward(self, weight, indices, padding_idx, scale_grad_by_freq):
        self.idx = indices
        self.num_weights = weight.shape[0]
        self.padding_idx = padding_idx
        self.scale = scale_grad_by_freq
        return np.take(weight, indices, axis=0)

    def backward(self, g):
        if g is None:
            return None, None
        d = g.shape[-1]
        idx = self.idx.reshape(-1).astype(np.intp, copy=False)
        g2 = np.ascontiguousarray(g).reshape(-1, d)
        gw = _grad_rows(idx, g2, self.num_weights, self.padding_idx, self.scale, g.dtype)
        return gw, None


def _renorm_(weight, idx, max_norm, norm_type):
    """torch's embedding_renorm_: each unique looked-up row whose norm exceeds
    ``max_norm`` is scaled by max_norm / (norm + 1e-7), in place."""
    w = weight._data
    uniq = np.unique(idx)
    if uniq.size == 0:
        return
    rows = w[uniq]
    norms = np.linalg.norm(rows.astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    if not big.any():
        return
    sel = uniq[big]
    scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
    w[sel] = rows[big] * scale[:, None]
    weight._vc[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    if not isinstance(weight, Tensor):
        raise TypeError(f"embedding(): argument 'weight' must be Tensor, not "
                        f"{type(weight).__name__}")
    n = weight.shape[0] if weight.ndim else 0
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise _AssertionValueError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise _AssertionValueError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    _check_indices(input)
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = input._data
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= n:
            raise IndexError("index out of range in self")
    if sparse and weight.requires_grad:
        raise NotImplementedError("embedding(sparse=True): sparse gradients are not supported "
                                  "by suanzi; use sparse=False")
    if max_norm is not None:
        _renorm_(weight, idx.reshape(-1), float(max_norm), float(norm_type))
    return Embedding.apply(weight, input, padding_idx=padding_idx,
                           scale_grad_by_freq=bool(scale_grad_by_freq))


TORCH_FUNCTIONS = {
    "embedding": lambda weight, input, padding_idx=-1, scale_grad_by_freq=False, sparse=False:
        embedding(input, weight, None if padding_idx == -1 else padding_idx,
                  scale_grad_by_freq=scale_grad_by_freq, sparse=sparse),
}
