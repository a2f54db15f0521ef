"""Activation functions (``torch.nn.functional``'s relu … softmax).

Each op is a Function with a NumPy forward. Its backward has two paths:
without ``create_graph`` (grad mode off inside the engine) it is a NumPy
kernel; with ``create_graph`` the same derivative is composed from suanzi
ops on the saved tensors, so second derivatives work. Gradients at the kinks
follow torch's kernels exactly (relu'(0) = 0, leaky_relu'(0) = slope,
hardtanh' = 0 at both bounds, threshold' = 0 where x <= threshold …), NaN
inputs included.

float16/bfloat16 inputs are computed in float32 and rounded back (torch's
"opmath"). In-place variants (``relu_``, ``inplace=True``) go through
``Tensor._inplace_apply`` (or ``pointwise._inplace`` for low precision).
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from .._tensor import Tensor
from . import pointwise as P
from .pointwise import _inplace, _mask, _Where, _type_name, cast, sigmoid, tanh
from ._util import wrap_dim

_make = Tensor._make

__all__ = [
    "threshold", "threshold_", "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu",
    "rrelu", "rrelu_", "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish",
    "sigmoid", "tanh", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "softplus",
    "softsign", "softmax", "log_softmax", "softmin", "logsigmoid", "tanhshrink", "softshrink",
    "hardshrink", "glu",
]


# ------------------------------------------------------------------ helpers
def _tensor(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input


def _float_only(input, kernel, op):
    """torch's NotImplementedError for integer/bool inputs of float-only kernels."""
    _tensor(input, op)
    if input._data.dtype.kind in "biu":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(input.dtype)}\'')
    if input._data.dtype.kind == "c":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(input.dtype)}\'')
    return input


def _lowp(t):
    d = t._data.dtype
    return d == np.float16 or d.kind == "V"


def _apply(cls, input, inplace=False, **params):
    """Run ``cls`` on ``input`` (out of place or in place), computing
    float16/bfloat16 in float32."""
    if _lowp(input):
        dt = input.dtype

        def fn(t):
            return cast(cls.apply(cast(t, D.float32), **params), dt)
        if inplace:
            return _inplace(input, fn)
        return fn(input)
    if inplace:
        return input._inplace_apply(cls, **params)
    return cls.apply(input, **params)


def _scalar(v, name):
    if isinstance(v, Tensor):
        v = v.item()
    if not isinstance(v, (numbers.Number, np.generic)) or isinstance(v, complex):
        raise TypeError(f"{name} must be a number, not {type(v).__name__}")
    return float(v)


def _const(x, v):
    """A 0-d constant of x's dtype."""
    return _make(np.asarray(v, dtype=x._data.dtype))


class _Act(Function):
    """Elementwise activation. Subclasses give ``forward`` (NumPy) and
    ``grad_np(s, g)`` / ``grad_t(s, g)``: the gradient from the saved tensor
    ``s`` (the input, or the output where ``save_output``) as a NumPy array /
    composed from suanzi ops."""
    save_inputs = (0,)

    def backward(self, g):
        (s,) = self.saved_tensors
        if not STATE.enabled:
            return _make(np.asarray(self.grad_np(s._data, g._data), dtype=g._data.dtype))
        r = self.grad_t(s, g)
        if not r._requires_grad and s.requires_grad:
            r = _Link.apply(r, s)
        return r


class _Link(Function):
    """``r`` made to depend on ``s`` with a zero derivative: torch's backward
    formulas for piecewise-linear ops read the saved tensor, so their
    gradient requires grad under create_graph (its own gradient being 0)."""
    name = "ThresholdBackwardBackward0"

    def forward(self, r, s):
        self.meta = (s.shape, s.dtype)
        return r.copy()

    def backward(self, gg):
        return gg, _make(np.zeros(*self.meta))


# ------------------------------------------------------------------ relu family
class Relu(_Act):
    name = "ReluBackward0"
    save_inputs = ()
    save_output = True

    def forward(self, a):
        return np.maximum(a, a.dtype.type(0))

    # torch: threshold_backward(grad, result, 0): 0 where result <= 0 (NaN passes)
    def grad_np(self, y, g):
        return g * (y != 0)

    def grad_t(self, y, g):
        return _mask(g, y._data != 0)


def _relu_check(input, op="relu"):
    _tensor(input, op)
    if input._data.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")


def relu(input, inplace=False):
    _relu_check(input)
    return _apply(Relu, input, inplace)


def relu_(input):
    _relu_check(input, "relu_")
    return _apply(Relu, input, True)


class Hardtanh(_Act):
    name = "HardtanhBackward0"
    save_inputs = ()
    save_output = True  # out <= min iff x <= min (and NaN stays NaN)

    def forward(self, a, min_val, max_val):
        self.lo, self.hi = min_val, max_val
        if a.dtype.kind in "iu":
            lo, hi = math.trunc(min_val), math.trunc(max_val)
            return np.minimum(np.maximum(a, a.dtype.type(lo)), a.dtype.type(hi))
        return np.minimum(np.maximum(a, min_val), max_val)

    def _keep(self, y):
        return ~((y <= self.lo) | (y >= self.hi))

    def grad_np(self, y, g):
        return g * self._keep(y)

    def grad_t(self, y, g):
        return _mask(g, self._keep(y._data))


def _hardtanh(input, min_val, max_val, inplace, op):
    _tensor(input, op)
    if input._data.dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return _apply(Hardtanh, input, inplace, min_val=_scalar(min_val, "min_val"),
                  max_val=_scalar(max_val, "max_val"))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _hardtanh(input, min_val, max_val, inplace, "hardtanh")


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _hardtanh(input, min_val, max_val, True, "hardtanh_")


def relu6(input, inplace=False):
    return _hardtanh(input, 0.0, 6.0, inplace, "relu6")


class Threshold(_Act):
    name = "ThresholdBackward0"

    def forward(self, a, threshold, value):
        self.thr = threshold
        if a.dtype.kind in "iu":
            v = a.dtype.type(math.trunc(value))
        else:
            v = a.dtype.type(value)
        return np.where(a <= threshold, v, a)

    def grad_np(self, x, g):
        return g * ~(x <= self.thr)

    def grad_t(self, x, g):
        return _mask(g, ~(x._data <= self.thr))


def _threshold(input, threshold, value, inplace, op):
    _tensor(input, op)
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    return _apply(Threshold, input, inplace, threshold=_scalar(threshold, "threshold"),
                  value=_scalar(value, "value"))


def threshold(input, threshold, value, inplace=False):
    return _threshold(input, threshold, value, inplace, "threshold")


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, True, "threshold_")


class LeakyRelu(_Act):
    name = "LeakyReluBackward0"

    def forward(self, a, slope):
        self.slope = slope
        b = np.asarray(a * slope)
        # max(x, s*x) is x where x > 0 and s*x elsewhere when s <= 1 (NaN propagates)
        return np.maximum(a, b, out=b) if slope <= 1 else np.minimum(a, b, out=b)

    def _factor(self, x):
        f = (x > 0).astype(x.dtype)
        f *= 1.0 - self.slope
        f += self.slope
        return f

    def grad_np(self, x, g):
        return g * self._factor(x)

    def grad_t(self, x, g):
        return g * _make(self._factor(x._data))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _float_only(input, "leaky_relu_cpu", "leaky_relu")
    return _apply(LeakyRelu, input, inplace, slope=_scalar(negative_slope, "negative_slope"))


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


class Prelu(Function):
    """``x if x > 0 else w * x`` with ``w`` already shaped to broadcast."""
    name = "PreluKernelBackward0"
    save_inputs = (0, 1)

    def forward(self, x, w):
        return np.where(x > 0, x, w * x)

    def backward(self, g):
        x, w = self.saved_tensors
        pos = x._data > 0
        gx = gw = None
        if not STATE.enabled:
            gd = g._data
            if self.needs_input_grad[0]:
                gx = _make(np.where(pos, gd, gd * w._data))
            if self.needs_input_grad[1]:
                gw = _make(np.where(pos, 0, gd * x._data).astype(gd.dtype, copy=False))
            return gx, gw
        if self.needs_input_grad[0]:
            gx = _Where.apply(g, g * w, cond=pos)
            if not gx._requires_grad and x.requires_grad:
                gx = _Link.apply(gx, x)
        if self.needs_input_grad[1]:
            gw = _Where.apply(g * 0, g * x, cond=pos)
        return gx, gw


def prelu(input, weight):
    _tensor(input, "prelu")
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_type_name(input.dtype)} "
                           f"and {_type_name(weight.dtype)}")
    _float_only(input, "prelu_cpu", "prelu")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    nw = weight.numel()
    nd = input.ndim
    channels = input.shape[1] if nd >= 2 else 1
    if nw != 1 and nw != channels:
        raise RuntimeError(
            f"Mismatch of parameter numbers and input channel size. Found parameter numbers "
            f"= {nw} and channel size = {channels}.")
    w = weight.reshape(()) if nw == 1 else weight.reshape((nw,) + (1,) * (nd - 2))
    if _lowp(input):
        return cast(Prelu.apply(cast(input, D.float32), cast(w, D.float32)), input.dtype)
    return Prelu.apply(input, w)


class Rrelu(Function):
    """Training-mode rrelu: ``x * noise`` with noise ~ U(lower, upper) where x <= 0."""
    name = "RreluWithNoiseBackward0"

    def forward(self, a, noise):
        self.noise = noise
        return a * noise

    def backward(self, g):
        return g * _make(self.noise)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    lower, upper = _scalar(lower, "lower"), _scalar(upper, "upper")
    if not training:
        _float_only(input, "leaky_relu_cpu", "rrelu")
        return _apply(LeakyRelu, input, inplace, slope=(lower + upper) / 2)
    _float_only(input, "rrelu_with_noise_out_cpu", "rrelu")
    if upper < lower:
        raise RuntimeError(f"Random number generator requires lower <= upper, but got lower = "
                           f"{lower} and upper = {upper}")
    from .. import random as R

    a = input._data
    cdt = np.float32 if _lowp(input) else a.dtype
    u = R.default_generator._rng.random(a.shape, dtype=np.float64 if cdt == np.float64 else
                                        np.float32)
    noise = (u * (upper - lower) + lower).astype(cdt, copy=False)
    noise = np.where(a <= 0, noise, 1).astype(cdt, copy=False)
    return _apply(Rrelu, input, inplace, noise=noise)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


# ------------------------------------------------------------------ exponential family
class Elu(_Act):
    """torch's elu(x; alpha, scale, input_scale); backward from the input."""
    name = "EluBackward0"

    def forward(self, a, alpha, scale, input_scale):
        self.alpha, self.scale, self.iscale = alpha, scale, input_scale
        neg = np.expm1(np.minimum(a, 0) * input_scale)
        neg *= alpha * scale
        return np.where(a > 0, a * scale, neg)

    def grad_np(self, x, g):
        c = self.iscale * self.alpha * self.scale
        return np.where(x <= 0, g * (np.exp(np.minimum(x, 0) * self.iscale) * c), g * self.scale)

    def grad_t(self, x, g):
        c = self.iscale * self.alpha * self.scale
        xm = _Where.apply(x, _const(x, 0), cond=x._data <= 0)
        return _Where.apply(g * (P.exp(xm * self.iscale) * c), g * self.scale,
                            cond=x._data <= 0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def elu(input, alpha=1.0, inplace=False):
    _float_only(input, "elu_cpu", "elu")
    return _apply(Elu, input, inplace, alpha=_scalar(alpha, "alpha"), scale=1.0, input_scale=1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu(input, inplace=False):
    _float_only(input, "elu_cpu", "selu")
    return _apply(Elu, input, inplace, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    _float_only(input, "elu_cpu", "celu")
    alpha = _scalar(alpha, "alpha")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _apply(Elu, input, inplace, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


# ------------------------------------------------------------------ GELU
_BLOCK = 1 << 15
# float32 exact GELU: Phi(x) = 1 / (1 + exp(x * R(x^2))), R = P/Q a (3,3) rational, the
# weighted minimax fit on [0, 5.8] of logit(Phi(x)) / -x (odd logit, so one formula serves
# both signs). Fitted to relative error <= ~4e-7 in gelu near 0 and absolute error <= 5e-8
# for x < 0 (where torch's own float32 erf errs by up to 1e-6); about 16 NumPy passes plus
# one exp per element, against ~30 for an erfc polynomial. Beyond the fit range the
# rational keeps -x*R growing (Phi rounds to 0/1 in float32 from |x| ~ 5.5 on).
_GP = [np.float32(c) for c in (-41091.08391916807, -5088.697015593108, -383.0217084828566,
                               -9.603870755950897)]
_GQ = [np.float32(c) for c in (25750.01492950437, 2016.2284315579168, 149.3807886156575)]
# |x| > 1e4 would overflow the Horner sums (inf/inf): such blocks evaluate R on x clipped
# to +-1e4, where x*R(x^2) ~ -+1e5 already saturates exp.
_G_CLIP = np.float32(1e4)
_G_BIG = np.float32(1e8)
_LN_INV_SQRT_2PI = np.float32(-0.5 * math.log(2.0 * math.pi))
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT1_2 = 1.0 / math.sqrt(2.0)


def _blocked(kernel, n_scratch, out, *ins):
    """``kernel(out_block, *in_blocks, *scratch)`` over cache-sized flat blocks
    (inputs may be writable outputs too: contiguous arrays are sliced, not copied)."""
    fo = out.reshape(-1)
    fi = [np.ascontiguousarray(a).reshape(-1) for a in ins]
    n = fo.size
    bs = max(1, min(n, _BLOCK))
    scratch = [np.empty(bs, out.dtype) for _ in range(n_scratch)]
    with np.errstate(over="ignore", invalid="ignore"):  # exp -> inf and inf/inf are expected
        for i in range(0, n, bs):
            j = min(i + bs, n)
            m = j - i
            kernel(fo[i:j], *[a[i:j] for a in fi], *[s[:m] for s in scratch])
    return out


def _gelu_den(x, d, s, q):
    """d <- 1 + exp(x R(x^2)) = 1 / Phi(x) for a float32 block; s, q scratch.
    Returns whether the block needed the clipped (huge or infinite x) path."""
    np.multiply(x, x, out=s)
    # a NaN in the block also takes this path (NaN > big is False, as is NaN <= big)
    big = not np.maximum.reduce(s) <= _G_BIG
    if big:
        x = np.clip(x, -_G_CLIP, _G_CLIP)
        np.multiply(x, x, out=s)
    p = _GP
    np.multiply(s, p[3], out=d)              # numerator P(s), Horner
    d += p[2]
    d *= s
    d += p[1]
    d *= s
    d += p[0]
    c = _GQ
    np.add(s, c[2], out=q)                   # monic denominator Q(s)
    q *= s
    q += c[1]
    q *= s
    q += c[0]
    d /= q
    d *= x
    np.exp(d, out=d)
    d += 1
    return big


def _gelu_fix_inf(o, x):
    """torch's gelu (and its gradient) is NaN at both +-inf; the clipped path would give
    inf at +inf."""
    o[np.isinf(x)] = np.nan


def _gelu_fwd_k(o, x, s, q):
    big = _gelu_den(x, o, s, q)
    np.divide(x, o, out=o)                   # gelu = x Phi(x) = x / d
    if big:
        _gelu_fix_inf(o, x)


def _gelu_fwd_save_k(o, x, d, s, q):
    """The forward, keeping d = 1/Phi for the backward."""
    big = _gelu_den(x, d, s, q)
    np.divide(x, d, out=o)
    if big:
        _gelu_fix_inf(o, x)


def _gelu_bwd_k(o, x, d, g, w):
    """o <- g * (Phi(x) + x phi(x)) from d = 1/Phi (NaN at +-inf, as torch)."""
    np.multiply(x, x, out=w)
    w *= np.float32(-0.5)
    w += _LN_INV_SQRT_2PI
    np.exp(w, out=w)                         # phi(x)
    w *= x
    w *= g                                   # g x phi(x)
    np.divide(g, d, out=o)                   # g Phi(x)
    o += w


def _gelu_np(a, keep=None):
    """gelu(a); for float32 with ``keep`` a list, appends the 1/Phi array for the backward."""
    if a.dtype == np.float32:
        out = np.empty(a.shape, a.dtype)
        if keep is None:
            return _blocked(_gelu_fwd_k, 2, out, a)
        d = np.empty(a.shape, a.dtype)
        keep.append(d)
        return _blocked(_gelu_fwd_save_k, 2, out, a, d)
    cdf = P._erf_np(a * _SQRT1_2)
    cdf += 1
    cdf *= 0.5
    return a * cdf


def _gelu_grad_np(x, g, d=None):
    if x.dtype == np.float32:
        g = np.asarray(g, dtype=np.float32)
        if d is None:  # no saved 1/Phi: recompute it
            d = np.empty(x.shape, x.dtype)
            _blocked(lambda o, xb, s, q: _gelu_den(xb, o, s, q), 2, d, x)
        return _blocked(_gelu_bwd_k, 1, np.empty(x.shape, x.dtype), x, d, g)
    cdf = P._erf_np(x * _SQRT1_2)
    cdf += 1
    cdf *= 0.5
    return g * (cdf + x * np.exp(-0.5 * x * x) * _INV_SQRT_2PI)


_K_BETA = math.sqrt(2.0) * (2.0 / math.sqrt(math.pi)) * 0.5
_K_KAPPA = 0.044715


class Gelu(_Act):
    name = "GeluBackward0"

    def forward(self, a, approximate):
        self.approx = approximate
        if approximate == "tanh":
            inner = np.asarray(a * a)
            inner *= _K_KAPPA
            inner += 1
            inner *= a
            inner *= _K_BETA
            np.tanh(inner, out=inner)
            inner += 1
            inner *= a
            inner *= 0.5
            return inner
        if self.requires_grad and a.dtype == np.float32:
            keep = []  # 1/Phi(x), so the backward skips re-evaluating Phi
            out = _gelu_np(a, keep)
            self.inv_cdf = keep[0]
            return out
        return _gelu_np(a)

    def grad_np(self, x, g):
        if self.approx == "tanh":
            x_sq = np.asarray(x * x)
            t = np.asarray(x_sq * _K_KAPPA)
            t += 1
            t *= x
            t *= _K_BETA
            np.tanh(t, out=t)                    # tanh(inner)
            d = np.asarray(x_sq * (3 * _K_KAPPA * _K_BETA))
            d += _K_BETA
            d *= x
            d *= 0.5                             # 0.5 x beta (1 + 3 kappa x^2)
            np.multiply(t, t, out=x_sq)
            np.subtract(1, x_sq, out=x_sq)
            d *= x_sq                            # right derivative
            t += 1
            t *= 0.5                             # left derivative
            t += d
            t *= g
            return t
        return _gelu_grad_np(x, g, getattr(self, "inv_cdf", None))

    def grad_t(self, x, g):
        if self.approx == "tanh":
            x_sq = x * x
            th = P.tanh((x + x_sq * x * _K_KAPPA) * _K_BETA)
            rd = x * 0.5 * (1 - th * th) * ((x_sq * (3 * _K_KAPPA) + 1) * _K_BETA)
            return g * ((th + 1) * 0.5 + rd)
        cdf = (P.erf(x * _SQRT1_2) + 1) * 0.5
        return g * (cdf + x * P.exp(x * x * -0.5) * _INV_SQRT_2PI)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only(input, "GeluKernelImpl", "gelu")
    return _apply(Gelu, input, False, approximate=approximate)


# ------------------------------------------------------------------ sigmoid family
def _sigmoid_np(x):
    e = np.asarray(np.exp(-x))
    e += 1
    return np.reciprocal(e, out=e)


class Silu(_Act):
    name = "SiluBackward0"

    def forward(self, a):
        e = np.asarray(np.exp(-a))
        e += 1
        return np.divide(a, e, out=e)

    def grad_np(self, x, g):
        s = _sigmoid_np(x)
        return g * s * (1 + x * (1 - s))

    def grad_t(self, x, g):
        s = sigmoid(x)
        return g * s * (x * (1 - s) + 1)


def silu(input, inplace=False):
    _float_only(input, "silu_cpu", "silu")
    return _apply(Silu, input, inplace)


def _softplus_np(x):
    return np.log1p(np.exp(x))


class Mish(_Act):
    name = "MishBackward0"

    def forward(self, a):
        return a * np.tanh(_softplus_np(a))

    def grad_np(self, x, g):
        tsp = np.tanh(_softplus_np(x))
        return g * (tsp + x * _sigmoid_np(x) * (1 - tsp * tsp))

    def grad_t(self, x, g):
        tsp = P.tanh(P.log1p(P.exp(x)))
        return g * (tsp + x * sigmoid(x) * (1 - tsp * tsp))


def mish(input, inplace=False):
    _float_only(input, "mish_cpu", "mish")
    return _apply(Mish, input, inplace)


class Hardsigmoid(_Act):
    name = "HardsigmoidBackward0"

    def forward(self, a):
        r = np.asarray(a + 3)
        np.clip(r, 0, 6, out=r)
        r /= 6
        return r

    def _keep(self, x):
        return (x > -3) & (x < 3)

    def grad_np(self, x, g):
        return g * self._keep(x) * (1.0 / 6)

    def grad_t(self, x, g):
        return _mask(g, self._keep(x._data)) * (1.0 / 6)


def hardsigmoid(input, inplace=False):
    _float_only(input, "hardsigmoid_cpu", "hardsigmoid")
    return _apply(Hardsigmoid, input, inplace)


class Hardswish(_Act):
    name = "HardswishBackward0"

    def forward(self, a):
        r = np.asarray(a + 3)
        np.clip(r, 0, 6, out=r)
        r *= a
        r /= 6
        return r

    def _factor(self, x):
        return np.where(x <= -3, 0, np.where(x < 3, x / 3 + 0.5, 1)).astype(x.dtype, copy=False)

    def grad_np(self, x, g):
        return g * self._factor(x)

    def grad_t(self, x, g):
        xd = x._data
        mid = (xd > -3) & (xd < 3)
        # d/dx of the middle piece is x/3 + 1/2 (differentiable in x)
        return _Where.apply(g * (x / 3 + 0.5), _mask(g, ~(xd <= -3)), cond=mid)


def hardswish(input, inplace=False):
    _float_only(input, "hardswish_cpu", "hardswish")
    return _apply(Hardswish, input, inplace)


class Softplus(_Act):
    name = "SoftplusBackward0"

    def forward(self, a, beta, threshold):
        self.beta, self.thr = beta, threshold
        bx = a * beta
        soft = np.log1p(np.exp(bx))
        if beta != 1:
            soft /= beta
        return np.where(bx > threshold, a, soft)

    def grad_np(self, x, g):
        bx = x * self.beta
        z = np.exp(bx)
        return np.where(bx > self.thr, g, g * z / (z + 1))

    def grad_t(self, x, g):
        lin = x._data * self.beta > self.thr
        return _Where.apply(g, g * sigmoid(x * self.beta), cond=lin)


def softplus(input, beta=1.0, threshold=20.0):
    _float_only(input, "softplus_cpu", "softplus")
    return _apply(Softplus, input, False, beta=_scalar(beta, "beta"),
                  threshold=_scalar(threshold, "threshold"))


class LogSigmoid(_Act):
    name = "LogSigmoidBackward0"

    def forward(self, a):
        r = np.asarray(np.log1p(np.exp(-np.abs(a))))
        return np.subtract(np.minimum(a, 0), r, out=r)

    def grad_np(self, x, g):
        z = np.exp(-np.abs(x))
        zz = z / (1 + z)
        neg = x < 0
        return g * np.where(neg, 1 - zz, zz)

    def grad_t(self, x, g):
        return g * sigmoid(-x)


def logsigmoid(input):
    _float_only(input, "log_sigmoid_cpu", "logsigmoid")
    return _apply(LogSigmoid, input)


def softsign(input):
    _tensor(input, "softsign")
    return P.div(input, P.add(P.abs(input), 1))


def tanhshrink(input):
    _tensor(input, "tanhshrink")
    return P.sub(input, P.tanh(input))


class Softshrink(_Act):
    name = "SoftshrinkBackward0"

    def forward(self, a, lambd):
        self.l = lambd
        return np.where(a > lambd, a - lambd, np.where(a < -lambd, a + lambd, a * 0))

    def _keep(self, x):
        return ~((x >= -self.l) & (x <= self.l))

    def grad_np(self, x, g):
        return g * self._keep(x)

    def grad_t(self, x, g):
        return _mask(g, self._keep(x._data))


def softshrink(input, lambd=0.5):
    _float_only(input, "softshrink_check", "softshrink")
    lambd = _scalar(lambd, "lambd")
    if lambd < 0:
        fmax = float(np.finfo(np.float32 if input._data.dtype != np.float64 else
                              np.float64).max)
        raise RuntimeError(f"lambda must be in range [0, {fmax:g}] for input dtype "
                           f"{_type_name(input.dtype)}, but found {lambd:g}")
    return _apply(Softshrink, input, False, lambd=lambd)


class Hardshrink(_Act):
    name = "HardshrinkBackward0"

    def forward(self, a, lambd):
        self.l = lambd
        return np.where((a >= -lambd) & (a <= lambd), a.dtype.type(0), a)

    def _keep(self, x):
        return ~((x >= -self.l) & (x <= self.l))

    def grad_np(self, x, g):
        return g * self._keep(x)

    def grad_t(self, x, g):
        return _mask(g, self._keep(x._data))


def hardshrink(input, lambd=0.5):
    _float_only(input, "hardshrink_cpu", "hardshrink")
    return _apply(Hardshrink, input, False, lambd=_scalar(lambd, "lambd"))


def glu(input, dim=-1):
    _tensor(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    _float_only(input, "glu_cpu", "glu")
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a = input.narrow(d, 0, n // 2)
    b = input.narrow(d, n // 2, n // 2)
    return P.mul(a, sigmoid(b))


# ------------------------------------------------------------------ softmax family
# Softmax over the last dim runs over blocks of whole rows (~_SM_BLOCK elements, in L2).
# Many short rows (attention: 128 wide) are the slow case for NumPy's per-row reductions
# (a row max costs more than the exp), so the row max is only a fallback:
# * softmax is shift-invariant, so when a block's values all lie in [-60, 60] it takes
#   exp(x) as is: no overflow (sums <= n e^60), no underflow (>= e^-60, normal floats),
#   and no rounding of x - max at all (more exact than torch's exp(x - rowmax));
# * else, when they span <= 40, it shifts by the block's midpoint c: |x - c| <= 20, so the
#   exps stay in [e^-20, e^20] and rounding x - c costs <= ulp(20)/2 ~ 1e-6 relative (as
#   much as torch's exp(x - rowmax) errs on entries 20 below their row max);
# * else (a wider range, inf, NaN) the row max, as torch.
# Row sums are a BLAS matrix-vector product with ones.
_SM_BLOCK = 1 << 16
_SM_DIRECT = 60.0
_SM_SPAN = 40.0


def _row_blocks(n_rows, n):
    step = max(1, _SM_BLOCK // max(n, 1))
    for i in range(0, n_rows, step):
        yield slice(i, min(i + step, n_rows))


def _softmax_lastdim(a):
    n = a.shape[-1]
    x = np.ascontiguousarray(a).reshape(-1, n)
    out = np.empty(x.shape, x.dtype)
    ones = np.ones(n, x.dtype)
    sums = np.empty(min(x.shape[0], max(1, _SM_BLOCK // n)), x.dtype)
    for r in _row_blocks(x.shape[0], n):
        xb, ob = x[r], out[r]
        hi = np.maximum.reduce(xb, axis=None)
        lo = np.minimum.reduce(xb, axis=None)
        if -_SM_DIRECT <= lo and hi <= _SM_DIRECT:  # False for NaN (and inf)
            np.exp(xb, out=ob)
        else:
            if hi - lo <= _SM_SPAN:
                np.subtract(xb, hi - (hi - lo) * 0.5, out=ob)  # midpoint; no hi + lo overflow
            else:
                np.subtract(xb, np.maximum.reduce(xb, axis=1, keepdims=True), out=ob)
            np.exp(ob, out=ob)
        s = sums[:ob.shape[0]]
        np.dot(ob, ones, out=s)
        np.reciprocal(s, out=s)
        ob *= s[:, None]
    return out.reshape(a.shape)


def _softmax_lastdim_grad(y, g):
    """y * (g - sum(g * y)) over the last dim, by row blocks (row dots via einsum)."""
    n = y.shape[-1]
    y2 = np.ascontiguousarray(y).reshape(-1, n)
    g2 = np.ascontiguousarray(g, dtype=y.dtype).reshape(-1, n)
    out = np.empty(y2.shape, y2.dtype)
    for r in _row_blocks(y2.shape[0], n):
        yb, ob = y2[r], out[r]
        s = np.einsum("ij,ij->i", g2[r], yb)
        np.subtract(g2[r], s[:, None], out=ob)
        ob *= yb
    return out.reshape(y.shape)


def _softmax_np(a, axis):
    if axis == a.ndim - 1 and a.dtype.kind == "f":
        return _softmax_lastdim(a)
    m = np.max(a, axis=axis, keepdims=True)
    out = np.subtract(a, m)
    np.exp(out, out=out)
    s = np.sum(out, axis=axis, keepdims=True)
    np.reciprocal(s, out=s)
    out *= s
    return out


def _log_softmax_np(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    out = np.subtract(a, m)
    e = np.exp(out)
    s = np.sum(e, axis=axis, keepdims=True)
    del e
    np.log(s, out=s)
    out -= s
    return out


class Softmax(Function):
    name = "SoftmaxBackward0"
    save_output = True

    def forward(self, a, dim):
        self.dim = dim
        if a.ndim == 0:
            return np.ones((), a.dtype) if not np.isnan(a) else a.copy()
        if a.size == 0:
            return a.copy()
        return _softmax_np(a, dim)

    def backward(self, g):
        y = self.saved_output
        d = self.dim
        if not STATE.enabled:
            yd, gd = y._data, g._data
            if yd.ndim == 0:
                return _make(np.zeros((), gd.dtype))
            if d == yd.ndim - 1 and yd.dtype.kind == "f" and yd.size:
                return _make(_softmax_lastdim_grad(yd, gd))
            gy = gd * yd
            s = np.sum(gy, axis=d, keepdims=True)
            np.subtract(gd, s, out=gy)
            gy *= yd
            return _make(gy)
        if y.ndim == 0:
            return g * 0
        return y * (g - (g * y).sum(d, keepdim=True))


class LogSoftmax(Function):
    name = "LogSoftmaxBackward0"
    save_output = True

    def forward(self, a, dim):
        self.dim = dim
        if a.ndim == 0:
            return np.zeros((), a.dtype) if not np.isnan(a) else a.copy()
        if a.size == 0:
            return a.copy()
        return _log_softmax_np(a, dim)

    def backward(self, g):
        y = self.saved_output
        d = self.dim
        if not STATE.enabled:
            yd, gd = y._data, g._data
            if yd.ndim == 0:
                return _make(np.zeros((), gd.dtype))
            s = np.sum(gd, axis=d, keepdims=True)
            e = np.exp(yd)
            e *= s
            np.subtract(gd, e, out=e)
            return _make(e)
        if y.ndim == 0:
            return g * 0
        return g - P.exp(y) * g.sum(d, keepdim=True)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_impl(cls, kernel, input, dim, dtype):
    _tensor(input, kernel.split("_")[0])
    if dim is None or isinstance(dim, bool) or not hasattr(dim, "__index__"):
        raise TypeError(f"{kernel}(): argument 'dim' must be int, not {type(dim).__name__}")
    if dtype is not None:
        input = cast(input, D.to_dtype(dtype))
    d = wrap_dim(dim, input.ndim)
    if input._data.dtype.kind in "biuc":
        raise NotImplementedError(f'"{kernel}_lastdim_kernel_impl" not implemented for '
                                  f"'{_type_name(input.dtype)}'")
    if _lowp(input):
        return cast(cls.apply(cast(input, D.float32), dim=d), input.dtype)
    return cls.apply(input, dim=d)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmax", _tensor(input, "softmax").ndim, _stacklevel)
    return _softmax_impl(Softmax, "softmax", input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("log_softmax", _tensor(input, "log_softmax").ndim, _stacklevel)
    return _softmax_impl(LogSoftmax, "log_softmax", input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmin", _tensor(input, "softmin").ndim, _stacklevel)
    return _softmax_impl(Softmax, "softmax", P.neg(input), dim, dtype)


# ------------------------------------------------------------------ torch.* and Tensor methods
def _torch_softmax(input, dim, dtype=None):
    """``torch.softmax(input, dim, dtype=None)``: dim is required."""
    return _softmax_impl(Softmax, "softmax", input, dim, dtype)


def _torch_log_softmax(input, dim, dtype=None):
    return _softmax_impl(LogSoftmax, "log_softmax", input, dim, dtype)


def _method_relu(self):
    return relu(self)


def _method_relu_(self):
    return relu_(self)


def _method_softmax(self, dim, dtype=None):
    return _torch_softmax(self, dim, dtype)


def _method_log_softmax(self, dim, dtype=None):
    return _torch_log_softmax(self, dim, dtype)


def _method_hardshrink(self, lambd=0.5):
    return hardshrink(self, lambd)


#: Tensor methods for the lead to bind (``Tensor.relu()``, ``x.softmax(dim)`` …)
METHODS = {
    "relu": _method_relu, "relu_": _method_relu_, "softmax": _method_softmax,
    "log_softmax": _method_log_softmax, "hardshrink": _method_hardshrink,
}

#: top-level ``suanzi.*`` functions with torch's (not F's) signatures
TORCH_FUNCTIONS = {
    "relu": _method_relu, "relu_": _method_relu_, "softmax": _torch_softmax,
    "log_softmax": _torch_log_softmax, "selu": lambda input: selu(input),
    "selu_": selu_, "celu": lambda input, alpha=1.0: celu(input, alpha),
    "celu_": celu_, "prelu": prelu, "rrelu": rrelu, "rrelu_": rrelu_,
    "threshold": lambda input, threshold, value: _threshold(input, threshold, value, False,
                                                             "threshold"),
    "threshold_": threshold_, "hardshrink": _method_hardshrink,
}
for _n, _f in TORCH_FUNCTIONS.items():
    if getattr(_f, "__name__", "") == "<lambda>":
        _f.__name__ = _f.__qualname__ = _n
del _n, _f
