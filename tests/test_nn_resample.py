"""Resampling parity with torch: interpolate across modes, sizes, scale
factors and align_corners (values and gradients), Upsample modules and
reprs, pixel (un)shuffle, and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_module, check_raises, randn


def _F(lib):
    return lib.nn.functional


def _check_or_raises(fn, x, **kw):
    """Parity where torch accepts the arguments, the same error class where not
    (e.g. a scale factor that rounds a size down to 0)."""
    try:
        out = fn(torch, torch.from_numpy(x))
    except Exception:
        check_raises(fn, x)
        return
    check(fn, x, grad=out.numel() > 0, **kw)  # torch's backward refuses empty outputs


SPECS = [dict(size=1), dict(size=5), dict(size=11), dict(scale_factor=2), dict(scale_factor=0.5),
         dict(scale_factor=1.7), dict(scale_factor=3), dict(scale_factor=0.37),
         dict(scale_factor=1.7, recompute_scale_factor=True)]


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear"])
def test_interpolate_1d(mode):
    acs = [None] if mode.startswith("nearest") else [False, True]
    for n in (1, 3, 4, 7):
        x = randn(2, 3, n)
        for spec in SPECS:
            for ac in acs:
                _check_or_raises(lambda lib, x: _F(lib).interpolate(
                    x, mode=mode, align_corners=ac, **spec), x)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic", "area"])
def test_interpolate_2d(mode):
    acs = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    tol = dict(rtol=1e-4, atol=2e-5) if mode == "bicubic" else {}
    specs = [dict(size=(4, 9)), dict(size=3), dict(scale_factor=(2, 3)),
             dict(scale_factor=(0.6, 1.4)), dict(scale_factor=2.5),
             dict(scale_factor=(1.3, 0.7), recompute_scale_factor=True)]
    for shape in ((2, 2, 5, 6), (1, 3, 1, 4)):
        x = randn(*shape)
        for spec in specs:
            for ac in acs:
                _check_or_raises(lambda lib, x: _F(lib).interpolate(
                    x, mode=mode, align_corners=ac, **spec), x, **tol)


@pytest.mark.parametrize("mode", ["nearest", "trilinear", "area"])
def test_interpolate_3d(mode):
    acs = [None] if mode in ("nearest", "area") else [False, True]
    x = randn(1, 2, 3, 4, 5)
    for spec in (dict(size=(5, 3, 7)), dict(scale_factor=2), dict(scale_factor=(0.5, 1.5, 1))):
        for ac in acs:
            check(lambda lib, x: _F(lib).interpolate(x, mode=mode, align_corners=ac, **spec), x)


def test_interpolate_float64_and_identity():
    x = randn(2, 3, 6, 5, dtype=np.float64)
    for mode, ac in (("bilinear", False), ("bilinear", True), ("bicubic", False),
                     ("nearest", None)):
        check(lambda lib, x: _F(lib).interpolate(x, scale_factor=1.6, mode=mode,
                                                 align_corners=ac), x, rtol=1e-10, atol=1e-10)
        check(lambda lib, x: _F(lib).interpolate(x, size=(6, 5), mode=mode, align_corners=ac),
              x, rtol=1e-10, atol=1e-10)


def test_interpolate_uint8_nearest():
    x = np.random.default_rng(0).integers(0, 255, (1, 2, 4, 5)).astype(np.uint8)
    check(lambda lib, x: _F(lib).interpolate(x, scale_factor=2.5), x)


def test_deprecated_aliases():
    x = randn(1, 2, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, x: _F(lib).upsample(x, scale_factor=2, mode="bilinear"), x)
        check(lambda lib, x: _F(lib).upsample_nearest(x, size=(5, 7)), x)
        check(lambda lib, x: _F(lib).upsample_bilinear(x, scale_factor=2), x)


def test_upsample_modules():
    x = randn(2, 3, 4, 5)
    check_module(lambda lib: lib.nn.Upsample(scale_factor=2, mode="nearest"), x)
    check_module(lambda lib: lib.nn.Upsample(size=(7, 3), mode="bilinear", align_corners=True), x)
    check_module(lambda lib: lib.nn.UpsamplingNearest2d(scale_factor=3), x)
    check_module(lambda lib: lib.nn.UpsamplingBilinear2d(size=9), x)
    check_module(lambda lib: lib.nn.PixelShuffle(2), randn(2, 8, 3, 4))
    check_module(lambda lib: lib.nn.PixelUnshuffle(2), randn(2, 3, 4, 6))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Upsample(scale_factor=2),
    lambda lib: lib.nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True),
    lambda lib: lib.nn.Upsample(scale_factor=(2, 1.5), mode="bicubic"),
    lambda lib: lib.nn.UpsamplingNearest2d(size=5),
    lambda lib: lib.nn.UpsamplingBilinear2d(scale_factor=2),
    lambda lib: lib.nn.PixelShuffle(3),
    lambda lib: lib.nn.PixelUnshuffle(2),
])
def test_repr(make):
    assert repr(make(suanzi)) == repr(make(torch))


def test_pixel_shuffle():
    check(lambda lib, x: _F(lib).pixel_shuffle(x, 3), randn(2, 18, 2, 3))
    check(lambda lib, x: _F(lib).pixel_shuffle(x, 2), randn(4, 2, 3))  # unbatched
    check(lambda lib, x: _F(lib).pixel_shuffle(x, 2), randn(2, 1, 4, 2, 3))  # extra batch dims
    check(lambda lib, x: _F(lib).pixel_unshuffle(x, 2), randn(2, 3, 4, 6))
    check(lambda lib, x: _F(lib).pixel_unshuffle(_F(lib).pixel_shuffle(x, 2), 2),
          randn(1, 8, 3, 3))


@pytest.mark.parametrize("fn,shape", [
    (lambda F, x: F.interpolate(x, size=2, scale_factor=2), (1, 1, 4)),
    (lambda F, x: F.interpolate(x), (1, 1, 4)),
    (lambda F, x: F.interpolate(x, size=2, align_corners=True), (1, 1, 4)),
    (lambda F, x: F.interpolate(x, size=(2, 3)), (1, 1, 4)),
    (lambda F, x: F.interpolate(x, scale_factor=(2, 3)), (1, 1, 4)),
    (lambda F, x: F.interpolate(x, size=2, recompute_scale_factor=True), (1, 1, 4)),
    (lambda F, x: F.interpolate(x, size=2, mode="bilinear"), (1, 1, 4)),
    (lambda F, x: F.interpolate(x, size=2, mode="linear"), (1, 1, 4, 4)),
    (lambda F, x: F.interpolate(x, size=2, mode="trilinear"), (1, 1, 4, 4)),
    (lambda F, x: F.interpolate(x, size=2, mode="bogus"), (1, 1, 4, 4)),
    (lambda F, x: F.interpolate(x, size=2), (1, 4)),
    (lambda F, x: F.interpolate(x, scale_factor=0.1), (1, 1, 4)),
    (lambda F, x: F.interpolate(x, size=(2.5,)), (1, 1, 4)),
    (lambda F, x: F.interpolate(x, size=2, mode="nearest", antialias=True), (1, 1, 4, 4)),
    (lambda F, x: F.pixel_shuffle(x, 2), (1, 3, 2, 2)),
    (lambda F, x: F.pixel_shuffle(x, 2), (4, 2)),
    (lambda F, x: F.pixel_unshuffle(x, 2), (1, 3, 3, 2)),
    (lambda F, x: F.pixel_unshuffle(x, 2), (1, 3, 2, 3)),
])
def test_errors(fn, shape):
    check_raises(lambda lib, x: fn(_F(lib), x), randn(*shape))


def test_gradcheck_float64():
    from suanzi.autograd import gradcheck

    F = suanzi.nn.functional
    x = suanzi.from_numpy(randn(1, 2, 3, 4, dtype=np.float64)).requires_grad_(True)
    assert gradcheck(lambda x: F.interpolate(x, scale_factor=1.7, mode="bilinear"), (x,))
    assert gradcheck(lambda x: F.interpolate(x, size=(5, 2), mode="bicubic",
                                             align_corners=True), (x,))
    assert gradcheck(lambda x: F.interpolate(x, size=(7, 3)), (x,))
    assert gradcheck(lambda x: F.pixel_shuffle(x, 1), (x,))
