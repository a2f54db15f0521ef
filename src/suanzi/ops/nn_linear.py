"""``F.linear`` and ``F.bilinear``.

``linear``: the leading dims of the input are folded into the rows of one
BLAS matmul ``x2 @ W.T`` (no copy of ``W``: NumPy passes the transpose flag to
BLAS), plus the bias. Backward is two matmuls and a column sum, written with
suanzi ops so ``create_graph=True`` differentiates through it. No dtype
promotion: mismatched dtypes are a RuntimeError, as in torch.

``bilinear``: ``y[n, o] = x1[n] @ W[o] @ x2[n] + b[o]``, as one matmul of
``x1`` against ``W`` laid out as (in1, out·in2), a product with ``x2`` and
a sum over in2, composed from suanzi ops (so gradients come from autograd).
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Function
from .linalg import _C_NAMES, _T_NAMES, matmul

__all__ = ["linear", "bilinear"]

_make = Tensor._make


def _dn(a):
    return D.from_numpy_dtype(a.dtype).name


def _low(dt):
    return dt == np.float16 or dt.kind == "V"


def _check_tensor(x, op, arg, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _mm_nt(a, w, b=None):
    """``a @ w.T (+ b)`` for 2-D ``a`` and ``w``, C-contiguous (half precision
    through float32). For few rows OpenBLAS's plain (NN) kernel on
    ``w @ a.T`` is faster than the transposed one; the copy back to row-major
    is fused with the bias add."""
    if _low(a.dtype):
        y = (a.astype(np.float32) @ w.astype(np.float32).T).astype(a.dtype)
        if b is not None:
            y += b
        return y
    rows, n_out = a.shape[0], w.shape[0]
    if rows <= 256 and a.flags.c_contiguous and w.flags.c_contiguous:
        yt = w @ a.T
        y = np.empty((rows, n_out), dtype=yt.dtype)
        if b is not None:
            np.add(yt.T, b, out=y)
        else:
            np.copyto(y, yt.T)
        return y
    y = a @ w.T
    if b is not None:
        y += b
    return y


class _Linear(Function):
    """``x @ W.T (+ b)`` with ``x`` of shape (*, in) and ``W`` of shape (out, in)."""

    name = "AddmmBackward0"
    save_inputs = (0, 1)

    def forward(self, x, w, b=None):
        k = x.shape[-1]
        lead = x.shape[:-1]
        x2 = x.reshape(_prod(lead), k) if x.ndim != 2 else x
        out_shape = lead + (w.shape[0],)
        if b is not None and b.ndim <= 1:  # a (out,) or scalar bias: fused into the product
            y = _mm_nt(x2, w, b)
            return y.reshape(out_shape) if y.shape != out_shape else y
        y = _mm_nt(x2, w)
        if y.shape != out_shape:
            y = y.reshape(out_shape)
        if b is not None:
            y += b  # b broadcasts to y's shape (checked before)
        return y

    def backward(self, g):
        x, w = self.saved_tensors
        need = self.needs_input_grad
        k = x._data.shape[-1]
        n_out = w._data.shape[0]
        rows = _prod(x._data.shape[:-1])
        g2 = g.reshape(rows, n_out) if g._data.ndim != 2 else g
        gx = gw = gb = None
        if need[0]:
            gx = matmul(g2, w)
            if x._data.ndim != 2:
                gx = gx.reshape(x._data.shape)
        if need[1]:
            x2 = x.reshape(rows, k) if x._data.ndim != 2 else x
            gw = matmul(g2.mT, x2)
        if len(need) == 2:
            return gx, gw
        if need[2]:
            # a (out,) bias: the column sum; any other broadcast bias: the engine
            # reduces the output-shaped gradient to the bias's shape
            gb = g2.sum(0) if self._input_meta[2][0] == (n_out,) else g
        return gx, gw, gb


class _LinearNoBias(_Linear):
    name = "MmBackward0"


def _expand_error(bshape, target, btype):
    if len(bshape) > len(target):
        raise RuntimeError(
            f"expand({btype}{{{list(bshape)}}}, size={list(target)}): the number of "
            f"sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(bshape)})")
    for i in range(1, len(bshape) + 1):
        b, o = bshape[-i], target[-i]
        if b not in (1, o):
            raise RuntimeError(
                f"The expanded size of the tensor ({o}) must match the existing size ({b}) at "
                f"non-singleton dimension {len(target) - i}.  Target sizes: {list(target)}.  "
                f"Tensor sizes: {list(bshape)}")


def _check_bias(bshape, x_shape, n_out, btype):
    """torch's bias rules: a 2-D input (addmm) or a bias of ``out`` elements
    (the flattened path) expands the bias to (rows, out); otherwise the bias
    is added in place to the output, so it must broadcast without enlarging it."""
    out_shape = x_shape[:-1] + (n_out,)
    if len(x_shape) == 2 or (len(x_shape) > 2 and int(np.prod(bshape)) == n_out):
        rows = int(np.prod(x_shape[:-1]))
        _expand_error(bshape, (rows, n_out), btype)
        return
    if len(bshape) <= len(out_shape) and all(
            b in (1, o) for b, o in zip(bshape[::-1], out_shape[::-1])):
        return
    nd = max(len(bshape), len(out_shape))
    bc = []
    for i in range(1, nd + 1):
        b = bshape[-i] if i <= len(bshape) else 1
        o = out_shape[-i] if i <= len(out_shape) else 1
        if b != o and b != 1 and o != 1:
            raise RuntimeError(f"The size of tensor a ({o}) must match the size of tensor b ({b}) "
                               f"at non-singleton dimension {nd - i}")
        bc.append(max(b, o))
    raise RuntimeError(f"output with shape {list(out_shape)} doesn't match the broadcast shape "
                       f"{bc[::-1]}")


def linear(input, weight, bias=None):
    """``y = input @ weight.T + bias``; input (*, in), weight (out, in) or (in,)."""
    _check_tensor(input, "linear", "input", 1)
    _check_tensor(weight, "linear", "weight", 2)
    if bias is not None:
        _check_tensor(bias, "linear", "bias", 3)
    x, w = input._data, weight._data
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{x.ndim}D and {w.ndim}D")
    if w.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {w.ndim}D")
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_C_NAMES[_dn(x)]} != {_C_NAMES[_dn(w)]}")
    if x.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    if bias is not None and bias._data.dtype != x.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_T_NAMES[_dn(bias._data)]} and {_T_NAMES[_dn(x)]}")
    if w.ndim == 1:  # a vector weight: y has shape (*,)
        if bias is not None and (x.ndim > 1 or bias._data.ndim == 1):
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
        y = matmul(input, weight)
        if bias is not None:
            if bias._data.ndim > 0:
                raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                                   f"{list(bias._data.shape)}")
            y = y + bias
        return y
    if x.shape[-1] != w.shape[1]:
        rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} "
                           f"and {w.shape[1]}x{w.shape[0]})")
    if bias is None:
        return _LinearNoBias.apply(input, weight)
    bshape = bias._data.shape
    if bshape != (w.shape[0],):
        _check_bias(bshape, x.shape, w.shape[0], bias.type())
    return _Linear.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``."""
    _check_tensor(input1, "bilinear", "input1", 1)
    _check_tensor(input2, "bilinear", "input2", 2)
    _check_tensor(weight, "bilinear", "weight", 3)
    if bias is not None:
        _check_tensor(bias, "bilinear", "bias", 4)
    a, c, w = input1._data, input2._data, weight._data
    ts = [a, c, w] + ([bias._data] if bias is not None else [])
    if len({t.dtype for t in ts}) > 1:
        names = ["input1", "input2", "weight", "bias"]
        got = ", ".join(f"{n}: {_C_NAMES[_dn(t)]}" for n, t in zip(names, ts))
        if bias is None:
            got += ", bias: " + _C_NAMES[_dn(w)]
        raise RuntimeError(f"All tensors must have the same dtype, got {got}")
    if a.ndim == 0 or c.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if a.ndim != c.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {a.ndim} and "
                           f"{c.ndim}")
    for i in range(a.ndim - 1):
        if a.shape[i] != c.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got "
                               f"{a.shape[i]} and {c.shape[i]}")
    if w.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(w.ndim, 1)}, {max(w.ndim, 1) - 1}], but got 1)")
    if a.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{a.shape[-1]} but expected {w.shape[1]}")
    if w.ndim != 3:
        if w.ndim == 2:
            raise IndexError("Dimension out of range (expected to be in range of [-2, 1], but "
                             "got 2)")
        raise RuntimeError("number of dimensions must match")
    if c.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{c.shape[-1]} but expected {w.shape[2]}")
    n_out, in1, in2 = w.shape
    if bias is not None:
        if bias._data.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        if bias._data.shape[0] != n_out:
            raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                               f"{bias._data.shape[0]} but expected {n_out}")
        if bias._data.ndim > 1:
            raise RuntimeError(f"The size of tensor a ({a.shape[0] if a.ndim > 1 else 1}) must "
                               f"match the size of tensor b ({n_out}) at non-singleton "
                               "dimension 0")
    lead = a.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), times x2, summed over in2
    wm = weight.permute(1, 0, 2).reshape(in1, n_out * in2)
    t = matmul(x1, wm).reshape(-1, n_out, in2)
    y = matmul(t, x2.unsqueeze(-1)).squeeze(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (n_out,))
