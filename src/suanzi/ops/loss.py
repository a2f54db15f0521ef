"""Loss functions (``torch.nn.functional``'s losses) with torch's signatures,
reductions, dtype rules, errors and gradients.

* ``cross_entropy`` with class-index targets is one fused Function: a
  numerically stable log-softmax and the NLL (with ``weight``,
  ``ignore_index`` and ``label_smoothing``) in one forward, and a hand-written
  NumPy backward ``scale * (softmax - onehot)`` (``once_differentiable``).
* ``nll_loss`` and ``binary_cross_entropy`` are Functions with a NumPy forward
  and a backward built from suanzi ops (so double backward works, as torch's).
* The other losses are compositions of suanzi ops, as torch's composite
  implementations are; their gradients (w.r.t. input and target) and dtype
  promotion come from the ops.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Function

_make = Tensor._make

__all__ = [
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "soft_margin_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "cosine_embedding_loss", "poisson_nll_loss", "gaussian_nll_loss", "triplet_margin_loss",
]

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
               "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
               "complex128": "ComplexDouble"}


def _tname(dt):
    return _TYPE_NAMES.get(dt.name, dt.name)


# ------------------------------------------------------------------ reduction
def _legacy_get_string(size_average, reduce, emit_warning=True, stacklevel=3):
    """torch's ``_Reduction.legacy_get_string``: the deprecated
    ``size_average``/``reduce`` pair mapped to a ``reduction`` string."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=stacklevel)
    return ret


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _legacy_get_string(size_average, reduce, stacklevel=4)
    _check_reduction(reduction)
    return reduction


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _tensor_arg(x, op, name, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, "
                        f"not {type(x).__name__}")
    return x


def _warn_size(input, target, stacklevel=3):
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", stacklevel=stacklevel)


def _float_result(input, target, kernel):
    """The promoted dtype of a pointwise loss; NotImplementedError when it is
    not floating (torch's "mse_cpu" not implemented for 'Long')."""
    dt = D.result_type(input, target)
    if dt.category != D.FLOAT:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_tname(dt)}\'')
    return dt


def _check_float_input(input, kernel):
    if input.dtype.category != D.FLOAT:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_tname(input.dtype)}\'')


def _compute_dtype(a):
    """float16/bfloat16 are computed in float32 (torch's CPU kernels
    accumulate in float for reduced-precision types)."""
    return a.dtype if a.dtype in (np.float32, np.float64) else np.dtype(np.float32)


# ------------------------------------------------------- class-index targets
def _class_target(input, target, weight, ignore_index, op):
    """Validate an (input, class-index target, weight) triple like torch's
    ``nll_loss_nd``; returns (x_shape (N, C, *d), unbatched, t (N, *d) int64,
    valid mask, safe targets, weight array or None)."""
    shape = tuple(input.shape)
    nd = len(shape)
    tshape = tuple(target.shape)
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and (len(tshape) == 0 or shape[0] != tshape[0]):
        tb = tshape[0] if tshape else 0
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target batch_size "
                         f"({tb}).")
    unbatched = nd == 1
    if unbatched:
        if len(tshape) > 1:
            raise RuntimeError(f"{op}: 0D or 1D target tensor expected, multi-target not "
                               "supported")
        if len(tshape) == 1 and tshape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{tshape[0]}")
        xshape = (1, shape[0])
    elif nd == 2:
        if len(tshape) != 1:
            raise RuntimeError(f"{op}: 0D or 1D target tensor expected, multi-target not "
                               f"supported (input {list(shape)}, target {list(tshape)})")
        xshape = shape
    else:
        if nd == 4 and len(tshape) != 3:
            raise RuntimeError(f"{op}: only batches of spatial targets supported (3D tensors) "
                               f"but got targets of dimension: {len(tshape)}")
        if tshape[1:] != shape[2:]:
            raise RuntimeError(f"{op}: Expected target size {[shape[0], *shape[2:]]}, got "
                               f"{list(tshape)}")
        xshape = shape
    C = xshape[1]
    if weight is not None:
        if not isinstance(weight, Tensor):
            raise TypeError(f"{op}(): argument 'weight' must be Tensor, not "
                            f"{type(weight).__name__}")
        if weight.ndim != 1 or weight.shape[0] != C:
            raise RuntimeError(f"{op}: weight tensor should be defined either for all {C} "
                               f"classes or no classes but got weight tensor of shape: "
                               f"{list(weight.shape)}")
    if target.dtype not in (D.int64, D.uint8):
        raise RuntimeError(f"{op}: expected target dtype to be Long or Byte, but got "
                           f"{_tname(target.dtype)}")
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"{op}: expected scalar type {_tname(input.dtype)} but found "
                           f"{_tname(weight.dtype)}")
    if weight is not None:
        _not_differentiable(weight, "nll_loss_forward", "weight")
    t = target._data.astype(np.int64, copy=False).reshape((xshape[0],) + xshape[2:])
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= C))
    if bad.any():
        raise IndexError(f"{op}: Target {int(t[bad].flat[0])} is out of bounds.")
    ts = np.where(valid, t, 0)
    w = None if weight is None else weight._data
    return xshape, unbatched, valid, ts, w


def _bcast_c(v, ndim):
    """A per-class vector shaped to broadcast along axis 1 of an ndim array."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _target_weights(valid, ts, w, dtype):
    """Per-sample weights w[t] (0 where ignored)."""
    if w is None:
        return valid.astype(dtype)
    return np.where(valid, w.astype(dtype, copy=False)[ts], 0).astype(dtype, copy=False)


class _CrossEntropy(Function):
    """Fused log-softmax + NLL over class indices (with label smoothing)."""

    name = "NllLossBackward0"
    once_differentiable = True

    def forward(self, x, *, xshape, valid, ts, w, ignore_index, ls, reduction):
        odt = x.dtype
        cdt = _compute_dtype(x)
        xf = x.reshape(xshape)
        if xf.dtype != cdt:
            xf = xf.astype(cdt)
        nd = xf.ndim
        C = xshape[1]
        m = xf.max(axis=1, keepdims=True) if xf.size else np.zeros(
            (xshape[0], 1) + xshape[2:], cdt)
        e = xf - m
        if nd == 2:
            xt = e[np.arange(xshape[0]), ts]  # x[t] - max
        else:
            xt = np.take_along_axis(e, ts[:, None], axis=1)[:, 0]
        np.exp(e, out=e)
        if nd == 2 and C > 1:  # a BLAS matrix-vector product beats add.reduce on rows
            s = (e @ np.ones(C, cdt))[:, None]
        else:
            s = e.sum(axis=1, keepdims=True)
        lse = np.log(s)[:, 0]
        wt = _target_weights(valid, ts, w, cdt)
        loss = (lse - xt) * wt  # -w[t] * log_softmax[t]
        wc = None if w is None else w.astype(cdt, copy=False)
        if ls > 0:
            # smooth term: -sum_c w_c log_softmax_c = W*(max + lse) - sum_c w_c x_c
            if wc is None:
                W = float(C)
                xs = xf.sum(axis=1)
            else:
                W = wc.sum()
                xs = (xf * _bcast_c(wc, nd)).sum(axis=1)
            smooth = W * (m[:, 0] + lse) - xs
            smooth = np.where(valid, smooth, 0)
            loss = (1 - ls) * loss + (ls / C) * smooth
        if reduction == "none":
            out = loss
            denom = None
        elif reduction == "sum":
            out = loss.sum()
            denom = None
        else:
            denom = wt.sum()
            with np.errstate(invalid="ignore", divide="ignore"):
                out = loss.sum() / denom
        if self.requires_grad:
            e *= 1 / s  # softmax
            self.p, self.wt, self.wc, self.ts, self.valid = e, wt, wc, ts, valid
            self.denom, self.reduction, self.ls, self.odt = denom, reduction, ls, odt
            self.in_shape = x.shape
        out = np.asarray(out, dtype=cdt).astype(odt, copy=False)
        if reduction == "none" and len(x.shape) == 1:
            out = out.reshape(())
        return out

    def backward(self, g):
        p, wt, ts, valid = self.p, self.wt, self.ts, self.valid
        cdt = p.dtype
        g = np.asarray(g, dtype=cdt)
        if self.reduction == "none":
            a = g.reshape(wt.shape) * valid
        elif self.reduction == "sum":
            a = np.broadcast_to(g, wt.shape) * valid
        else:
            if self.denom == 0:
                return (np.zeros(self.in_shape, self.odt),)
            a = np.broadcast_to(g / self.denom, wt.shape) * valid
        ls = self.ls
        C = p.shape[1]
        if ls > 0:
            W = float(C) if self.wc is None else self.wc.sum()
            coef = a * ((1 - ls) * wt + (ls / C) * W)
        else:
            coef = a * wt
        grad = p * coef[:, None]
        onehot = a * ((1 - ls) * wt)
        if p.ndim == 2:
            grad[np.arange(p.shape[0]), ts] -= onehot
        else:
            ti = ts[:, None]
            at = np.take_along_axis(grad, ti, axis=1)
            at -= onehot[:, None]
            np.put_along_axis(grad, ti, at, axis=1)
        if ls > 0:
            if self.wc is None:
                grad -= (a * (ls / C))[:, None]
            else:
                grad -= (a * (ls / C))[:, None] * _bcast_c(self.wc, p.ndim)
        return (grad.astype(self.odt, copy=False).reshape(self.in_shape),)


class _NLLLoss(Function):
    name = "NllLossBackward0"

    def forward(self, x, *, xshape, valid, ts, w, reduction):
        odt = x.dtype
        cdt = _compute_dtype(x)
        xf = x.reshape(xshape)
        wt = _target_weights(valid, ts, w, cdt)
        xt = np.take_along_axis(xf, ts[:, None], axis=1)[:, 0].astype(cdt, copy=False)
        loss = -xt * wt
        denom = None
        if reduction == "none":
            out = loss
        elif reduction == "sum":
            out = loss.sum()
        else:
            denom = wt.sum()
            with np.errstate(invalid="ignore", divide="ignore"):
                out = loss.sum() / denom
        if self.requires_grad:
            self.wt, self.ts, self.denom, self.reduction = wt, ts, denom, reduction
            self.xshape, self.in_shape, self.odt = xshape, x.shape, odt
        out = np.asarray(out, dtype=cdt).astype(odt, copy=False)
        if reduction == "none" and len(x.shape) == 1:
            out = out.reshape(())
        return out

    def backward(self, g):
        # linear in g: grad = g (spread to the target positions) * K, K constant
        wt = self.wt
        if self.reduction == "mean":
            scale = -wt / self.denom if self.denom != 0 else np.zeros_like(wt)
        else:
            scale = -wt
        K = np.zeros(self.xshape, self.odt)
        np.put_along_axis(K, self.ts[:, None], scale[:, None].astype(self.odt), axis=1)
        if self.reduction == "none":
            gg = g.reshape((self.xshape[0], 1) + self.xshape[2:])
        else:
            gg = g
        return (gg * _make(K)).reshape(self.in_shape)


# ------------------------------------------------------------ log-softmax
class _LogSoftmax(Function):
    name = "LogSoftmaxBackward0"
    save_output = True

    def forward(self, x, dim):
        self.dim = dim
        cdt = _compute_dtype(x)
        xf = x.astype(cdt, copy=False)
        if xf.size == 0:
            return x.copy()
        m = xf.max(axis=dim, keepdims=True)
        out = xf - m
        out -= np.log(np.exp(out).sum(axis=dim, keepdims=True))
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        out = self.saved_output
        return g - out.exp() * g.sum(self.dim, keepdim=True)


def _log_softmax(x, dim):
    return _LogSoftmax.apply(x, dim=dim)


# ------------------------------------------------------------ cross entropy
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """``F.cross_entropy``: log-softmax over dim 1 (dim 0 for an unbatched
    ``(C,)`` input) and the negative log-likelihood of the target classes, or
    the cross entropy with class probabilities when ``target`` has
    ``input``'s shape."""
    _tensor_arg(input, "cross_entropy_loss", "input", 1)
    _tensor_arg(target, "cross_entropy_loss", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    label_smoothing = float(label_smoothing)
    if tuple(input.shape) == tuple(target.shape):
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction,
                                    label_smoothing)
    _check_float_input(input, "log_softmax_lastdim_kernel_impl")
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    xshape, unbatched, valid, ts, w = _class_target(input, target, weight, ignore_index,
                                                    "cross_entropy")
    ls = label_smoothing if label_smoothing > 0 else 0.0
    if ls > 0 and unbatched and target.ndim == 1:
        # torch's smoothing term (shape []) can't take the nll term of shape [1]
        raise RuntimeError("cross_entropy: output with shape [] doesn't match the broadcast "
                           "shape [1] (unbatched input with a 1-D target and label_smoothing)")
    return _CrossEntropy.apply(input, xshape=xshape, valid=valid, ts=ts, w=w,
                               ignore_index=ignore_index, ls=ls, reduction=reduction)


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, ls):
    if target.dtype.category != D.FLOAT:
        raise RuntimeError("Expected floating point type for target with class probabilities, "
                           f"got {_tname(target.dtype)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    _check_float_input(input, "log_softmax_lastdim_kernel_impl")
    class_dim = 0 if input.ndim == 1 else 1
    if input.ndim == 0:
        C = 1
    else:
        C = input.shape[class_dim]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != C):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {C} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    if input.ndim == 0:
        logp = _log_softmax(input.reshape(1), 0).reshape(())
    else:
        logp = _log_softmax(input, class_dim)
    if ls > 0:
        if ls > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {ls}")
        target = target * (1 - ls) + ls / C
    prod = logp * target
    if weight is not None:
        if input.ndim > 1:
            weight = weight.reshape((1, C) + (1,) * (input.ndim - 2))
        prod = prod * weight
    if reduction == "none":
        return -prod.sum(class_dim) if input.ndim else -prod
    total = -prod.sum()
    if reduction == "sum":
        return total
    n = input.numel() // C
    if n == 0:
        return total * float("nan")
    return total / n


# ------------------------------------------------------------------ nll
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """``F.nll_loss``: ``-weight[t] * input[n, t]`` over class-index targets,
    ``ignore_index`` skipped; ``'mean'`` divides by the summed target weights."""
    _tensor_arg(input, "nll_loss_nd", "input", 1)
    _tensor_arg(target, "nll_loss_nd", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    xshape, unbatched, valid, ts, w = _class_target(input, target, weight, ignore_index,
                                                    "nll_loss")
    if input.dtype.category != D.FLOAT:
        raise NotImplementedError(f'"nll_loss_out_frame" not implemented for '
                                  f"'{_tname(input.dtype)}'")
    return _NLLLoss.apply(input, xshape=xshape, valid=valid, ts=ts, w=w, reduction=reduction)


# ------------------------------------------------------------ regression
def _pointwise_prep(input, target, op, kernel, size_average, reduce, reduction, check=True):
    _warn_size(input, target, stacklevel=4)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce, stacklevel=4)
    elif check:
        _check_reduction(reduction)
    from .shape import broadcast_tensors
    input, target = broadcast_tensors(input, target)
    if kernel is not None:
        _float_result(input, target, kernel)
    return input, target, reduction


def _weighted(loss, weight, input, reduction, mean_by_weight):
    """torch's Python path for a per-element ``weight`` (mse, l1, huber)."""
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """``F.mse_loss``: ``(input - target)**2`` (broadcast, with torch's
    warning when the shapes differ); weighted ``'mean'`` divides by
    ``weight.sum()``."""
    shape = tuple(input.shape)
    input, target, reduction = _pointwise_prep(input, target, "mse_loss", "mse_cpu",
                                               size_average, reduce, reduction,
                                               check=weight is None)
    d = input - target
    loss = d * d
    if weight is not None:
        return _weighted(loss, weight, _Shape(shape), reduction, True)
    return _reduce(loss, reduction)


class _Shape:
    def __init__(self, shape):
        self.shape = shape


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """``F.l1_loss``: ``|input - target|`` (integer inputs allowed for
    ``'none'``/``'sum'``, as torch's)."""
    shape = tuple(input.shape)
    input, target, reduction = _pointwise_prep(input, target, "l1_loss", None, size_average,
                                               reduce, reduction, check=weight is None)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, weight, _Shape(shape), reduction, True)
    if reduction == "mean" and loss.dtype.category not in (D.FLOAT, D.COMPLEX):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_tname(loss.dtype)}")
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``F.smooth_l1_loss``: ``0.5 z**2 / beta`` below ``beta``, ``z - beta/2``
    above (``beta = 0`` is the L1 loss)."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, size_average, reduce, reduction)
    input, target, reduction = _pointwise_prep(input, target, "smooth_l1_loss",
                                               "smooth_l1_cpu", size_average, reduce, reduction)
    from .shape import where
    d = input - target
    z = d.abs()
    loss = where(z < beta, (0.5 / beta) * d * d, z - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``F.huber_loss``: ``0.5 z**2`` below ``delta``, ``delta (z - delta/2)``
    above."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    shape = tuple(input.shape)
    in_dt = input.dtype  # torch's huber kernel writes in the input's dtype
    input, target, reduction = _pointwise_prep(input, target, "huber_loss", "huber_cpu",
                                               None, None, reduction, check=weight is None)
    from .shape import where
    d = input - target
    z = d.abs()
    loss = where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta)).to(in_dt)
    if weight is not None:
        return _weighted(loss, weight, _Shape(shape), reduction, False)
    return _reduce(loss, reduction)


# ------------------------------------------------------------ binary CE
class _BinaryCrossEntropy(Function):
    name = "BinaryCrossEntropyBackward0"
    save_inputs = (0, 1, 2)

    def forward(self, x, y, w, reduction):
        self.reduction = reduction
        cdt = _compute_dtype(x)
        xf = x.astype(cdt, copy=False)
        yf = y.astype(cdt, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = np.maximum(np.log(xf), -100)
            l1x = np.maximum(np.log1p(-xf), -100)
        loss = (yf - 1) * l1x - yf * lx
        if w is not None:
            loss = loss * w.astype(cdt, copy=False)
        if reduction == "mean":
            loss = loss.mean() if loss.size else np.array(np.nan, cdt)
        elif reduction == "sum":
            loss = loss.sum()
        return np.asarray(loss, cdt).astype(x.dtype, copy=False)

    def backward(self, g):
        x, y, w = self.saved_tensors
        if self.reduction == "mean":
            g = g / max(x.numel(), 1)
        gx = gy = None
        need = self.needs_input_grad
        if need[0]:
            gx = g * (x - y) / ((1 - x) * x).clamp_min(1e-12)
            if w is not None:
                gx = gx * w
        if need[1]:
            gy = g * ((-x).log1p() - x.log())
            if w is not None:
                gy = gy * w
        return gx, gy, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``F.binary_cross_entropy`` on probabilities, logs clamped at -100 as
    torch's; inputs and targets must lie in [0, 1]."""
    _tensor_arg(input, "binary_cross_entropy", "input", 1)
    _tensor_arg(target, "binary_cross_entropy", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the "
                         "same size.")
    if weight is not None:
        from ._util import broadcast_shapes
        try:
            new = broadcast_shapes(tuple(target.shape), tuple(weight.shape))
        except RuntimeError as e:
            raise RuntimeError(f"binary_cross_entropy: weight of shape {list(weight.shape)} "
                               f"cannot be broadcast to the target shape "
                               f"{list(target.shape)}: {e}") from None
        if tuple(new) != tuple(target.shape):
            raise RuntimeError(f"binary_cross_entropy: weight of shape {list(weight.shape)} "
                               f"broadcasts to {list(new)}, not to the target shape "
                               f"{list(target.shape)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"binary_cross_entropy: Found dtype {_tname(weight.dtype)} but "
                               f"expected {_tname(input.dtype)}")
    if weight is not None:
        _not_differentiable(weight, "binary_cross_entropy", "weight")
    if target.dtype != input.dtype:
        raise RuntimeError(f"binary_cross_entropy: Found dtype {_tname(target.dtype)} but "
                           f"expected {_tname(input.dtype)}")
    _check_float_input(input, "binary_cross_entropy")
    x = input._data
    if x.size and not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 "
                           "and 1")
    y = target._data
    if y.size and not ((y >= 0) & (y <= 1)).all():
        raise RuntimeError("binary_cross_entropy: all elements of target should be between 0 "
                           "and 1")
    return _BinaryCrossEntropy.apply(input, target, weight, reduction=reduction)


class _LogSigmoid(Function):
    name = "LogSigmoidBackward0"
    save_inputs = (0,)

    def forward(self, x):
        cdt = _compute_dtype(x)
        xf = x.astype(cdt, copy=False)
        out = np.minimum(xf, 0) - np.log1p(np.exp(-np.abs(xf)))
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * (-x).sigmoid()


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """``F.binary_cross_entropy_with_logits``: the sigmoid and the binary
    cross entropy in one stable formula, with ``pos_weight`` for the positive
    term; the result takes ``target``'s dtype, as torch's in-place kernel."""
    _tensor_arg(input, "binary_cross_entropy_with_logits", "input", 1)
    _tensor_arg(target, "binary_cross_entropy_with_logits", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    _check_float_input(input, "log_sigmoid_cpu")
    out_dt = target.dtype
    if out_dt.category != D.FLOAT:
        raise RuntimeError(f"result type {_tname(D.result_type(input, target))} can't be cast "
                           f"to the desired output type {_tname(out_dt)}")
    from ._util import broadcast_shapes
    shape = tuple(input.shape)
    for name, extra in (("pos_weight", pos_weight), ("weight", weight)):
        if extra is not None:
            b = tuple(broadcast_shapes(shape, tuple(extra.shape)))
            if b != shape:
                raise RuntimeError(f"binary_cross_entropy_with_logits: output with shape "
                                   f"{list(shape)} doesn't match the broadcast shape {list(b)} "
                                   f"({name} of shape {list(extra.shape)})")
    log_sig = _LogSigmoid.apply(input)
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        log_sig = (log_sig * log_weight).to(input.dtype)
    loss = ((1 - target) * input).to(out_dt) - log_sig
    loss = loss.to(out_dt)
    if weight is not None:
        loss = (loss * weight).to(out_dt)
    return _reduce(loss, reduction)


# ------------------------------------------------------------------ KL
class _Xlogy(Function):
    """``x * log(y)``, 0 where x == 0 (torch's xlogy and its backward)."""

    name = "XlogyBackward0"
    save_inputs = (0, 1)

    def forward(self, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = x * np.log(y)
        out = np.where((x == 0) & ~np.isnan(y), 0, out)
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        x, y = self.saved_tensors
        need = self.needs_input_grad
        gx = g * _Xlogy.apply((x != 0).to(x.dtype), y) if need[0] else None
        gy = g * x / y if need[1] else None
        return gx, gy


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """``F.kl_div`` with ``input`` as log-probabilities: ``target * (log target
    - input)`` (or with a log ``target``), ``'batchmean'`` dividing by the batch
    size; ``'mean'`` warns as torch does."""
    _tensor_arg(input, "kl_div", "input", 1)
    _tensor_arg(target, "kl_div", "target", 2)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the "
                "support size.'batchmean' divides only by the batch size, and aligns with the KL "
                "div math definition.'mean' will be changed to behave the same as 'batchmean' in "
                "the next major release.", stacklevel=2)
        if reduction != "batchmean":
            _check_reduction(reduction)
    if input.dtype.category not in (D.FLOAT,) or target.dtype.category not in (D.FLOAT,):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        out = target.exp() * (target - input)
    else:
        dt = D.result_type(input, target)
        t = target.to(dt)
        out = _Xlogy.apply(t, t) - target * input
    if reduction == "batchmean":
        red = out.sum()
        if input.ndim != 0:
            red = red / input.shape[0]
        return red
    return _reduce(out, reduction)


# ------------------------------------------------------------ margin & co
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``F.soft_margin_loss``: ``log(1 + exp(-target * input))``."""
    reduction = _reduction(size_average, reduce, reduction)
    _not_differentiable_target(target, "soft_margin_loss")
    loss = (-input * target.detach()).exp().log1p().to(input.dtype)
    return _reduce(loss, reduction)


def _not_differentiable_target(target, op):
    _not_differentiable(target, op, "target")


def _not_differentiable(t, op, arg):
    """torch's refusal of an input it has no derivative for."""
    from ..autograd.grad_mode import STATE
    if STATE.enabled and t.requires_grad:
        raise RuntimeError(f"The function '{op}' is not differentiable with respect to argument "
                           f"'{arg}'. This input cannot have requires_grad True.")


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """``F.margin_ranking_loss``: ``max(0, -target * (input1 - input2) + margin)``."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    loss = (-target * (input1 - input2) + margin).clamp_min(0)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``F.hinge_embedding_loss``: ``input`` where target is 1, ``max(0,
    margin - input)`` where it is -1."""
    reduction = _reduction(size_average, reduce, reduction)
    from .shape import where
    zeros = input.new_zeros(()) if hasattr(input, "new_zeros") else _make(
        np.zeros((), input._data.dtype))
    margin_clamp = (margin - input).clamp_min(0)
    output_margin = where(target != 1, margin_clamp, zeros)
    output_self = where(target != -1, input, zeros)
    return _reduce(output_margin + output_self, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """``F.cosine_embedding_loss``: ``1 - cos`` for target 1, ``max(0, cos -
    margin)`` for target -1."""
    reduction = _reduction(size_average, reduce, reduction)
    targ_dim = target.ndim
    if targ_dim not in (0, 1):
        raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported, but "
                           f"got target of dimension {targ_dim}")
    if targ_dim == 1 and (input1.ndim != 2 or input2.ndim != 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    if targ_dim == 0 and (input1.ndim != 1 or input2.ndim != 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    from .shape import where
    EPS = 1e-12
    prod_sum = (input1 * input2).sum(targ_dim)
    mag1 = (input1 * input1).sum(targ_dim) + EPS
    mag2 = (input2 * input2).sum(targ_dim) + EPS
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = _make(np.zeros((), cos._data.dtype))
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    out = where(target == 1, pos, zeros) + where(target == -1, neg, zeros)
    return _reduce(out, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """``F.poisson_nll_loss``: ``exp(input) - target * input`` (or
    ``input - target * log(input + eps)``), Stirling's term with ``full``."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        from .shape import where
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + where(target <= 1, _make(np.zeros((), stirling._data.dtype)), stirling)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """``F.gaussian_nll_loss``: ``0.5 (log var + (input - target)**2 / var)``
    with var clamped at ``eps`` (without gradient through the clamp)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * _make(np.ones(input._data.shape, input._data.dtype))
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    from ..autograd.grad_mode import no_grad
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def _pairwise_distance(x1, x2, p, eps):
    out_dim = 0 if (x1.ndim == 1 and x2.ndim == 1) else -1
    d = x1 - x2 + eps
    from .reduction import norm
    return norm(d, p, out_dim)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``F.triplet_margin_loss``: ``max(0, margin + d(a, p) - d(a, n))`` with
    pairwise p-norm distances (``swap``: the smaller of d(a, n), d(p, n))."""
    reduction = _reduction(size_average, reduce, reduction)
    a, pdim, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == pdim == n):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {pdim}D, and negative {n}D inputs")
    dist_pos = _pairwise_distance(anchor, positive, p, eps)
    dist_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        from .pointwise import minimum
        dist_neg = minimum(dist_neg, _pairwise_distance(positive, negative, p, eps))
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    return _reduce(loss, reduction)
