"""Dropout (``F.dropout``, ``dropout1d/2d/3d``, ``alpha_dropout``,
``feature_alpha_dropout``) as torch's ``_dropout_impl``: a Bernoulli(1-p)
``noise`` tensor (one value per element, or per channel for the feature
variants) drawn from suanzi's default generator, scaled by 1/(1-p), and
``input * noise``. Eval (``training=False``), p = 0 and empty inputs return
the input itself; p = 1 multiplies by zero (zero gradient, no NaN from 1/0).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import random as R
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from .._tensor import Tensor
from . import pointwise as P
from .pointwise import _type_name

_make = Tensor._make

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]

_ALPHA = 1.7580993408473766  # SELU's -scale*alpha: the value AlphaDropout drops to


class Dropout(Function):
    """``input * noise (+ shift)`` for a constant noise (broadcast over the
    input for the feature variants)."""
    name = "MulBackward0"

    def forward(self, a, noise, shift):
        self.noise = noise
        out = a * noise
        if shift is not None:
            out += shift
        return out

    def backward(self, g):
        if not STATE.enabled:
            return _make(g._data * self.noise)
        return g * _make(self.noise)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _impl(input, p, train, inplace, feature, alpha, noise_shape=None):
    if not isinstance(input, Tensor):
        raise TypeError(f"dropout(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        z = _make(np.zeros((), input._data.dtype))
        if inplace:
            return input.mul_(z)
        return P.mul(input, z)
    a = input._data
    if a.dtype.kind in "biu":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_type_name(input.dtype)}")
    if noise_shape is None:
        if feature:
            if a.ndim < 2:
                raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
            noise_shape = a.shape[:2] + (1,) * (a.ndim - 2)
        else:
            noise_shape = a.shape
    cdt = np.float64 if a.dtype == np.float64 else np.float32
    q = 1.0 - p
    u = R.default_generator._rng.random(noise_shape, dtype=cdt)
    keep = u < q
    shift = None
    if alpha:
        s = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * q)
        noise = keep.astype(cdt)
        # torch: b = (noise - 1) * alpha * a + alpha * a * p ; noise *= a
        shift = (noise - 1) * (_ALPHA * s) + _ALPHA * s * p
        noise *= s
        shift = shift.astype(a.dtype, copy=False)
    else:
        noise = keep.astype(cdt)
        noise /= cdt(q)
    noise = noise.astype(a.dtype, copy=False)
    if inplace:
        return input._inplace_apply(Dropout, noise=noise, shift=shift)
    return Dropout.apply(input, noise=noise, shift=shift)


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    return _impl(input, p, training, inplace, False, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _impl(input, p, training, inplace, False, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _impl(input, p, training, inplace, True, True)


def _unbatched_noise_shape(input):
    # (C, *spatial) read as a batch of one: one value per channel
    return (input.shape[0],) + (1,) * (input.ndim - 1)


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    if nd == 2:
        return _impl(input, p, training, inplace, True, False, _unbatched_noise_shape(input))
    return _impl(input, p, training, inplace, True, False)


def dropout2d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _impl(input, p, training, inplace, True, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if nd != 5:
        if nd == 0:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        return _impl(input, p, training, inplace, True, False, _unbatched_noise_shape(input))
    return _impl(input, p, training, inplace, True, False)


def _torch_dropout(input, p, train):
    """``torch.dropout(input, p, train)``."""
    return _impl(input, p, train, False, False, False)


def _torch_dropout_(input, p, train):
    return _impl(input, p, train, True, False, False)


TORCH_FUNCTIONS = {
    "dropout": _torch_dropout, "dropout_": _torch_dropout_,
    "alpha_dropout": lambda input, p, train: _impl(input, p, train, False, False, True),
    "feature_dropout": lambda input, p, train: _impl(input, p, train, False, True, False),
    "feature_alpha_dropout": lambda input, p, train: _impl(input, p, train, False, True, True),
}
