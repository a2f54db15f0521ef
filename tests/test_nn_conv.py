"""Convolution, transposed convolution and F.pad against torch: values,
dtypes, gradients of input/weight/bias, errors, module reprs and init."""
from __future__ import annotations

import math
import os
import re

import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_module, check_raises, randn
from suanzi.ops import conv as conv_ops

F32 = dict(rtol=1e-4, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)


def _spatial(nd, base=(7, 6, 5)):
    return tuple(base[:nd])


def _fn(lib, name):
    return getattr(lib.nn.functional, name)


# ------------------------------------------------------------------ F.convNd
CONV_CASES = [
    # stride, padding, dilation, groups, bias
    (1, 0, 1, 1, True),
    (2, 1, 1, 1, False),
    (1, "same", 1, 1, True),
    (1, "same", 2, 2, True),
    (1, "valid", 1, 1, True),
    (3, 2, 2, 1, True),
    (2, 0, 1, 4, True),
    ("tuple", "tuple", "tuple", 2, True),
]


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_parity(nd, case):
    stride, padding, dilation, groups, bias = case
    if stride == "tuple":
        stride = (1, 2, 1)[:nd]
        padding = (1, 0, 2)[:nd]
        dilation = (2, 1, 1)[:nd]
    C, Co = 4, 8
    x = randn(2, C, *_spatial(nd))
    w = randn(Co, C // groups, *((3,) * nd))
    args = [x, w] + ([randn(Co)] if bias else [])
    check(lambda lib, x, w, *b: _fn(lib, f"conv{nd}d")(x, w, b[0] if b else None, stride,
                                                        padding, dilation, groups),
          *args, **F32)


@pytest.mark.parametrize("k", [2, 4])
def test_conv_same_even_kernel_asymmetric(k):
    # total padding odd: the extra pixel goes to the right/bottom
    x, w = randn(1, 3, 6, 5), randn(2, 3, k, k + 1)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding="same"), x, w, **F32)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding="same", dilation=(1, 2)),
          x, w, **F32)


def test_conv_depthwise_and_multiplier():
    x = randn(2, 6, 9, 8)
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, padding=1, groups=6),
          x, randn(6, 1, 3, 3), randn(6), **F32)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=2, padding=2, groups=6),
          x, randn(12, 1, 5, 5), **F32)
    check(lambda lib, x, w: lib.nn.functional.conv1d(x, w, groups=3),
          randn(2, 3, 10), randn(3, 1, 4), **F32)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("mult,dilation,padding", [(1, 1, 1), (2, 1, 0), (1, 2, "same"),
                                                   (3, (2, 1, 1), 2)])
def test_conv_depthwise_stride1(nd, mult, dilation, padding):
    # depthwise (groups == C) with channel multipliers, dilation and asymmetric
    # 'same' padding, values and all three gradients
    if isinstance(dilation, tuple):
        dilation = dilation[:nd]
    C = 3
    x = randn(2, C, *_spatial(nd, (6, 5, 4)))
    w = randn(C * mult, 1, *((3, 2, 3)[:nd]))
    check(lambda lib, x, w, b: _fn(lib, f"conv{nd}d")(x, w, b, 1, padding, dilation, C),
          x, w, randn(C * mult), **F32)


def test_conv_depthwise_noncontiguous_input():
    x = randn(2, 4, 7, 6)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x.transpose(2, 3), w, padding=1,
                                                     groups=4),
          x, randn(4, 1, 3, 3), **F32)


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 0), (1, 1), (3, 2)])
def test_conv_1x1(stride, padding):
    x = randn(3, 8, 7, 9)
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, stride, padding),
          x, randn(5, 8, 1, 1), randn(5), **F32)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, None, stride, padding, 1, 2),
          x, randn(6, 4, 1, 1), **F32)


def test_conv_unbatched_and_empty_batch():
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, padding=1),
          randn(3, 6, 5), randn(4, 3, 3, 3), randn(4), **F32)
    check(lambda lib, x, w: lib.nn.functional.conv1d(x, w, stride=2), randn(3, 9),
          randn(4, 3, 3), **F32)
    check(lambda lib, x, w: lib.nn.functional.conv3d(x, w, padding="same"),
          randn(2, 4, 5, 3), randn(4, 2, 3, 3, 3), **F32)
    s, t = check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, padding=1),
                 randn(0, 3, 5, 5), randn(4, 3, 3, 3), randn(4), **F32)
    assert tuple(s.shape) == (0, 4, 5, 5)
    check(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, stride=2),
          randn(0, 3, 4, 4), randn(3, 2, 3, 3), **F32)
    check(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, stride=2, padding=1),
          randn(3, 4, 4), randn(3, 2, 3, 3), **F32)


def test_conv_float64_and_non_contiguous():
    x = randn(2, 3, 6, 7, dtype=np.float64)
    w = randn(4, 3, 3, 2, dtype=np.float64)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=(2, 1), padding=(1, 0)),
          x, w, rtol=1e-10, atol=1e-12)
    check(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x.transpose(2, 3), w),
          randn(2, 4, 6, 7), randn(4, 3, 3, 2), **F32)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x.transpose(2, 3), w),
          randn(2, 3, 6, 7), randn(4, 3, 1, 1), **F32)


def test_conv_integer_and_half_dtypes():
    xi = np.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5) % 7
    wi = np.arange(4 * 3 * 3 * 3).reshape(4, 3, 3, 3) % 5 - 2
    for dt in (np.int64, np.int32):
        check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1), xi.astype(dt),
              wi.astype(dt), grad=False)
    check(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, stride=2),
          xi, np.moveaxis(wi, 0, 1), grad=False)
    check_raises(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w),
                 xi.astype(np.int32), np.moveaxis(wi, 0, 1).astype(np.int32))
    check(lambda lib, x, w: lib.nn.functional.conv2d(x.half(), w.half()).float(),
          randn(1, 3, 5, 5), randn(2, 3, 3, 3), grad=False, rtol=2e-3, atol=2e-3)


# ------------------------------------------------------------------ F.conv_transposeNd
TCASES = [
    # stride, padding, output_padding, groups, dilation, bias
    (1, 0, 0, 1, 1, True),
    (2, 1, 1, 1, 1, False),
    (2, 0, 0, 2, 2, True),
    (3, 2, 2, 1, 1, True),
    (1, 1, 1, 1, 2, True),  # output_padding < dilation with stride 1
    ("tuple", "tuple", "tuple", 2, "tuple", True),
]


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("case", TCASES)
def test_conv_transpose_parity(nd, case):
    stride, padding, output_padding, groups, dilation, bias = case
    if stride == "tuple":
        stride = (2, 1, 3)[:nd]
        padding = (1, 0, 1)[:nd]
        output_padding = (1, 0, 2)[:nd]
        dilation = (1, 2, 1)[:nd]
    Cin, Cout = 4, 6
    x = randn(2, Cin, *_spatial(nd, (5, 4, 3)))
    w = randn(Cin, Cout // groups, *((3,) * nd))
    args = [x, w] + ([randn(Cout)] if bias else [])
    check(lambda lib, x, w, *b: _fn(lib, f"conv_transpose{nd}d")(
        x, w, b[0] if b else None, stride, padding, output_padding, groups, dilation),
        *args, **F32)


def test_conv_transpose_is_conv_input_gradient():
    x = torch.randn(2, 3, 9, 8, requires_grad=True)
    w = torch.randn(5, 3, 3, 3)
    y = torch.nn.functional.conv2d(x, w, stride=2, padding=1)
    g = torch.randn(y.shape)
    (gx,) = torch.autograd.grad(y, x, g)
    s = suanzi.nn.functional.conv_transpose2d(suanzi.from_numpy(g.numpy()),
                                              suanzi.from_numpy(w.numpy()), stride=2,
                                              padding=1, output_padding=(0, 1))
    np.testing.assert_allclose(s.numpy(), gx.numpy(), rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------ chunked columns
@pytest.mark.parametrize("block", [1, 600, 5000])
def test_conv_chunked_columns(monkeypatch, block):
    """Tiny column blocks exercise the batch chunks, the row chunks and the
    chunks over an inner output dim (3-D); results must not change."""
    monkeypatch.setattr(conv_ops, "_COL_BLOCK_BYTES", block)
    x = randn(3, 4, 7, 6)
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, stride=(1, 2), padding=1),
          x, randn(6, 4, 3, 3), randn(6), **F32)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1, groups=4),
          x, randn(8, 1, 3, 3), **F32)
    check(lambda lib, x, w: lib.nn.functional.conv3d(x, w, padding=(1, 0, 1)),
          randn(2, 2, 4, 5, 3), randn(3, 2, 2, 3, 2), **F32)
    check(lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, stride=2,
                                                                   padding=1, output_padding=1),
          x, randn(4, 3, 3, 3), randn(3), **F32)


def test_column_buffer_limit_caps_block(monkeypatch):
    monkeypatch.setattr(conv_ops, "COL_BUFFER_LIMIT", 1000)
    chunks = list(conv_ops._chunks(4, (10, 10), 40))
    assert len(chunks) > 4  # 4000 bytes per image: split inside each image
    for n0, n1, idx in chunks:
        rows = idx[-1].stop - idx[-1].start
        assert rows * 10 * 40 <= 1000
    monkeypatch.setattr(conv_ops, "COL_BUFFER_LIMIT", 256 << 20)
    assert len(list(conv_ops._chunks(4, (10, 10), 40))) == 1


# ------------------------------------------------------------------ gradcheck
def test_gradcheck_float64():
    gc = suanzi.autograd.gradcheck
    F = suanzi.nn.functional

    def t(*shape):
        return suanzi.from_numpy(randn(*shape, dtype=np.float64)).requires_grad_()

    assert gc(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=1, groups=2),
              (t(1, 4, 5, 4), t(4, 2, 3, 2), t(4)))
    assert gc(lambda x, w: F.conv1d(x, w, padding="same", dilation=2), (t(2, 2, 6), t(3, 2, 2)))
    assert gc(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                 output_padding=1, groups=1, dilation=1),
              (t(1, 2, 3, 3), t(2, 3, 3, 2), t(3)))
    assert gc(lambda x, w: F.conv3d(x, w, padding=1), (t(1, 1, 3, 3, 3), t(2, 1, 2, 2, 2)))
    assert gc(lambda x: F.pad(x, (2, 1, -1, 2), mode="reflect"), (t(1, 2, 4, 5),))
    assert gc(lambda x: F.pad(x, (2, 3, 1, 0), mode="replicate"), (t(2, 3, 4),))
    assert gc(lambda x: F.pad(x, (1, 2, 0, 3), mode="circular"), (t(1, 2, 4, 5),))
    assert gc(lambda x: F.pad(x, (1, -2, 2, 0), value=1.5), (t(2, 3, 4),))


# ------------------------------------------------------------------ modules
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, "same", (2, 0)])
def test_conv2d_module_padding_modes(mode, padding):
    check_module(lambda lib: lib.nn.Conv2d(4, 6, (3, 2), padding=padding, padding_mode=mode,
                                           groups=2), randn(2, 4, 5, 6), **F32)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "circular"])
def test_conv1d_conv3d_modules(mode):
    check_module(lambda lib: lib.nn.Conv1d(3, 4, 3, stride=2, padding=1, dilation=2,
                                           padding_mode=mode), randn(2, 3, 11), **F32)
    check_module(lambda lib: lib.nn.Conv3d(2, 4, (3, 2, 3), padding="same", bias=False,
                                           padding_mode=mode), randn(1, 2, 4, 5, 3), **F32)
    check_module(lambda lib: lib.nn.Conv2d(3, 4, 3, padding=1, padding_mode=mode),
                 randn(3, 5, 6), **F32)  # unbatched


def test_conv_module_float64():
    check_module(lambda lib: lib.nn.Conv2d(3, 4, 3, stride=2, dtype=lib.float64),
                 randn(2, 3, 7, 7, dtype=np.float64))


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_modules(nd):
    cls = f"ConvTranspose{nd}d"
    check_module(lambda lib: getattr(lib.nn, cls)(4, 6, 3, stride=2, padding=1,
                                                   output_padding=1, groups=2, dilation=1),
                 randn(2, 4, *_spatial(nd, (4, 3, 3))), **F32)
    check_module(lambda lib: getattr(lib.nn, cls)(4, 3, 2, bias=False, dilation=2),
                 randn(4, *_spatial(nd, (4, 3, 3))), **F32)


@pytest.mark.parametrize("size", [[9, 9], [10, 10], [9, 10], [2, 4, 10, 9]])
def test_conv_transpose_output_size(size):
    check_module(lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1),
                 randn(2, 4, 5, 5), call=lambda m, x: m(x, output_size=size), **F32)


def test_conv_transpose_output_size_unbatched_and_size_object():
    check_module(lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, stride=3, padding=1),
                 randn(4, 5, 5), call=lambda m, x: m(x, output_size=[4, 14, 15]), **F32)
    check_module(lambda lib: lib.nn.ConvTranspose1d(2, 2, 3, stride=2),
                 randn(1, 2, 5), call=lambda m, x: m(x, output_size=(12,)), **F32)
    # the size of a tensor, as in the lesson
    x = randn(1, 4, 12, 12)
    for lib in (torch, suanzi):
        down = lib.nn.Conv2d(4, 4, 3, stride=2, padding=1)
        up = lib.nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1)
        xi = lib.from_numpy(x)
        assert tuple(up(down(xi), output_size=xi.size()).shape) == (1, 4, 12, 12)


# ------------------------------------------------------------------ module errors
MODULE_ERRORS = [
    lambda lib: lib.nn.Conv2d(4, 4, 3, groups=0),
    lambda lib: lib.nn.Conv2d(4, 4, 3, groups=-1),
    lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 4, 3, padding="full"),
    lambda lib: lib.nn.Conv2d(4, 4, 3, padding="same", stride=2),
    lambda lib: lib.nn.Conv1d(4, 4, 3, padding="same", stride=(2,)),
    lambda lib: lib.nn.Conv2d(4, 4, 3, padding_mode="zero"),
    lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
    lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, groups=3),
]


@pytest.mark.parametrize("i", range(len(MODULE_ERRORS)))
def test_module_constructor_errors(i):
    check_raises(MODULE_ERRORS[i])


def test_module_errors_suanzi_stricter():
    # torch builds these and fails (or misbehaves) later; suanzi refuses up front
    with pytest.raises(ValueError):
        suanzi.nn.Conv2d(4, 4, 3, padding=(1, 1, 1, 1))
    with pytest.raises(ValueError):
        suanzi.nn.Conv2d(4, 4, (3, 3, 3))
    with pytest.raises(ValueError):
        suanzi.nn.ConvTranspose2d(4, 4, 3, padding="same")


@pytest.mark.parametrize("size", [[11, 11], [8, 9], [9], [1, 9, 9], [1, 2, 3, 9, 9]])
def test_conv_transpose_output_size_errors(size):
    def fn(lib, x):
        m = lib.nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1)
        return m(x, output_size=size)
    check_raises(fn, randn(2, 4, 5, 5))


# ------------------------------------------------------------------ functional errors
def _c2(lib, x, w, *a, **k):
    return lib.nn.functional.conv2d(x, w, *a, **k)


F_ERRORS = [
    # channel mismatch
    (lambda lib, x, w: _c2(lib, x, w), (1, 4, 7, 7), (8, 3, 3, 3),
     "Given groups=1, weight of size [8, 3, 3, 3], expected input[1, 4, 7, 7] to have 3 "
     "channels, but got 4 channels instead"),
    (lambda lib, x, w: _c2(lib, x, w), (7, 7), (8, 3, 3, 3), "Expected 3D (unbatched) or 4D"),
    (lambda lib, x, w: _c2(lib, x, w), (1, 1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv1d(x, w), (1, 3, 7, 7), (8, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv3d(x, w), (7, 7), (8, 3, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w), (1, 3, 7, 7), (8, 3, 9, 9),
     "Kernel size can't be greater than actual input size"),
    (lambda lib, x, w: _c2(lib, x, w, padding="valid"), (1, 3, 7, 7), (8, 3, 9, 9), None),
    (lambda lib, x, w: _c2(lib, x, w, dilation=4), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w), (1, 3, 0, 5), (8, 3, 1, 1), None),
    (lambda lib, x, w: _c2(lib, x, w, stride=0), (1, 3, 7, 7), (8, 3, 3, 3),
     "non-positive stride"),
    (lambda lib, x, w: _c2(lib, x, w, stride=(1, -1)), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w, padding=-1), (1, 3, 7, 7), (8, 3, 3, 3),
     "negative padding"),
    (lambda lib, x, w: _c2(lib, x, w, dilation=0), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w, groups=0), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w, groups=2), (1, 4, 7, 7), (5, 2, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w, groups=2), (1, 4, 7, 7), (4, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w, padding="same", stride=2), (1, 3, 7, 7), (8, 3, 3, 3),
     "not supported for strided"),
    (lambda lib, x, w: _c2(lib, x, w, padding="full"), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w, stride=(1, 1, 1)), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w, padding=(1, 1, 1, 1)), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w, stride=1.0), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w, padding=1.5), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w), (1, 3, 7, 7), (8, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w), (1, 3, 5, 5), (8, 3, 0, 3), None),
    (lambda lib, x, w: _c2(lib, x, w), (1, 3, 5, 5), (0, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w.double()), (1, 3, 7, 7), (8, 3, 3, 3), "expected scalar"),
    (lambda lib, x, w: _c2(lib, x.double(), w), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x, w.long()), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x.half(), w), (1, 3, 7, 7), (8, 3, 3, 3), None),
    (lambda lib, x, w: _c2(lib, x.bool(), w.bool()), (1, 3, 7, 7), (8, 3, 3, 3), None),
    # conv_transpose
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, stride=2, output_padding=2),
     (1, 8, 5, 5), (8, 3, 3, 3), "output padding must be smaller"),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, dilation=2, output_padding=2),
     (1, 8, 5, 5), (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, output_padding=-1),
     (1, 8, 5, 5), (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, output_padding=(1, 1, 1)),
     (1, 8, 5, 5), (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, padding=5), (1, 8, 5, 5),
     (8, 3, 3, 3), "Output size is too small"),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, padding=(0, 7)), (1, 8, 5, 5),
     (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w), (1, 7, 5, 5), (8, 3, 3, 3),
     "Given transposed=1"),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, padding="same"),
     (1, 8, 5, 5), (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w), (5, 5), (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, padding=-1), (1, 8, 5, 5),
     (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, groups=3), (1, 8, 5, 5),
     (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, stride=0), (1, 8, 5, 5),
     (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, dilation=0), (1, 8, 5, 5),
     (8, 3, 3, 3), None),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x.double(), w), (1, 8, 5, 5),
     (8, 3, 3, 3), None),
]


@pytest.mark.parametrize("i", range(len(F_ERRORS)))
def test_functional_errors(i):
    fn, xs, ws, text = F_ERRORS[i]
    s_err, _ = check_raises(fn, randn(*xs), randn(*ws))
    if text:
        assert text in str(s_err)


def test_bias_errors():
    x, w = randn(1, 3, 7, 7), randn(8, 3, 3, 3)
    s, _ = check_raises(lambda lib, x, w, b: _c2(lib, x, w, b), x, w, randn(7))
    assert "expected bias to be 1-dimensional with 8 elements" in str(s)
    check_raises(lambda lib, x, w, b: _c2(lib, x, w, b), x, w, randn(8, 1))
    s, _ = check_raises(lambda lib, x, w, b: _c2(lib, x, w, b.double()), x, w, randn(8))
    assert "Input type (float) and bias type (double)" in str(s)
    check_raises(lambda lib, x, w, b: _c2(lib, x, w, b.long()), x, w, randn(8))
    check_raises(lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b),
                 randn(1, 8, 5, 5), w, randn(8))
    check_raises(lambda lib, w: _c2(lib, [1.0], w), w)


# ------------------------------------------------------------------ repr & init
REPR_CASES = [
    lambda nn: nn.Conv2d(16, 33, 3, stride=2),
    lambda nn: nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2)),
    lambda nn: nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1)),
    lambda nn: nn.Conv1d(4, 8, 3, padding="same", bias=False, padding_mode="reflect"),
    lambda nn: nn.Conv3d(4, 8, 3, groups=2, padding="valid", padding_mode="circular"),
    lambda nn: nn.Conv2d(4, 8, 1, padding_mode="replicate", dilation=2),
    lambda nn: nn.ConvTranspose2d(16, 33, 3, stride=2),
    lambda nn: nn.ConvTranspose2d(16, 32, (3, 5), stride=(2, 1), padding=(4, 2),
                                  output_padding=1, groups=2, dilation=2),
    lambda nn: nn.ConvTranspose1d(2, 4, 3, bias=False),
    lambda nn: nn.ConvTranspose3d(2, 4, (1, 2, 3), output_padding=(0, 0, 0)),
    lambda nn: nn.Sequential(nn.Conv2d(3, 8, 3), nn.ConvTranspose2d(8, 3, 3)),
]


@pytest.mark.parametrize("i", range(len(REPR_CASES)))
def test_repr(i):
    t, s = REPR_CASES[i](torch.nn), REPR_CASES[i](suanzi.nn)
    assert repr(s) == repr(t)
    assert list(s.state_dict()) == list(t.state_dict())
    for (ks, vs), (kt, vt) in zip(s.state_dict().items(), t.state_dict().items()):
        assert tuple(vs.shape) == tuple(vt.shape), ks
        assert str(vs.dtype) == str(vt.dtype).replace("torch.", "suanzi.") or \
            str(vs.dtype).split(".")[-1] == str(vt.dtype).split(".")[-1]


def test_module_attributes():
    for lib in (torch, suanzi):
        m = lib.nn.Conv2d(4, 6, (3, 5), padding="same", dilation=(2, 1), padding_mode="reflect")
        assert m._reversed_padding_repeated_twice == [2, 2, 2, 2]
        m = lib.nn.Conv1d(4, 6, 4, padding="same")
        assert m._reversed_padding_repeated_twice == [1, 2]
        m = lib.nn.ConvTranspose2d(4, 6, 3, groups=2, padding=(1, 2))
        assert (m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding,
                m.output_padding, m.dilation, m.groups, m.transposed) == \
            (4, 6, (3, 3), (1, 1), (1, 2), (0, 0), (1, 1), 2, True)


@pytest.mark.parametrize("make,fan_in", [
    (lambda nn: nn.Conv2d(8, 16, (3, 5), groups=2), 4 * 15),
    (lambda nn: nn.Conv1d(3, 5, 7), 21),
    (lambda nn: nn.ConvTranspose2d(8, 12, 3, groups=2), 6 * 9),
    (lambda nn: nn.Conv3d(2, 64, 3), 54),
])
def test_default_init_distribution(make, fan_in):
    suanzi.manual_seed(0)
    m = make(suanzi.nn)
    bound = 1 / math.sqrt(fan_in)
    w = m.weight.detach().numpy().copy()
    assert np.abs(w).max() <= bound + 1e-7
    # kaiming_uniform(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)): std = bound / sqrt(3)
    assert abs(w.std() - bound / math.sqrt(3)) < 0.15 * bound
    b = m.bias.detach().numpy()
    assert np.abs(b).max() <= bound + 1e-7 and np.abs(b).max() > 0
    assert m.weight.dtype == suanzi.float32
    m.reset_parameters()
    assert not np.array_equal(m.weight.detach().numpy(), w)


def test_module_device_and_dtype():
    m = suanzi.nn.Conv2d(2, 3, 3, dtype=suanzi.float64, device="cpu")
    assert m.weight.dtype == suanzi.float64 and m.bias.dtype == suanzi.float64
    with pytest.raises(Exception):
        suanzi.nn.Conv2d(2, 3, 3, device="cuda")


# ------------------------------------------------------------------ F.pad
PAD_CASES = [
    ("constant", (1, 2), (2, 3, 4, 5)),
    ("constant", (2, 1, 0, 3), (2, 3, 4, 5)),
    ("constant", (-1, 2, 1, -2), (2, 3, 4, 5)),
    ("constant", (1, 1, 1, 1, 1, 1, 1, 1), (2, 3, 4, 5)),
    ("constant", (1, 2), (5,)),
    ("constant", (-5, 0), (2, 5)),
    ("reflect", (2, 1), (2, 3, 4)),
    ("reflect", (2, 1), (3, 4)),
    ("reflect", (3, 3, 1, 2), (1, 2, 4, 5)),
    ("reflect", (-1, 2, 1, -1), (2, 3, 4, 5)),
    ("reflect", (1, 2, 2, 1, 1, 1), (1, 2, 3, 4, 5)),
    ("reflect", (1, 1, 1, 1, 1, 1), (2, 3, 4, 5)),
    ("replicate", (3, 1), (2, 3, 4)),
    ("replicate", (7, -2, 0, 5), (2, 3, 4, 5)),
    ("replicate", (-4, 5), (1, 1, 4)),
    ("replicate", (1, 2, 3, 1, 2, 2), (1, 2, 2, 3, 4)),
    ("circular", (2, 1), (2, 3, 4)),
    ("circular", (4, 0, 1, 3), (1, 2, 4, 4)),
    ("circular", (-1, 2), (1, 1, 4)),
    ("circular", (1, 2, 1, 1, 2, 1), (1, 2, 3, 4, 5)),
    ("circular", (1, 1), (0, 2, 3)),
    ("reflect", (1, 1), (0, 2, 3)),
]


@pytest.mark.parametrize("mode,p,shape", PAD_CASES)
def test_pad_parity(mode, p, shape):
    check(lambda lib, x: lib.nn.functional.pad(x, p, mode=mode), randn(*shape))


def test_pad_values_and_dtypes():
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 2), value=2.5), randn(2, 3))
    check(lambda lib, x: lib.nn.functional.pad(x, [1, 2], "constant", float("inf")),
          randn(2, 3))
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 1), mode="reflect", value=0.0),
          randn(2, 3))
    ints = np.arange(6).reshape(2, 3)
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 1), value=2.7), ints)
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 1), value=-2.7), ints.astype(np.int32))
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 1), value=1), ints > 2)
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 1), mode="circular"), ints > 2)
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 1), mode="reflect"), ints[None])
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 0), mode="replicate"),
          randn(2, 3, dtype=np.float64))
    check(lambda lib, x: lib.nn.functional.pad(x, (0, 0)), randn(2, 3))
    s, _ = check(lambda lib, x: lib.nn.functional.pad(x, (0, 0), mode="reflect"), randn(2, 3))


def test_pad_returns_new_storage():
    x = suanzi.randn(2, 3)
    for mode in ("constant", "reflect", "replicate", "circular"):
        y = suanzi.nn.functional.pad(x, (0, 0), mode=mode)
        y.add_(1)
        assert not np.array_equal(x.numpy(), y.numpy())


PAD_ERRORS = [
    ((2, 3), (1, 2, 3), "constant", None),          # odd length
    ((2, 3), (1,) * 6, "constant", None),            # too long
    ((), (1, 1), "constant", None),                  # 0-d
    ((2, 5), (-3, -3), "constant", None),            # negative size
    ((1, 5), (-6, 0), "constant", None),
    ((1, 2, 4), (1, 1), "foo", None),
    ((1, 2, 4), (1, 1), "reflect", 1.0),             # value with reflect
    ((1, 2, 4), (1, 1), "replicate", 3),
    ((3,), (1, 1), "reflect", None),                 # 1-D input
    ((1, 2, 4, 5), (1, 1), "reflect", None),         # 4-D with 1 padded dim
    ((1, 1, 3, 3, 3), (1, 1, 1, 1), "reflect", None),
    ((1, 2, 4, 5), (1,) * 8, "reflect", None),
    ((1, 2, 4), (4, 0), "reflect", None),            # pad >= size
    ((1, 2, 4), (0, 4), "reflect", None),
    ((1, 2, 4), (-4, 5), "reflect", None),
    ((1, 2, 4), (5, 0), "circular", None),           # wraps more than once
    ((1, 1, 4), (2, -3), "circular", None),         # the pad overlaps its source
    ((1, 2, 0), (1, 1), "circular", None),
    ((1, 2, 0), (1, 1), "reflect", None),
    ((1, 0, 3), (1, 1), "replicate", None),
]


@pytest.mark.parametrize("shape,p,mode,value", PAD_ERRORS)
def test_pad_errors(shape, p, mode, value):
    check_raises(lambda lib, x: lib.nn.functional.pad(x, p, mode=mode, value=value),
                 randn(*shape))


def test_pad_type_errors():
    x = randn(1, 2, 3)
    check_raises(lambda lib, x: lib.nn.functional.pad(x, (1.0, 1)), x)
    check_raises(lambda lib, x: lib.nn.functional.pad(x, lib.tensor([1, 1])), x)
    check_raises(lambda lib, x: lib.nn.functional.pad(x, (1, 1), mode=None), x)
    check_raises(lambda lib, x: lib.nn.functional.pad(x.bool(), (1, 1), mode="reflect"), x)
    check_raises(lambda lib, x: lib.nn.functional.pad(x.bool(), (1, 1), mode="replicate"), x)
    check_raises(lambda lib: lib.nn.functional.pad(lib.ones(3, dtype=lib.uint8), (1, 1),
                                                   value=300))


def test_pad_double_backward_constant():
    x = suanzi.randn(2, 3, requires_grad=True)
    y = suanzi.nn.functional.pad(x, (1, 2), value=1.0)
    (g,) = suanzi.autograd.grad((y ** 2).sum(), x, create_graph=True)
    (gg,) = suanzi.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.full((2, 3), 2.0, np.float32))


def test_conv_double_backward_raises():
    x = suanzi.randn(1, 2, 4, 4, requires_grad=True)
    w = suanzi.randn(3, 2, 3, 3, requires_grad=True)
    y = suanzi.nn.functional.conv2d(x, w)
    (g,) = suanzi.autograd.grad(y.sum(), x, create_graph=True)
    with pytest.raises(RuntimeError):
        suanzi.autograd.grad(g.sum(), w)


def test_grad_fn_name():
    x = suanzi.randn(1, 2, 4, 4, requires_grad=True)
    w = suanzi.randn(3, 2, 3, 3)
    assert suanzi.nn.functional.conv2d(x, w).grad_fn.name() == "ConvolutionBackward0"
    assert suanzi.nn.functional.conv_transpose2d(x, w.transpose(0, 1)).grad_fn.name() == \
        "ConvolutionBackward0"
    assert suanzi.nn.functional.pad(x, (1, 1)).grad_fn.name() == "ConstantPadNdBackward0"


# ------------------------------------------------------------------ the lesson
LESSON = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "seed",
                      "operators-lesson.md")


def _lesson_blocks(section):
    text = open(LESSON, encoding="utf-8").read()
    start = text.index(f"## {section}")
    end = text.index("\n## ", start + 3)
    return re.findall(r"```python\n(.*?)```", text[start:end], re.S)


@pytest.mark.skipif(not os.path.exists(LESSON), reason="lesson not available")
@pytest.mark.parametrize("section", ["1.1", "1.2"])
def test_lesson_conv_blocks(section):
    """Each block of §1.1/§1.2 runs with suanzi as ``torch``; the shapes of
    every tensor it leaves behind match torch's."""
    for code in _lesson_blocks(section):
        body = "\n".join(line for line in code.splitlines()
                         if not line.startswith("import torch"))
        results = {}
        for lib in (torch, suanzi):
            lib.manual_seed(0)
            ns = {"torch": lib, "nn": lib.nn}
            exec(body, ns)
            results[lib.__name__] = {k: tuple(v.shape) for k, v in ns.items()
                                     if hasattr(v, "shape") and hasattr(v, "dim")}
        assert results["suanzi"] == results["torch"]
        assert results["suanzi"]["output"]
