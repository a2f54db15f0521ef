"""Reductions: sum, mean, prod, var/std, max/min, logsumexp, norm, all/any,
cumulative ops, sort/topk/kthvalue/median/mode.

``dim`` may be None, an int, or a tuple/list; an empty tuple reduces every
dim (torch's rule, unlike NumPy's ``axis=()``).

Backward functions are written with suanzi Tensor ops (expand/reshape/mul…)
so that ``create_graph=True`` differentiates through them. The few
differentiable helpers that other modules may not provide yet (abs, pow,
sqrt, gather/scatter along a dim, reverse cumsum) are tiny private Functions
here.
"""
from __future__ import annotations

import collections
import sys
import types
import warnings

import numpy as np

from .. import _dtype as D
from ..autograd.function import Function, _NodeName
from .._tensor import Tensor
from ._util import wrap_dim, wrap_dims

_make = Tensor._make

__all__ = ["sum", "mean", "nansum", "nanmean", "prod", "var", "std", "var_mean", "std_mean",
           "max", "min", "amax", "amin", "argmax", "argmin", "aminmax", "logsumexp", "norm",
           "all", "any", "count_nonzero", "cumsum", "cumprod", "cummax", "cummin", "median",
           "nanmedian", "mode", "sort", "argsort", "topk", "kthvalue", "msort", "return_types"]

_builtin_max = max


# ------------------------------------------------------------------ return types
def _make_return_type(name, fields):
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__,
                               "__module__": "suanzi.return_types"})
    cls.__qualname__ = name
    return cls


return_types = types.ModuleType("suanzi.return_types",
                                "Named tuples returned by reductions (torch.return_types).")
for _n, _f in [("max", ("values", "indices")), ("min", ("values", "indices")),
               ("aminmax", ("min", "max")), ("sort", ("values", "indices")),
               ("topk", ("values", "indices")), ("kthvalue", ("values", "indices")),
               ("median", ("values", "indices")), ("nanmedian", ("values", "indices")),
               ("mode", ("values", "indices")), ("cummax", ("values", "indices")),
               ("cummin", ("values", "indices"))]:
    setattr(return_types, _n, _make_return_type(_n, _f))
sys.modules["suanzi.return_types"] = return_types
_RT = return_types


# ------------------------------------------------------------------ helpers
def _axes(dim, ndim):
    """NumPy axis tuple for a torch ``dim`` argument (None/()/[] → all)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return tuple(range(ndim))
        w = wrap_dims(dim, ndim)
        return tuple(w) if ndim else ()
    w = wrap_dim(dim, ndim)
    return (w,) if ndim else ()


def _restore_dims(g, shape, axes, keepdim):
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim and axes:
        kept = list(shape)
        for a in axes:
            kept[a] = 1
        g = g.reshape(kept)
    return g.expand(shape)


def _keep_shape(shape, axes):
    kept = list(shape)
    for a in axes:
        kept[a] = 1
    return tuple(kept)


def _const(arr, like):
    """A constant (no-grad) Tensor of ``like``'s dtype."""
    return _make(np.asarray(arr, dtype=like._data.dtype))


def _is_low_float(dt):
    return dt == np.float16 or dt.kind == "V"


def _type_name(dt):
    from .pointwise import _TYPE_NAMES

    return _TYPE_NAMES.get(D.from_numpy_dtype(dt).name, str(dt))


def _check_tensor(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")


def _n_reduced(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


# ------------------------------------------------------------------ private differentiable helpers
class _Abs(Function):
    name = "AbsBackward0"
    save_inputs = (0,)

    def forward(self, a):
        return np.abs(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * _const(np.sign(a._data), a)


def _abs(x):
    return _Abs.apply(x)


class _PowScalar(Function):
    name = "PowBackward0"
    save_inputs = (0,)

    def forward(self, a, p):
        self.p = p
        with np.errstate(all="ignore"):
            return np.power(a, a.dtype.type(p)) if a.dtype.kind == "f" else np.power(a, p)

    def backward(self, g):
        (a,) = self.saved_tensors
        p = self.p
        if p == 0:
            return g * 0
        return g * (_PowScalar.apply(a, p=p - 1) * p) if p != 1 else g


def _pow(x, p):
    return _PowScalar.apply(x, p=p)


class _Gather(Function):
    """``take_along_axis(a, idx, axis)``; backward scatters back."""

    name = "GatherBackward0"

    def forward(self, a, idx, axis):
        self.idx, self.axis, self.shape = idx, axis, a.shape
        return np.take_along_axis(a, idx, axis)

    def backward(self, g):
        return _ScatterAdd.apply(g, idx=self.idx, axis=self.axis, shape=self.shape)


class _ScatterAdd(Function):
    """zeros(shape) with ``g`` added at ``idx`` along ``axis``; backward gathers."""

    name = "ScatterAddBackward0"

    def forward(self, g, idx, axis, shape):
        self.idx, self.axis = idx, axis
        out = np.zeros(shape, dtype=g.dtype)
        if idx.size == 0:
            return out
        n = idx.shape[axis]
        # unique indices along the axis (the usual case: sort, topk, max) → a plain put
        srt = np.sort(idx, axis=axis)
        unique = n <= 1 or not np.any(np.diff(srt, axis=axis) == 0)
        if unique:
            np.put_along_axis(out, idx, g, axis)
        else:
            full = list(np.indices(idx.shape, sparse=True))
            full[axis] = idx
            np.add.at(out, tuple(full), g)
        return out

    def backward(self, g):
        return _Gather.apply(g, idx=self.idx, axis=self.axis)


def _gather(x, idx, axis):
    return _Gather.apply(x, idx=idx, axis=axis)


class _RevCumsum(Function):
    """Cumulative sum from the end along ``axis`` (the adjoint of cumsum)."""

    name = "CumsumBackward0"

    def forward(self, a, axis):
        self.axis = axis
        return np.flip(np.cumsum(np.flip(a, axis), axis=axis), axis)

    def backward(self, g):
        return Cumsum.apply(g, axis=self.axis, dtype=None)


# ------------------------------------------------------------------ sum / mean
_add_reduce = np.add.reduce


class Sum(Function):
    def forward(self, a, axes, keepdim, dtype):
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        if dtype.kind == "V" or dtype.char == "e":  # bf16/fp16 accumulate in fp32
            return np.asarray(_add_reduce(a, axis=axes, keepdims=keepdim,
                                          dtype=np.float32)).astype(dtype)
        if a.dtype.kind == "V":
            a = a.astype(dtype)
        return _add_reduce(a, axis=axes, keepdims=keepdim, dtype=dtype)

    def backward(self, g):
        return _restore_dims(g, self.shape, self.axes, self.keepdim)


class SumDim(Sum):
    name = "SumBackward1"  # torch's name for sum over given dims


def _sum_dtype(input, dtype):
    if dtype is not None:
        return D.to_dtype(dtype).np
    k = input._data.dtype
    if k.kind in "biu":
        return np.dtype(np.int64)
    return k


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None):
    if axis is not None and dim is None:  # torch's NumPy-style alias (np.sum(t) uses it)
        dim = axis
    a = input._data
    if dtype is None:
        dt = a.dtype
        if dt.kind in "biu":
            dt = _INT64
    else:
        dt = D.to_dtype(dtype).np
    axes = tuple(range(a.ndim)) if dim is None else _axes(dim, a.ndim)
    return (Sum if dim is None else SumDim).apply(input, axes=axes, keepdim=bool(keepdim),
                                                  dtype=dt)


_INT64 = np.dtype(np.int64)


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


class Mean(Function):
    def forward(self, a, axes, keepdim, dtype):
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        self.n = _n_reduced(a.shape, axes)
        with np.errstate(invalid="ignore", divide="ignore"):
            if _is_low_float(dtype) or _is_low_float(a.dtype):
                r = _add_reduce(a.astype(np.float32), axis=axes, keepdims=keepdim) / \
                    np.float32(self.n)
                return np.asarray(r).astype(dtype)
            r = _add_reduce(a, axis=axes, keepdims=keepdim, dtype=dtype)
            return np.true_divide(r, self.n, dtype=dtype)

    def backward(self, g):
        return _restore_dims(g, self.shape, self.axes, self.keepdim) / self.n


def _float_reduce_dtype(input, dtype, op):
    if dtype is not None:
        return D.to_dtype(dtype).np
    k = input._data.dtype
    if k.kind not in "fcV":
        raise RuntimeError(
            f"{op}(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_type_name(k)}")
    return k


class MeanDim(Mean):
    name = "MeanBackward1"


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    _check_tensor(input, "mean")
    dt = _float_reduce_dtype(input, dtype, "mean")
    nd = input._data.ndim
    axes = tuple(range(nd)) if dim is None else _axes(dim, nd)
    return (Mean if dim is None else MeanDim).apply(input, axes=axes, keepdim=bool(keepdim),
                                                    dtype=dt)


class NanSum(Function):
    save_inputs = (0,)

    def forward(self, a, axes, keepdim, dtype):
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        if _is_low_float(np.dtype(dtype)):
            return np.nansum(a.astype(np.float32), axis=axes, keepdims=keepdim).astype(dtype)
        return np.nansum(a, axis=axes, keepdims=keepdim, dtype=dtype)

    def backward(self, g):
        (a,) = self.saved_tensors
        return _restore_dims(g, self.shape, self.axes, self.keepdim) * _const(
            ~np.isnan(a._data), a)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    dt = _sum_dtype(input, dtype)
    return NanSum.apply(input, axes=_axes(dim, input._data.ndim), keepdim=bool(keepdim), dtype=dt)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dtype is None and input._data.dtype.kind not in "fcV":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_type_name(input._data.dtype)}")
    if dtype is not None:
        input = input.to(dtype)
    axes = _axes(dim, input._data.ndim)
    cnt = np.sum(~np.isnan(input._data), axis=axes, keepdims=bool(keepdim))
    return nansum(input, dim, keepdim) / _const(cnt, input)


# ------------------------------------------------------------------ prod
class Prod(Function):
    save_inputs = (0,)
    save_output = True

    def forward(self, a, axes, keepdim, dtype):
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        if _is_low_float(np.dtype(dtype)):
            return np.prod(a.astype(np.float32), axis=axes, keepdims=keepdim).astype(dtype)
        return np.prod(a, axis=axes, keepdims=keepdim, dtype=dtype)

    def backward(self, g):
        x, out = self.saved_tensors
        shape, axes, keepdim = self.shape, self.axes, self.keepdim
        gr = _restore_dims(g, shape, axes, keepdim)
        outr = _restore_dims(out, shape, axes, keepdim)
        zero = x._data == 0
        if not zero.any():
            return gr * (outr / x)
        # With zeros, each element's gradient is the product of the others:
        # where a slice has no zero it is out/x; where it has exactly one zero,
        # only that position gets a non-zero gradient, the product of the rest.
        nz = ~zero
        cnt = np.sum(zero, axis=axes, keepdims=True)
        x_safe = x * _const(nz, x) + _const(zero, x)  # zeros → 1, constant there
        term1 = gr * (outr / x_safe) * _const(nz, x)
        p_rest = Prod.apply(x_safe, axes=axes, keepdim=True, dtype=x._data.dtype)
        m1 = zero & (cnt == 1)
        term2 = gr * p_rest.expand(shape) * _const(m1, x)
        return term1 + term2


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if isinstance(dim, (tuple, list)):
        raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
    return Prod.apply(input, axes=_axes(dim, input._data.ndim), keepdim=bool(keepdim),
                      dtype=_sum_dtype(input, dtype))


# ------------------------------------------------------------------ var / std
def _var_args(input, dim, unbiased, keepdim, correction, op):
    _check_tensor(input, op)
    if isinstance(dim, bool):  # var(input, unbiased)
        unbiased, dim = dim, None
    if input._data.dtype.kind not in "fcV":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise RuntimeError(f"{op}: cannot specify both 'unbiased' and 'correction'")
    axes = _axes(dim, input._data.ndim)
    n = _n_reduced(input._data.shape, axes)
    dof = n - correction
    if dof <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return dict(axes=axes, keepdim=bool(keepdim), dof=dof)


class Var(Function):
    save_inputs = (0,)

    def forward(self, a, axes, keepdim, dof):
        self.axes, self.keepdim, self.dof, self.shape = axes, keepdim, dof, a.shape
        dt = a.dtype
        x = a.astype(np.float32) if _is_low_float(dt) else a
        with np.errstate(all="ignore"):
            m = np.mean(x, axis=axes, keepdims=True) if x.size else np.zeros((), x.dtype)
            d = x - m
            ss = np.sum((d * d.conj()).real if d.dtype.kind == "c" else d * d, axis=axes,
                        keepdims=keepdim)
            r = ss / np.asarray(_builtin_max(0, dof), dtype=ss.dtype)
        return np.asarray(r).astype(dt if dt.kind != "c" else ss.dtype, copy=False)

    def backward(self, g):
        (x,) = self.saved_tensors
        return _var_backward(_restore_dims(g, self.shape, self.axes, self.keepdim), x,
                             self.axes, self.dof)


def _var_backward(gr, x, axes, dof):
    # torch scales by 2 / (N - correction), without the max(0, ·) of the forward
    with np.errstate(all="ignore"):
        scale = float(np.float64(2.0) / np.float64(dof))
    return gr * (x - mean(x, axes, True)) * scale


class Std(Var):
    save_output = True

    def forward(self, a, axes, keepdim, dof):
        with np.errstate(all="ignore"):
            return np.sqrt(super().forward(a, axes, keepdim, dof))

    def backward(self, g):
        (x,), out = self.saved_tensors[:1], self.saved_output
        gr = _restore_dims(g, self.shape, self.axes, self.keepdim)
        sr = _restore_dims(out, self.shape, self.axes, self.keepdim)
        zero = sr._data == 0
        if zero.any():  # torch masks the 1/std of a zero std to 0
            g2 = gr / (sr * 2 + _const(zero, x)) * _const(~zero, x)
        else:
            g2 = gr / (sr * 2)
        return _var_backward(g2, x, self.axes, self.dof)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    return Var.apply(input, **_var_args(input, dim, unbiased, keepdim, correction, "var"))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    return Std.apply(input, **_var_args(input, dim, unbiased, keepdim, correction, "std"))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    kw = _var_args(input, dim, unbiased, keepdim, correction, "var_mean")
    return Var.apply(input, **kw), Mean.apply(input, axes=kw["axes"], keepdim=kw["keepdim"],
                                              dtype=input._data.dtype)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    kw = _var_args(input, dim, unbiased, keepdim, correction, "std_mean")
    return Std.apply(input, **kw), Mean.apply(input, axes=kw["axes"], keepdim=kw["keepdim"],
                                              dtype=input._data.dtype)


# ------------------------------------------------------------------ max / min
_EXTREME_NAMES = {k: _NodeName(v) for k, v in {
    ("max", True): "MaxBackward1", ("min", True): "MinBackward1",
    ("max", False): "AmaxBackward0", ("min", False): "AminBackward0",
    ("median", True): "MedianBackward0"}.items()}


class _EvenExtreme(Function):
    """max()/min()/amax()/amin()/median(): gradient split evenly among the
    elements equal to the result."""

    save_inputs = (0,)
    save_output = True

    def forward(self, a, axes, keepdim, kind, whole):
        self.axes, self.keepdim, self.shape, self.whole = axes, keepdim, a.shape, whole
        self.name = _EXTREME_NAMES.get((kind, whole), self.name)
        if kind == "median":
            return _median_all(a)
        f = np.maximum.reduce if kind == "max" else np.minimum.reduce
        return f(a, axis=axes, keepdims=keepdim)

    def backward(self, g):
        x, out = self.saved_tensors
        xa = x._data
        oa = out._data if self.keepdim else out._data.reshape(_keep_shape(self.shape, self.axes))
        if self.whole:
            # torch's evenly_distribute_backward: a NaN result is shared by the NaNs
            mask = np.isnan(xa) if (xa.dtype.kind in "fV" and np.isnan(oa).any()) else xa == oa
        else:
            mask = xa == oa
        with np.errstate(all="ignore"):
            cnt = np.sum(mask, axis=self.axes, keepdims=True)
            w = mask / cnt.astype(xa.dtype if xa.dtype.kind == "f" else np.float32)
        gr = _restore_dims(g, self.shape, self.axes, self.keepdim)
        return gr * _const(w, x)


def _extreme_all(input, kind, op):
    if input._data.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == "
                           "0. Specify the reduction dim with the 'dim' argument.")
    return _apply_even(input, tuple(range(input._data.ndim)), False, kind, True)


def _apply_even(input, axes, keepdim, kind, whole):
    return _EvenExtreme.apply(input, axes=axes, keepdim=keepdim, kind=kind, whole=whole)


def _dim_extreme(input, dim, keepdim, kind, op):
    a = input._data
    nd = a.ndim
    ax = wrap_dim(dim, nd)
    if nd == 0:
        return getattr(_RT, op)(_gather_value(input, None, None, keepdim),
                                _make(np.zeros((), np.int64)))
    if a.shape[ax] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {ax} to have non-zero size.")
    fn = np.argmax if kind == "max" else np.argmin
    idx = np.expand_dims(fn(a, axis=ax), ax).astype(np.int64, copy=False)
    return getattr(_RT, op)(_gather_value(input, idx, ax, keepdim),
                            _make(idx if keepdim else np.squeeze(idx, ax)))


def _gather_value(input, idx_keep, ax, keepdim):
    """Values at ``idx_keep`` (keepdim-shaped indices) with gradient to them only."""
    if ax is None:  # 0-d input
        return _gather(input.reshape(1), np.zeros(1, np.int64), 0).reshape(())
    v = _gather(input, idx_keep, ax)
    if not keepdim:
        shp = list(v._data.shape)
        del shp[ax]
        v = v.reshape(shp)
    return v


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    if isinstance(dim, Tensor) or other is not None:
        from . import pointwise as P

        return P.maximum(input, dim if other is None else other)
    if dim is None:
        return _extreme_all(input, "max", "max")
    return _dim_extreme(input, dim, keepdim, "max", "max")


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    if isinstance(dim, Tensor) or other is not None:
        from . import pointwise as P

        return P.minimum(input, dim if other is None else other)
    if dim is None:
        return _extreme_all(input, "min", "min")
    return _dim_extreme(input, dim, keepdim, "min", "min")


def _amax_like(input, dim, keepdim, kind, op):
    nd = input._data.ndim
    axes = _axes(dim, nd)
    if input._data.size == 0:
        if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel()"
                               " == 0. Specify the reduction dim with the 'dim' argument.")
        for a in axes:
            if input._data.shape[a] == 0:
                raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")
    return _apply_even(input, axes, bool(keepdim), kind, False)


def amax(input, dim=(), keepdim=False, *, out=None):
    return _amax_like(input, dim, keepdim, "max", "amax")


def amin(input, dim=(), keepdim=False, *, out=None):
    return _amax_like(input, dim, keepdim, "min", "amin")


def aminmax(input, *, dim=None, keepdim=False):
    a = input._data
    if dim is None:
        if a.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        axes = tuple(range(a.ndim))
        if keepdim:
            r = (amin(input, axes, True), amax(input, axes, True))
        else:
            r = (_apply_even(input, axes, False, "min", True),
                 _apply_even(input, axes, False, "max", True))
        return _RT.aminmax(*r)
    ax = wrap_dim(dim, a.ndim)
    if a.ndim and a.shape[ax] == 0:
        raise IndexError(f"aminmax(): Expected reduction dim {ax} to have non-zero size.")
    return _RT.aminmax(amin(input, dim, keepdim), amax(input, dim, keepdim))


def _arg(input, dim, keepdim, kind, op):
    a = input._data
    if a.dtype == np.bool_:
        raise RuntimeError(f"{op}(): does not support bool input")
    fn = np.argmax if kind == "max" else np.argmin
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                             "== 0.")
        r = np.asarray(fn(a.reshape(-1)), dtype=np.int64)
        if keepdim:
            r = r.reshape((1,) * a.ndim)
        return _make(r)
    ax = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _make(np.zeros((), np.int64))
    if a.shape[ax] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {ax} to have non-zero size.")
    r = fn(a, axis=ax, keepdims=bool(keepdim)).astype(np.int64, copy=False)
    return _make(r)


def argmax(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, "max", "argmax")


def argmin(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, "min", "argmin")


# ------------------------------------------------------------------ logsumexp
class LogSumExp(Function):
    name = "LogsumexpBackward0"

    save_inputs = (0,)
    save_output = True

    def forward(self, a, axes, keepdim):
        self.axes, self.keepdim, self.shape = axes, keepdim, a.shape
        dt = a.dtype
        x = a.astype(np.float32) if _is_low_float(dt) else a
        with np.errstate(all="ignore"):
            if x.size == 0:
                m = np.zeros(_keep_shape(x.shape, axes), x.dtype)
            else:
                m = np.max(x, axis=axes, keepdims=True)
                m = np.where(np.isinf(m), 0, m)
            s = np.sum(np.exp(x - m), axis=axes, keepdims=True)
            r = np.log(s) + m
        if not keepdim:
            r = r.reshape([n for i, n in enumerate(x.shape) if i not in axes])
        return r.astype(dt, copy=False)

    def backward(self, g):
        x, out = self.saved_tensors
        gr = _restore_dims(g, self.shape, self.axes, self.keepdim)
        outr = _restore_dims(out, self.shape, self.axes, self.keepdim)
        from .pointwise import exp

        return gr * exp(x - outr)


def logsumexp(input, dim, keepdim=False, *, out=None):
    if input._data.dtype.kind in "biu":
        from .pointwise import cast

        input = cast(input, D.get_default_dtype())
    return LogSumExp.apply(input, axes=_axes(dim, input._data.ndim), keepdim=bool(keepdim))


# ------------------------------------------------------------------ norm
class _VectorNorm(Function):
    name = "LinalgVectorNormBackward0"
    save_inputs = (0,)
    save_output = True

    def forward(self, a, p, axes, keepdim):
        self.p, self.axes, self.keepdim, self.shape = p, axes, keepdim, a.shape
        dt = a.dtype
        x = a.astype(np.float32) if _is_low_float(dt) else a
        ab = np.abs(x)
        with np.errstate(all="ignore"):
            if p == 2:
                r = np.sqrt(np.sum(ab * ab, axis=axes, keepdims=keepdim))
            elif p == 1:
                r = np.sum(ab, axis=axes, keepdims=keepdim)
            elif p == float("inf"):
                r = np.max(ab, axis=axes, keepdims=keepdim, initial=0) if ab.size == 0 else \
                    np.max(ab, axis=axes, keepdims=keepdim)
            elif p == -float("inf"):
                r = np.min(ab, axis=axes, keepdims=keepdim)
            elif p == 0:
                r = np.sum(ab != 0, axis=axes, keepdims=keepdim).astype(ab.dtype)
            else:
                r = np.power(np.sum(np.power(ab, p), axis=axes, keepdims=keepdim), 1.0 / p)
        return np.asarray(r).astype(ab.dtype if dt.kind == "c" else dt, copy=False)

    def backward(self, g):
        x, out = self.saved_tensors
        p, shape, axes, keepdim = self.p, self.shape, self.axes, self.keepdim
        gr = _restore_dims(g, shape, axes, keepdim)
        nr = _restore_dims(out, shape, axes, keepdim)
        xa = x._data
        na = nr._data
        if p == 0:
            return gr * 0
        sign = _const(np.sign(xa), x)
        if p == 1:
            return gr * sign
        if p in (float("inf"), -float("inf")):
            mask = np.abs(xa) == na
            cnt = np.sum(mask, axis=axes, keepdims=True)
            with np.errstate(all="ignore"):
                w = np.sign(xa) * mask / cnt
            return gr * _const(w, x)
        zero_n = na == 0
        nsafe = nr + _const(zero_n, x)
        if p == 2:
            return x * (gr / nsafe) * _const(~zero_n, x)
        if p < 1:
            scaled = sign * _pow(_abs(x) + _const(xa == 0, x), p - 1) * _const(xa != 0, x)
        elif p < 2:
            scaled = sign * _pow(_abs(x), p - 1)
        else:
            scaled = x * _pow(_abs(x), p - 2)
        return scaled * (gr / _pow(nsafe, p - 1)) * _const(~zero_n, x)


def _vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None, op="linalg.vector_norm"):
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fcV":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{_type_name(input._data.dtype)}")
    p = float(ord)
    axes = _axes(dim, input._data.ndim)
    if input._data.size == 0 and p < 0:
        raise RuntimeError(f"{op} cannot compute the {ord} norm on an empty tensor because "
                           "the operation does not have an identity")
    return _VectorNorm.apply(input, p=p, axes=axes, keepdim=bool(keepdim))


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    if isinstance(p, str):
        if p == "fro":
            if isinstance(dim, (tuple, list)) and len(dim) > 2:
                raise RuntimeError("frobenius norm expected dim to have at most 2 dimensions")
            return _vector_norm(input, 2, dim, keepdim, dtype=dtype, op="linalg.vector_norm")
        raise NotImplementedError(f"norm(p={p!r}) is not implemented in suanzi")
    if p is None:
        p = 2
    return _vector_norm(input, p, dim, keepdim, dtype=dtype, op="linalg.vector_norm")


# ------------------------------------------------------------------ all / any / count_nonzero
def _logical_reduce(input, dim, keepdim, fn):
    a = input._data
    r = fn(a, axis=_axes(dim, a.ndim), keepdims=bool(keepdim))
    r = np.asarray(r)
    if a.dtype == np.uint8:
        return _make(r.astype(np.uint8))
    return _make(r)


def all(input, dim=None, keepdim=False, *, out=None):
    return _logical_reduce(input, dim, keepdim, np.all)


def any(input, dim=None, keepdim=False, *, out=None):
    return _logical_reduce(input, dim, keepdim, np.any)


def count_nonzero(input, dim=None):
    a = input._data
    r = np.count_nonzero(a, axis=_axes(dim, a.ndim))
    return _make(np.asarray(r, dtype=np.int64))


# ------------------------------------------------------------------ cumulative ops
class Cumsum(Function):
    def forward(self, a, axis, dtype):
        self.axis = axis
        d = a.dtype if dtype is None else dtype
        if d.kind == "V" or d.char == "e":  # fp16/bf16: accumulate in fp32, like torch
            return np.cumsum(a, axis=axis, dtype=np.float32).astype(d)
        return np.cumsum(a, axis=axis, dtype=dtype)

    def backward(self, g):
        return _RevCumsum.apply(g, axis=self.axis)


def _cum_setup(input, dim, dtype):
    nd = input._data.ndim
    ax = wrap_dim(dim, nd)
    dt = _sum_dtype(input, dtype)
    return ax, dt


def cumsum(input, dim, *, dtype=None, out=None):
    ax, dt = _cum_setup(input, dim, dtype)
    if input._data.ndim == 0:
        return Cumsum.apply(input.reshape(1), axis=0, dtype=dt).reshape(())
    return Cumsum.apply(input, axis=ax, dtype=dt)


class Cumprod(Function):
    save_inputs = (0,)
    save_output = True

    def forward(self, a, axis, dtype):
        self.axis = axis
        return np.cumprod(a, axis=axis, dtype=dtype)

    def backward(self, g):
        x, y = self.saved_tensors
        ax = self.axis
        xa = x._data
        zero = xa == 0
        if not zero.any():
            return _RevCumsum.apply(g * y, axis=ax) / x
        # Before the first zero of a slice: revcumsum(g*y)/x. At the first zero:
        # revcumsum(g*y') with y' the cumprod where that zero is replaced by 1.
        # After it: 0.
        nzc = np.cumsum(zero, axis=ax)
        before = nzc == 0
        first = zero & (nzc == 1)
        x_safe = x * _const(~zero, x) + _const(zero, x)
        t1 = _RevCumsum.apply(g * y, axis=ax) / x_safe * _const(before, x)
        x1 = x * _const(~first, x) + _const(first, x)
        y1 = Cumprod.apply(x1, axis=ax, dtype=xa.dtype)
        t2 = _RevCumsum.apply(g * y1, axis=ax) * _const(first, x)
        return t1 + t2


def cumprod(input, dim, *, dtype=None, out=None):
    ax, dt = _cum_setup(input, dim, dtype)
    if input._data.ndim == 0:
        return Cumprod.apply(input.reshape(1), axis=0, dtype=dt).reshape(())
    if input._data.dtype != dt:
        input = input.to(D.from_numpy_dtype(dt))
    return Cumprod.apply(input, axis=ax, dtype=dt)


def _cum_extreme(input, dim, kind):
    a = input._data
    ax = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        r = _RT.cummax if kind == "max" else _RT.cummin
        return r(_gather_value(input, None, None, False), _make(np.zeros((), np.int64)))
    acc = np.maximum.accumulate if kind == "max" else np.minimum.accumulate
    if a.shape[ax] == 0:
        v = input * 1 if a.dtype.kind in "fV" else _make(a.copy())
        return getattr(_RT, "cum" + kind)(v, _make(np.zeros(a.shape, np.int64)))
    vals = acc(a, axis=ax)
    mask = a == vals
    if a.dtype.kind in "fV":
        mask |= np.isnan(a)
    shp = [1] * a.ndim
    shp[ax] = a.shape[ax]
    ar = np.arange(a.shape[ax], dtype=np.int64).reshape(shp)
    idx = np.maximum.accumulate(np.where(mask, ar, 0), axis=ax)
    return getattr(_RT, "cum" + kind)(_gather(input, idx, ax), _make(idx))


def cummax(input, dim):
    return _cum_extreme(input, dim, "max")


def cummin(input, dim):
    return _cum_extreme(input, dim, "min")


# ------------------------------------------------------------------ sort & co
def _argsort_np(a, axis, descending):
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    s = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return np.flip(n - 1 - s, axis)


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    a = input._data
    if a.ndim == 0:
        wrap_dim(dim, 0)
        return _RT.sort(_gather_value(input, None, None, False), _make(np.zeros((), np.int64)))
    ax = wrap_dim(dim, a.ndim)
    idx = _argsort_np(a, ax, descending).astype(np.int64, copy=False)
    return _RT.sort(_gather(input, idx, ax), _make(idx))


def argsort(input, dim=-1, descending=False, *, stable=False):
    a = input._data
    if a.ndim == 0:
        wrap_dim(dim, 0)
        return _make(np.zeros((), np.int64))
    ax = wrap_dim(dim, a.ndim)
    return _make(_argsort_np(a, ax, descending).astype(np.int64, copy=False))


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    a = input._data
    if a.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    k = int(k)
    ax = wrap_dim(dim, a.ndim)
    n = a.shape[ax] if a.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if a.ndim == 0:
        return _RT.topk(_gather_value(input, None, None, False), _make(np.zeros((), np.int64)))
    idx = _argsort_np(a, ax, largest)
    idx = np.take(idx, np.arange(k), axis=ax).astype(np.int64, copy=False)
    return _RT.topk(_gather(input, idx, ax), _make(idx))


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    a = input._data
    if a.dtype == np.bool_:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    k = int(k)
    ax = wrap_dim(dim, a.ndim)
    n = a.shape[ax] if a.ndim else 1
    if k < 1 or k > n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax}")
    if a.ndim == 0:
        return _RT.kthvalue(_gather_value(input, None, None, False), _make(np.zeros((), np.int64)))
    idx = np.take(np.argsort(a, axis=ax, kind="stable"), [k - 1], axis=ax).astype(np.int64)
    return _RT.kthvalue(_gather_value(input, idx, ax, keepdim),
                        _make(idx if keepdim else np.squeeze(idx, ax)))


def _median_all(a):
    flat = a.reshape(-1)
    if flat.size == 0 or (flat.dtype.kind in "fV" and np.isnan(flat).any()):
        return np.asarray(np.nan, dtype=a.dtype)
    return np.sort(flat, kind="stable")[(flat.size - 1) // 2]


def _median_dim(input, dim, keepdim, ignore_nan, op):
    a = input._data
    rt = getattr(_RT, op)
    if a.ndim == 0:
        wrap_dim(dim, 0)
        return rt(_gather_value(input, None, None, False), _make(np.zeros((), np.int64)))
    ax = wrap_dim(dim, a.ndim)
    n = a.shape[ax]
    if n == 0:
        raise IndexError(f"{op}(): Expected reduction dim {ax} to have non-zero size.")
    order = np.argsort(a, axis=ax, kind="stable")
    isnan = np.isnan(a) if a.dtype.kind in "fV" else np.zeros(a.shape, bool)
    if ignore_nan:
        m = np.sum(~isnan, axis=ax, keepdims=True)
        pos = np.maximum((m - 1) // 2, 0)
        idx = np.take_along_axis(order, pos, ax)
    else:
        idx = np.take(order, [(n - 1) // 2], axis=ax)
        has_nan = np.any(isnan, axis=ax, keepdims=True)
        if has_nan.any():
            first_nan = np.expand_dims(np.argmax(isnan, axis=ax), ax)
            idx = np.where(has_nan, first_nan, idx)
    idx = idx.astype(np.int64, copy=False)
    return rt(_gather_value(input, idx, ax, keepdim),
              _make(idx if keepdim else np.squeeze(idx, ax)))


def median(input, dim=None, keepdim=False, *, out=None):
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
    if dim is None:
        return _apply_even(input, tuple(range(input._data.ndim)), False, "median", True)
    return _median_dim(input, dim, keepdim, False, "median")


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    if dim is None:
        flat = input.reshape(-1)
        if flat._data.size == 0:
            return _make(np.asarray(np.nan, dtype=input._data.dtype))
        return _median_dim(flat, 0, False, True, "nanmedian").values
    return _median_dim(input, dim, keepdim, True, "nanmedian")


def mode(input, dim=-1, keepdim=False, *, out=None):
    a = input._data
    if a.ndim == 0:
        wrap_dim(dim, 0)
        return _RT.mode(_gather_value(input, None, None, False), _make(np.zeros((), np.int64)))
    ax = wrap_dim(dim, a.ndim)
    n = a.shape[ax]
    if n == 0:
        raise IndexError(f"mode(): Expected reduction dim {ax} to have non-zero size.")
    x = np.moveaxis(a, ax, -1)
    lead = x.shape[:-1]
    x2 = x.reshape(-1, n)
    s = np.sort(x2, axis=1, kind="stable")
    start = np.ones(s.shape, bool)
    start[:, 1:] = s[:, 1:] != s[:, :-1]
    run = np.cumsum(start, axis=1) - 1
    counts = np.zeros(s.shape, np.int64)
    rows = np.arange(s.shape[0])[:, None]
    np.add.at(counts, (np.broadcast_to(rows, run.shape), run), 1)
    freq = np.take_along_axis(counts, run, 1)
    best = np.argmax(freq, axis=1)  # first (smallest) value of highest frequency
    val = s[np.arange(s.shape[0]), best]
    ar = np.arange(n)
    last = np.max(np.where(x2 == val[:, None], ar, -1), axis=1)
    idx = np.moveaxis(last.reshape(lead + (1,)), -1, ax).astype(np.int64)
    return _RT.mode(_gather_value(input, idx, ax, keepdim),
                    _make(idx if keepdim else np.squeeze(idx, ax)))


METHODS = {
    "sum": sum, "sum_to_size": sum_to_size, "mean": mean, "nansum": nansum, "nanmean": nanmean,
    "prod": prod, "var": var, "std": std, "max": max, "min": min, "amax": amax, "amin": amin,
    "aminmax": aminmax, "argmax": argmax, "argmin": argmin, "logsumexp": logsumexp,
    "norm": norm, "all": all, "any": any, "count_nonzero": count_nonzero, "cumsum": cumsum,
    "cumprod": cumprod, "cummax": cummax, "cummin": cummin, "median": median,
    "nanmedian": nanmedian, "mode": mode, "sort": sort, "argsort": argsort, "msort": msort,
    "topk": topk, "kthvalue": kthvalue,
}
