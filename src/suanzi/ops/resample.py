"""Resampling: ``interpolate`` (nearest, nearest-exact, linear, bilinear,
bicubic, trilinear, area), its deprecated aliases, and pixel (un)shuffle.

Every interpolation mode here is separable: along each spatial axis the
output is a fixed weighted sum of a few input samples ("taps": an index
array and a weight array per tap). The forward gathers and sums the taps one
axis at a time (last axis first, as torch's kernel nests them); the backward
applies the adjoint axis by axis: the tap indices are non-decreasing in the
output position, so the scatter-add is one ``np.add.reduceat`` per tap.

Source indices and weights are computed with torch's formulas in torch's
precision (``float`` math for float32/half inputs, ``double`` for float64),
so the chosen samples agree exactly with torch's.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Function

_make = Tensor._make

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "pixel_shuffle", "pixel_unshuffle"]


# ---------------------------------------------------------------- taps
def _opmath(dt):
    return np.float64 if dt == np.float64 else np.float32


def _scale_value(ft, scale, n_in, n_out):
    """torch's compute_scales_value."""
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(n_in) / ft(n_out)


def _area_scale(ft, n_in, n_out, align_corners, scale):
    if align_corners:
        return ft(n_in - 1) / ft(n_out - 1) if n_out > 1 else ft(0)
    return _scale_value(ft, scale, n_in, n_out)


def _source_index(ft, scale, o, align_corners, cubic):
    if align_corners:
        return scale * o
    src = scale * (o + ft(0.5)) - ft(0.5)
    if not cubic:
        src = np.where(src < 0, ft(0), src).astype(ft)
    return src


def _taps(mode, n_in, n_out, align_corners, scale, dt):
    """[(indices, weights or None)] along one axis."""
    ft = _opmath(dt)
    o = np.arange(n_out)
    if mode == "nearest":
        sc = _scale_value(ft, scale, n_in, n_out)
        src = (o.astype(ft) * sc).astype(ft)
        idx = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
        return [(idx, None)]
    if mode == "nearest-exact":
        sc = _scale_value(ft, scale, n_in, n_out)
        src = (sc * (o.astype(ft) + ft(0.5)) - ft(0.5)).astype(ft)
        src = np.where(src < 0, ft(0), src).astype(ft)
        idx = np.minimum(np.floor((src + ft(0.5)).astype(ft)).astype(np.int64), n_in - 1)
        return [(idx, None)]
    if mode == "linear":
        if n_in == n_out:
            return [(o, None)]
        sc = _area_scale(ft, n_in, n_out, align_corners, scale)
        real = _source_index(ft, sc, o.astype(ft), align_corners, False).astype(ft)
        i0 = np.minimum(np.floor(real).astype(np.int64), n_in - 1)
        l1 = np.minimum(np.maximum(real - i0.astype(ft), ft(0)), ft(1)).astype(ft)
        i1 = i0 + (i0 < n_in - 1)
        l0 = (ft(1) - l1).astype(ft)
        return [(i0, l0), (i1, l1)]
    if mode == "cubic":
        sc = _area_scale(ft, n_in, n_out, align_corners, scale)
        real = _source_index(ft, sc, o.astype(ft), align_corners, True).astype(ft)
        i = np.minimum(np.floor(real).astype(np.int64), n_in - 1)
        t = np.minimum(np.maximum(real - i.astype(ft), ft(0)), ft(1)).astype(ft)
        A = ft(-0.75)

        def conv1(x):
            return (((A + ft(2)) * x - (A + ft(3))) * x * x + ft(1)).astype(ft)

        def conv2(x):
            return (((A * x - ft(5) * A) * x + ft(8) * A) * x - ft(4) * A).astype(ft)

        x2 = (ft(1) - t).astype(ft)
        ws = [conv2((t + ft(1)).astype(ft)), conv1(t), conv1(x2), conv2((x2 + ft(1)).astype(ft))]
        return [(np.clip(i - 1 + j, 0, n_in - 1), ws[j]) for j in range(4)]
    raise AssertionError(mode)


def _apply_taps(x, axis, taps, ft):
    """Sum over taps of x[idx] * w along ``axis`` (in the opmath dtype)."""
    out = None
    shape = [1] * x.ndim
    for idx, w in taps:
        v = np.take(x, idx, axis=axis)
        if w is not None:
            shape[axis] = w.shape[0]
            v = v * w.reshape(shape)
            if v.dtype != ft:
                v = v.astype(ft)
        if out is None:
            out = v
        else:
            out += v
    return out


def _adjoint_taps(g, axis, taps, n_in):
    """The adjoint of :func:`_apply_taps`: g summed into the input positions."""
    shape = list(g.shape)
    shape[axis] = n_in
    gi = np.zeros(shape, g.dtype)
    wshape = [1] * g.ndim
    for idx, w in taps:
        v = g
        if w is not None:
            wshape[axis] = w.shape[0]
            v = g * w.reshape(wshape).astype(g.dtype)
        if v.shape[axis] == 0:
            continue
        change = np.flatnonzero(np.diff(idx)) + 1  # idx is non-decreasing
        starts = np.concatenate(([0], change))
        sums = np.add.reduceat(v, starts, axis=axis)
        sl = [slice(None)] * g.ndim
        sl[axis] = idx[starts]
        gi[tuple(sl)] += sums
    return gi


class _Interp(Function):
    once_differentiable = True
    name = "UpsampleBackward0"

    def forward(self, x, taps_per_axis, nd):
        ft = _opmath(x.dtype)
        y = x
        for a in range(nd - 1, -1, -1):
            ax = x.ndim - nd + a
            y = _apply_taps(y, ax, taps_per_axis[a], ft)
        if self.requires_grad:
            self.taps = taps_per_axis
            self.in_shape = x.shape
            self.nd = nd
        return y.astype(x.dtype, copy=False)

    def backward(self, g):
        nd = self.nd
        shape = self.in_shape
        ft = _opmath(g.dtype)
        gi = g.astype(ft, copy=False)
        for a in range(nd):
            ax = len(shape) - nd + a
            gi = _adjoint_taps(gi, ax, self.taps[a], shape[ax])
        return gi.astype(g.dtype, copy=False)


_INTERP_NAMES = {("nearest", 1): "UpsampleNearest1DBackward0",
                 ("nearest", 2): "UpsampleNearest2DBackward0",
                 ("nearest", 3): "UpsampleNearest3DBackward0",
                 ("nearest-exact", 1): "UpsampleNearestExact1DBackward0",
                 ("nearest-exact", 2): "UpsampleNearestExact2DBackward0",
                 ("nearest-exact", 3): "UpsampleNearestExact3DBackward0",
                 ("linear", 1): "UpsampleLinear1DBackward0",
                 ("bilinear", 2): "UpsampleBilinear2DBackward0",
                 ("trilinear", 3): "UpsampleTrilinear3DBackward0",
                 ("bicubic", 2): "UpsampleBicubic2DBackward0"}
_INTERP_CLS = {key: type(f"_Interp_{name}", (_Interp,), {"name": name})
               for key, name in _INTERP_NAMES.items()}


def _is_int(v):
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    x = input._data
    dim = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(x.shape[2:])} and output size of "
                    f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format.")
            if not all(_is_int(v) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] "
                                "or Tuple[int, int, int], but got size with types "
                                f"{[type(v) for v in size]}")
            output_size = [int(v) for v in size]
        else:
            if not _is_int(size):
                raise TypeError(f"interpolate(): size must be an int or a tuple of ints, not "
                                f"{type(size).__name__}")
            output_size = [int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(x.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(v) for v in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [math.floor(x.shape[i + 2] * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if antialias:
        if not (mode in ("bilinear", "bicubic") and x.ndim == 4):
            raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                             "modes and requires a 4-D tensor as input")
        raise NotImplementedError("interpolate(): antialias=True is not supported by suanzi")

    kinds = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5),
             "linear": (3,), "bilinear": (4,), "trilinear": (5,), "bicubic": (4,)}
    if mode not in kinds or x.ndim not in kinds[mode]:
        need = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}
        if mode in need and x.ndim in (3, 4, 5):
            raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs "
                                      f"{need[mode]}D input")
        raise NotImplementedError(
            "Input Error: Only 3D, 4D and 5D input Tensors supported"
            f" (got {x.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear "
            f"| area | nearest-exact (got {mode})")
    if mode == "area":
        from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](
            input, output_size)

    in_sp = x.shape[2:]
    if output_size is None:
        output_size = [int(in_sp[i] * scale_factors[i]) for i in range(dim)]
    if any(v <= 0 for v in output_size) or any(v <= 0 for v in in_sp):
        raise RuntimeError(f"upsample_{mode}{dim}d: Input and output sizes should be greater "
                           f"than 0, but got input {tuple(in_sp)} output {tuple(output_size)}")
    if x.dtype.kind != "f" and x.dtype != D.bfloat16.np and not (
            x.dtype == np.uint8 and mode.startswith("nearest")):
        raise NotImplementedError(f'"upsample_{mode}{dim}d" not implemented for '
                                  f"'{x.dtype.name}'")
    tapmode = {"nearest": "nearest", "nearest-exact": "nearest-exact", "linear": "linear",
               "bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}[mode]
    taps = [_taps(tapmode, in_sp[i], output_size[i], align_corners,
                  None if scale_factors is None else scale_factors[i], x.dtype)
            for i in range(dim)]
    return _INTERP_CLS[(mode, dim)].apply(input, taps_per_axis=taps, nd=dim)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- pixel shuffle
class _PixelShuffle(Function):
    name = "PixelShuffleBackward0"
    once_differentiable = True

    def forward(self, x, r, inverse):
        lead = x.shape[:-3]
        c, h, w = x.shape[-3:]
        if not inverse:
            oc = c // (r * r)
            y = x.reshape(lead + (oc, r, r, h, w))
            n = len(lead)
            perm = tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)
            y = y.transpose(perm).reshape(lead + (oc, h * r, w * r))
        else:
            oh, ow = h // r, w // r
            y = x.reshape(lead + (c, oh, r, ow, r))
            n = len(lead)
            perm = tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3)
            y = y.transpose(perm).reshape(lead + (c * r * r, oh, ow))
        if self.requires_grad:
            self.r, self.inverse = r, inverse
        return np.ascontiguousarray(y)

    def backward(self, g):
        return _PixelShuffle.forward(self, g, self.r, not self.inverse)


class _PixelUnshuffle(_PixelShuffle):
    name = "PixelUnshuffleBackward0"


def pixel_shuffle(input, upscale_factor):
    if not isinstance(input, Tensor):
        raise TypeError(f"pixel_shuffle(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    x = input._data
    r = int(upscale_factor)
    if x.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if x.shape[-3] % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           f"by the square of upscale_factor, but input.size(-3)={x.shape[-3]} "
                           f"is not divisible by {r * r}")
    return _PixelShuffle.apply(input, r=r, inverse=False)


def pixel_unshuffle(input, downscale_factor):
    if not isinstance(input, Tensor):
        raise TypeError(f"pixel_unshuffle(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    x = input._data
    r = int(downscale_factor)
    if x.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    if x.shape[-2] % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={x.shape[-2]} is not divisible by {r}")
    if x.shape[-1] % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={x.shape[-1]} is not divisible by {r}")
    return _PixelUnshuffle.apply(input, r=r, inverse=True)
