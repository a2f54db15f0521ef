"""Convolution, transposed convolution and padding (``F.conv1d/2d/3d``,
``F.conv_transpose1d/2d/3d``, ``F.pad``), written once for N spatial dims.

Forward (conv): pad the input once, take the strided window view
``(N, C, *K, *O)`` of it (``as_strided``), copy one cache-sized block of it
into a column buffer laid out ``(C·K, n·L)`` (im2col), and multiply by the
weight ``(g, Co/g, Cg·K)`` — one BLAS matmul per block, batched over groups
(a depthwise conv is one batched matvec). The batch (and, for big images, the
first output dims) is processed in blocks of about ``_COL_BLOCK_BYTES`` so
the columns stay in cache; the column buffer never exceeds
``COL_BUFFER_LIMIT``. A 1×1 conv with stride 1 and no padding is a pure
matmul on the input, without columns.

Backward (``once_differentiable``, NumPy): grad_weight is one matmul per
block (gout · columnsᵀ, the columns rebuilt block by block); grad_input is,
for stride 1, the same im2col conv applied to the padded output gradient
with the flipped, transposed weight, and otherwise weightᵀ · gout followed
by col2im — a scatter-add of the columns into the padded input through
strided views, one add per kernel offset; grad_bias is a sum.

A transposed conv is the gradient of a conv with respect to its input: its
forward is that col2im path and its backward the conv forward (grad_input)
and the conv weight gradient, sharing the same kernels.
"""
from __future__ import annotations

import itertools
import numbers

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import _dtype as D
from ..autograd.function import Function
from .._tensor import Tensor
from .linalg import _C_NAMES, _T_NAMES

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "pad"]

#: hard bound (bytes) on the im2col column buffer: the batch is processed in
#: chunks so that one chunk's columns never exceed it
COL_BUFFER_LIMIT = 256 << 20
#: preferred chunk size (bytes): small enough that a chunk's columns stay in
#: the last-level cache between the copy and the matmul (measured ~1.3x faster
#: than one big buffer); never above COL_BUFFER_LIMIT
_COL_BLOCK_BYTES = 4 << 20


# ====================================================================== kernels
def _prod(t):
    p = 1
    for v in t:
        p *= v
    return p


def _window(xp, K, O, stride, dil):
    """The view (N, C, *K, *O) of the padded input: element
    [n, c, k.., o..] = xp[n, c, o·stride + k·dil ..]."""
    st = xp.strides
    sp = st[2:]
    return as_strided(xp, xp.shape[:2] + tuple(K) + tuple(O),
                      st[:2] + tuple(a * d for a, d in zip(sp, dil))
                      + tuple(a * s for a, s in zip(sp, stride)))


def _chunks(N, O, unit):
    """Blocks of the (batch, *output) index space whose columns take about
    ``_COL_BLOCK_BYTES`` (``unit``: bytes of columns per output position of
    one image). Yields (n0, n1, idx): idx indexes the output spatial dims
    (ints for fixed outer dims, then one slice)."""
    target = min(_COL_BLOCK_BYTES, COL_BUFFER_LIMIT)
    per = unit * _prod(O)
    if per == 0 or per * N <= target:
        yield 0, N, ()
        return
    if per <= target:
        nb = target // per
        for n0 in range(0, N, nb):
            yield n0, min(N, n0 + nb), ()
        return
    d = len(O)
    j = 1
    while j < d and unit * _prod(O[j:]) > target:
        j += 1
    rows = max(1, target // (unit * _prod(O[j:])))
    size = O[j - 1]
    outer = [range(o) for o in O[:j - 1]]
    for n in range(N):
        for fixed in itertools.product(*outer):
            for r0 in range(0, size, rows):
                yield n, n + 1, fixed + (slice(r0, min(size, r0 + rows)),)


def _block_cols(v, n0, n1, idx, nK, buf):
    """Copy one block of the window view into ``buf`` laid out (C, *K, nb, *Oc);
    returns (cols array of that shape, Oc)."""
    vc = v[(slice(n0, n1), slice(None)) + (slice(None),) * nK + idx]
    vt = np.moveaxis(vc, 0, 1 + nK)  # (C, *K, nb, *Oc)
    cols = buf[:vt.size].reshape(vt.shape)
    np.copyto(cols, vt)
    return cols, vc.shape[2 + nK:]


def _gout_block(gout, n0, n1, idx, g, Cog):
    """One block of the output gradient as (g, Cog, nb·l)."""
    gb = gout[(slice(n0, n1), slice(None)) + idx]  # (nb, Co, *Oc)
    nb = n1 - n0
    l = _prod(gb.shape[2:])
    if nb == 1:
        return gb.reshape(g, Cog, l)
    return np.ascontiguousarray(np.moveaxis(gb, 0, 1)).reshape(g, Cog, nb * l)


def _is_pointwise(v, K):
    """A 1×1 conv whose window view is the input itself (stride 1, no padding)."""
    return _prod(K) == 1 and v.flags.c_contiguous


def _conv_fwd(xp, w, b, O, stride, dil, groups):
    """Cross-correlation of the padded input xp (N, C, *Sp) with w (Co, C/g, *K)
    at output size O; b (Co,) or None."""
    N, C = xp.shape[:2]
    Co = w.shape[0]
    K = w.shape[2:]
    nK = len(K)
    g = groups
    Cog, Cg = Co // g, C // g
    Kp = _prod(K)
    out = np.empty((N, Co) + tuple(O), xp.dtype)
    if out.size == 0:
        return out
    wg = w.reshape(g, Cog, Cg * Kp)
    bg = None if b is None else b.reshape(g, Cog, 1)
    v = _window(xp, K, O, stride, dil)
    L = _prod(O)
    if _is_pointwise(v, K):  # 1x1: out[n] = W @ x[n], no columns
        dst = out.reshape(N, g, Cog, L)
        np.matmul(wg, xp.reshape(N, g, Cg, L), out=dst)
        if bg is not None:
            dst += bg
        return out
    buf = None
    for n0, n1, idx in _chunks(N, O, C * Kp * xp.itemsize):
        if buf is None:
            vc_size = (n1 - n0) * C * Kp * _prod(_block_shape(O, idx))
            buf = np.empty(vc_size, xp.dtype)
        cols, Oc = _block_cols(v, n0, n1, idx, nK, buf)
        nb, l = n1 - n0, _prod(Oc)
        cm = cols.reshape(g, Cg * Kp, nb * l)
        ob = out[(slice(n0, n1), slice(None)) + idx]  # (nb, Co, *Oc)
        if nb == 1:
            dst = np.reshape(ob, (g, Cog, l), copy=False)  # the block's trailing dims are whole
            np.matmul(wg, cm, out=dst)
            if bg is not None:
                dst += bg
        else:
            res = np.matmul(wg, cm)
            if bg is not None:
                res += bg
            np.copyto(ob, np.moveaxis(res.reshape((Co, nb) + tuple(Oc)), 1, 0))
    return out


def _block_shape(O, idx):
    """Spatial shape of an output block (the first chunk is the largest)."""
    if not idx:
        return tuple(O)
    sl = idx[-1]
    j = len(idx)
    return (sl.stop - sl.start,) + tuple(O[j:])


def _conv_bwd(xp, w, gout, O, stride, dil, groups, need_x, need_w, xp_shape=None):
    """Gradients of the conv for the padded input (N, C, *Sp) and the weight.

    ``xp`` is the padded input (needed for the weight gradient; may be None
    when only the input gradient is wanted, then ``xp_shape`` gives its
    shape). Returns (gxp or None, gw or None)."""
    shape = xp.shape if xp is not None else xp_shape
    dtype = gout.dtype
    N, C = shape[:2]
    Co = w.shape[0]
    K = w.shape[2:]
    nK = len(K)
    g = groups
    Cog, Cg = Co // g, C // g
    Kp = _prod(K)
    gxp = np.zeros(shape, dtype) if need_x else None
    gw = np.zeros((g, Cog, Cg * Kp), dtype) if need_w else None
    if gout.size == 0 or C == 0:
        return gxp, (None if gw is None else gw.reshape(w.shape))
    wg = w.reshape(g, Cog, Cg * Kp)
    wgT = wg.transpose(0, 2, 1)
    L = _prod(O)
    v = _window(xp, K, O, stride, dil) if need_w else None
    gv = _window(gxp, K, O, stride, dil) if need_x else None
    if _prod(K) == 1 and (gv if need_x else v).flags.c_contiguous:
        g4 = gout.reshape(N, g, Cog, L)
        if need_w:
            x4 = xp.reshape(N, g, Cg, L)
            gw[...] = np.matmul(g4, x4.transpose(0, 1, 3, 2)).sum(0)
        if need_x:
            np.matmul(wgT, g4, out=gxp.reshape(N, g, Cg, L))
        return gxp, (None if gw is None else gw.reshape(w.shape))
    buf = gbuf = None
    for n0, n1, idx in _chunks(N, O, C * Kp * np.dtype(dtype).itemsize):
        nb = n1 - n0
        Ob = _block_shape(O, idx)
        if buf is None:
            size = nb * C * Kp * _prod(Ob)
            buf = np.empty(size, dtype) if need_w else None
            gbuf = np.empty(size, dtype) if need_x else None
        gm = _gout_block(gout, n0, n1, idx, g, Cog)  # (g, Cog, nb*l)
        if need_w:
            cols, Oc = _block_cols(v, n0, n1, idx, nK, buf)
            cm = cols.reshape(g, Cg * Kp, -1)
            gw += np.matmul(gm, cm.transpose(0, 2, 1))
        if need_x:
            gvb = gv[(slice(n0, n1), slice(None)) + (slice(None),) * nK + idx]
            Oc = gvb.shape[2 + nK:]
            gc = gbuf[:C * Kp * nb * _prod(Oc)].reshape(g, Cg * Kp, nb * _prod(Oc))
            np.matmul(wgT, gm, out=gc)
            gc = gc.reshape((C,) + tuple(K) + (nb,) + tuple(Oc))
            gvt = np.moveaxis(gvb, 0, 1 + nK)  # (C, *K, nb, *Oc) view of gxp
            for k in np.ndindex(*K):  # col2im: one strided add per kernel offset
                sel = (slice(None),) + k
                t = gvt[sel]
                np.add(t, gc[sel], out=t)
    return gxp, (None if gw is None else gw.reshape(w.shape))


def _input_grad(gout, w, S, lo, hi, stride, dil, groups):
    """Gradient of the conv for its (unpadded) input, of spatial size S.

    Stride 1: a conv of the zero-padded output gradient with the flipped,
    transposed weight (im2col + one matmul per block, no scatter).
    Otherwise col2im into the padded input, then crop."""
    K = w.shape[2:]
    plo = tuple(d * (k - 1) - a for d, k, a in zip(dil, K, lo))
    phi = tuple(d * (k - 1) - a for d, k, a in zip(dil, K, hi))
    N, Co = gout.shape[:2]
    g = groups
    Cg = w.shape[1]
    if all(s == 1 for s in stride) and min(plo + phi, default=0) >= 0:
        wf = w.reshape((g, Co // g, Cg) + tuple(K)).swapaxes(1, 2)
        wf = np.ascontiguousarray(wf[(Ellipsis,) + (slice(None, None, -1),) * len(K)])
        wf = wf.reshape((g * Cg, Co // g) + tuple(K))
        return _conv_fwd(_pad_zeros(gout, plo, phi), wf, None, S, stride, dil, groups)
    full = (N, g * Cg) + tuple(s + a + max(b, 0) for s, a, b in zip(S, lo, hi))
    gxp, _ = _conv_bwd(None, w, gout, gout.shape[2:], stride, dil, groups, True, False, full)
    return _crop(gxp, lo, S)


def _pad_zeros(x, lo, hi):
    if not any(lo) and not any(hi):
        return x
    shape = x.shape[:2] + tuple(s + a + b for s, a, b in zip(x.shape[2:], lo, hi))
    xp = np.zeros(shape, x.dtype)
    xp[(slice(None), slice(None)) + tuple(slice(a, a + s) for a, s in zip(lo, x.shape[2:]))] = x
    return xp


def _crop(a, lo, size):
    if not any(lo) and tuple(a.shape[2:]) == tuple(size):
        return a
    return np.ascontiguousarray(
        a[(slice(None), slice(None)) + tuple(slice(p, p + s) for p, s in zip(lo, size))])


def _compute_dtype(dt):
    """Half precision computes in float32 (rounded once at the end)."""
    if dt == np.float16 or dt.kind == "V":
        return np.dtype(np.float32)
    return dt


def _cast(a, dt):
    return None if a is None else (a if a.dtype == dt else a.astype(dt))


# ====================================================================== Functions
class _Conv(Function):
    name = "ConvolutionBackward0"
    once_differentiable = True
    save_inputs = (0, 1)

    def forward(self, x, w, b, stride, lo, hi, dil, groups):
        self.args = (stride, lo, hi, dil, groups)
        cdt = _compute_dtype(x.dtype)
        xc, wc, bc = _cast(x, cdt), _cast(w, cdt), _cast(b, cdt)
        xp = _pad_zeros(xc, lo, hi)
        O = _conv_out_size(xp.shape[2:], w.shape[2:], stride, dil)
        out = _conv_fwd(xp, wc, bc, O, stride, dil, groups)
        return out if cdt == x.dtype else out.astype(x.dtype)

    def backward(self, gout):
        stride, lo, hi, dil, groups = self.args
        xt, wt = self.saved_tensors
        x, w = xt._data, wt._data
        nx, nw, nb = self.needs_input_grad
        cdt = _compute_dtype(x.dtype)
        xc, wc, gc = _cast(x, cdt), _cast(w, cdt), _cast(gout, cdt)
        gx = gw = None
        if nw:
            xp = _pad_zeros(xc, lo, hi)
            _, gw = _conv_bwd(xp, wc, gc, gout.shape[2:], stride, dil, groups, False, True)
        if nx:
            gx = _input_grad(gc, wc, x.shape[2:], lo, hi, stride, dil, groups)
        gb = gc.sum(axis=(0,) + tuple(range(2, gc.ndim))) if nb else None
        return (_cast(gx, x.dtype), _cast(gw, w.dtype), _cast(gb, x.dtype))


class _ConvTranspose(Function):
    name = "ConvolutionBackward0"
    once_differentiable = True
    save_inputs = (0, 1)

    def forward(self, x, w, b, stride, padding, out_size, dil, groups):
        self.args = (stride, padding, out_size, dil, groups)
        cdt = _compute_dtype(x.dtype)
        xc, wc, bc = _cast(x, cdt), _cast(w, cdt), _cast(b, cdt)
        out = _input_grad(xc, wc, out_size, padding,
                          tuple(p - (o - ((s - 1) * st - 2 * p + d * (k - 1) + 1))
                                for o, p, s, st, d, k in zip(out_size, padding, x.shape[2:],
                                                             stride, dil, w.shape[2:])),
                          stride, dil, groups)
        if bc is not None and out.size:
            out += bc.reshape((-1,) + (1,) * len(out_size))
        return out if cdt == x.dtype else out.astype(x.dtype)

    def backward(self, gout):
        stride, padding, out_size, dil, groups = self.args
        xt, wt = self.saved_tensors
        x, w = xt._data, wt._data
        nx, nw, nb = self.needs_input_grad
        cdt = _compute_dtype(x.dtype)
        xc, wc, gc = _cast(x, cdt), _cast(w, cdt), _cast(gout, cdt)
        gp = _pad_zeros(gc, padding, padding)
        gx = _conv_fwd(gp, wc, None, x.shape[2:], stride, dil, groups) if nx else None
        gw = None
        if nw:
            _, gw = _conv_bwd(gp, wc, xc, x.shape[2:], stride, dil, groups, False, True)
        gb = gc.sum(axis=(0,) + tuple(range(2, gc.ndim))) if nb else None
        return (_cast(gx, x.dtype), _cast(gw, w.dtype), _cast(gb, x.dtype))


def _conv_out_size(Sp, K, stride, dil):
    return tuple((s - d * (k - 1) - 1) // st + 1 for s, k, st, d in zip(Sp, K, stride, dil))


# ====================================================================== validation
def _tensor_arg(x, op, arg):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position {_POS[arg]}) must be Tensor, "
                        f"not {type(x).__name__}")
    return x


_POS = {"input": 1, "weight": 2, "bias": 3}


def _int_tuple(v, n, name, op):
    """An int or a sequence of ints expanded to n entries (torch's checks)."""
    if isinstance(v, (bool, np.bool_)) or isinstance(v, float):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, but got "
                        f"{type(v).__name__}")
    if isinstance(v, (numbers.Integral, np.integer)):
        return (int(v),) * n
    if isinstance(v, Tensor) or not hasattr(v, "__len__") or isinstance(v, str):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not "
                        f"{type(v).__name__}")
    out = []
    for e in v:
        if isinstance(e, (bool, np.bool_)) or not isinstance(e, (numbers.Integral, np.integer)):
            raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, but found "
                            f"element of type {type(e).__name__}")
        out.append(int(e))
    if len(out) == 1:
        return tuple(out) * n
    if len(out) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={out}")
    return tuple(out)


def _dims_str(t):
    return "(" + " x ".join(str(v) for v in t) + ")"


def _prepare(op, nd, input, weight, bias, transposed):
    """Shared checks; returns (x, weight, bias, unbatched)."""
    _tensor_arg(input, op, "input")
    _tensor_arg(weight, op, "weight")
    if bias is not None:
        _tensor_arg(bias, op, "bias")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{op}, but got input of size: {list(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected weight to be {nd + 2}-dimensional (out, in/groups, "
                           f"*kernel), but got weight of size {list(weight.shape)}")
    xdt, wdt = input._data.dtype, weight._data.dtype
    if xdt != wdt:
        raise RuntimeError(f"expected scalar type {_T_NAMES[_dn(xdt)]} but found "
                           f"{_T_NAMES[_dn(wdt)]}")
    if bias is not None and bias._data.dtype != xdt:
        raise RuntimeError(f"Input type ({_C_NAMES[_dn(xdt)]}) and bias type "
                           f"({_C_NAMES[_dn(bias._data.dtype)]}) should be the same")
    if xdt.kind not in "fiuV":
        raise NotImplementedError(f"\"slow_conv{nd}d_cpu\" not implemented for "
                                  f"'{_T_NAMES[_dn(xdt)]}'")
    unbatched = input.ndim == nd + 1
    return unbatched


def _dn(npdt):
    return D.from_numpy_dtype(npdt).name


def _check_common(xshape, wshape, bias, stride, dil, groups, transposed, pad_all):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in pad_all):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dil):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dil)}")
    if any(k <= 0 for k in wshape[2:]):
        raise RuntimeError(f"kernel size should be greater than zero, but got "
                           f"{list(wshape[2:])}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if wshape[0] < 1:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least 1 at "
                           f"dimension 0, but got weight of size {list(wshape)} instead")
    if wshape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size [{list(wshape)}] "
                           "instead")
    cin = wshape[0] if transposed else wshape[1] * groups
    if xshape[1] != cin:
        if transposed:
            raise RuntimeError(f"Given transposed=1, weight of size {list(wshape)}, expected "
                               f"input{list(xshape)} to have {cin} channels, but got "
                               f"{xshape[1]} channels instead")
        raise RuntimeError(f"Given groups={groups}, weight of size {list(wshape)}, expected "
                           f"input{list(xshape)} to have {cin} channels, but got "
                           f"{xshape[1]} channels instead")
    cout = wshape[1] * groups if transposed else wshape[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != cout):
        pre = "Given transposed=1, " if transposed else "Given "
        raise RuntimeError(f"{pre}weight of size {list(wshape)}, expected bias to be "
                           f"1-dimensional with {cout} elements, but got bias of size "
                           f"{list(bias.shape)} instead")


def _convnd(op, nd, input, weight, bias, stride, padding, dilation, groups):
    unbatched = _prepare(op, nd, input, weight, bias, False)
    stride = _int_tuple(stride, nd, "stride", op)
    dilation = _int_tuple(dilation, nd, "dilation", op)
    if isinstance(groups, (bool, float)) or not isinstance(groups, (numbers.Integral,
                                                                     np.integer)):
        raise TypeError(f"{op}(): argument 'groups' must be int, not {type(groups).__name__}")
    groups = int(groups)
    K = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            lo = hi = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            lo = tuple(d * (k - 1) // 2 for d, k in zip(dilation, K))
            hi = tuple(d * (k - 1) - a for d, k, a in zip(dilation, K, lo))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        lo = hi = _int_tuple(padding, nd, "padding", op)
    xshape = ((1,) if unbatched else ()) + tuple(input.shape)
    _check_common(xshape, tuple(weight.shape), bias, stride, dilation, groups, False, lo + hi)
    padded = tuple(s + a + b for s, a, b in zip(xshape[2:], lo, hi))
    ext = tuple(d * (k - 1) + 1 for d, k in zip(dilation, K))
    if any(p < e for p, e in zip(padded, ext)):
        raise RuntimeError(f"Calculated padded input size per channel: {_dims_str(padded)}. "
                           f"Kernel size: {_dims_str(ext)}. Kernel size can't be greater than "
                           "actual input size")
    x = input.unsqueeze(0) if unbatched else input
    out = _Conv.apply(x, weight, bias, stride=stride, lo=lo, hi=hi, dil=dilation,
                      groups=groups)
    return out.squeeze(0) if unbatched else out


def _conv_transposend(op, nd, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    unbatched = _prepare(op, nd, input, weight, bias, True)
    xdt = input._data.dtype
    if xdt.kind in "iu" and xdt != np.int64:
        raise NotImplementedError(f"\"slow_conv_transpose{nd}d_out_cpu\" not implemented for "
                                  f"'{_T_NAMES[_dn(xdt)]}'")
    if isinstance(padding, str):
        raise TypeError(f"{op}(): argument 'padding' must be tuple of ints, not str")
    stride = _int_tuple(stride, nd, "stride", op)
    padding = _int_tuple(padding, nd, "padding", op)
    output_padding = _int_tuple(output_padding, nd, "output_padding", op)
    dilation = _int_tuple(dilation, nd, "dilation", op)
    if isinstance(groups, (bool, float)) or not isinstance(groups, (numbers.Integral,
                                                                     np.integer)):
        raise TypeError(f"{op}(): argument 'groups' must be int, not {type(groups).__name__}")
    groups = int(groups)
    xshape = ((1,) if unbatched else ()) + tuple(input.shape)
    _check_common(xshape, tuple(weight.shape), bias, stride, dilation, groups, True, padding)
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(op_ >= s and op_ >= d for op_, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, "
                           f"but got output_padding={list(output_padding)} "
                           f"stride={list(stride)} dilation={list(dilation)}")
    K = tuple(weight.shape[2:])
    out_size = tuple((s - 1) * st - 2 * p + d * (k - 1) + o + 1 for s, st, p, d, k, o in
                     zip(xshape[2:], stride, padding, dilation, K, output_padding))
    if any(o < 1 for o in out_size):
        raise RuntimeError(f"Given input size per channel: {_dims_str(xshape[2:])}. Calculated "
                           f"output size per channel: {_dims_str(out_size)}. Output size is "
                           "too small")
    x = input.unsqueeze(0) if unbatched else input
    out = _ConvTranspose.apply(x, weight, bias, stride=stride, padding=padding,
                               out_size=out_size, dil=dilation, groups=groups)
    return out.squeeze(0) if unbatched else out


# ====================================================================== public
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation over (N, C, L) or (C, L); see :func:`conv2d`."""
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation (torch.nn.functional.conv2d): weight (out, in/groups, kH, kW);
    padding an int, a pair, 'valid' or 'same' (asymmetric, extra on the right)."""
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D cross-correlation over (N, C, D, H, W) or (C, D, H, W); see :func:`conv2d`."""
    return _convnd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """1-D transposed convolution; see :func:`conv_transpose2d`."""
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """2-D transposed convolution (the gradient of conv2d w.r.t. its input): weight
    (in, out/groups, kH, kW); note ``groups`` comes before ``dilation``."""
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """3-D transposed convolution; see :func:`conv_transpose2d`."""
    return _conv_transposend("conv_transpose3d", 3, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


# ====================================================================== pad
class _ConstantPad(Function):
    name = "ConstantPadNdBackward0"

    def forward(self, x, pads, value):
        # pads: ((lo, hi), ...) for the last len(pads) dims, in dim order
        lead = x.ndim - len(pads)
        src = [slice(None)] * lead
        dst = [slice(None)] * lead
        shape = list(x.shape[:lead])
        for (a, b), n in zip(pads, x.shape[lead:]):
            m = n + a + b
            shape.append(m)
            s0 = max(-a, 0)
            s1 = n - max(-b, 0)
            d0 = max(a, 0)
            src.append(slice(s0, s1))
            dst.append(slice(d0, d0 + max(s1 - s0, 0)))
        self.src, self.dst, self.in_shape = tuple(src), tuple(dst), x.shape
        out = np.full(shape, value, x.dtype)
        out[self.dst] = x[self.src]
        return out

    def backward(self, g):
        from .creation import zeros

        if self.src == self.dst and tuple(g.shape) == tuple(self.in_shape):
            return g
        gx = zeros(self.in_shape, dtype=g.dtype)
        gx[self.src] = g[self.dst]
        return gx


def _runs(idx):
    """Split an index map into runs with a constant step in {-1, 0, 1}:
    (out_start, out_stop, in_start, step)."""
    runs = []
    n = len(idx)
    i = 0
    while i < n:
        j = i + 1
        step = None
        while j < n:
            s = idx[j] - idx[j - 1]
            if step is None:
                if s not in (-1, 0, 1):
                    break
                step = s
            elif s != step:
                break
            j += 1
        runs.append((i, j, int(idx[i]), step or 0))
        i = j
    return runs


class _IndexPad(Function):
    """reflect / replicate / circular: a gather along each padded dim; the
    backward scatter-adds along the same maps (a few slice adds per dim)."""
    once_differentiable = True

    def forward(self, x, maps):
        # maps: ((dim, index array: output positions -> input positions), ...)
        self.maps, self.in_shape = maps, x.shape
        if not maps:
            return x.copy()
        out = x
        for d, idx in maps:
            out = np.take(out, idx, axis=d)
        return out

    def backward(self, g):
        shp = list(self.in_shape)
        before = []  # the shape before each gather
        for d, idx in self.maps:
            before.append(tuple(shp))
            shp[d] = len(idx)
        for (d, idx), in_shape in zip(reversed(self.maps), reversed(before)):
            gi = np.zeros(in_shape, g.dtype)
            gm = np.moveaxis(g, d, -1)
            gim = np.moveaxis(gi, d, -1)
            for o0, o1, i0, step in _runs(idx):
                src = gm[..., o0:o1]
                if step == 0:
                    gim[..., i0] += src.sum(axis=-1)
                elif step == 1:
                    gim[..., i0:i0 + (o1 - o0)] += src
                else:
                    lo = i0 - (o1 - o0) + 1
                    gim[..., lo:i0 + 1] += src[..., ::-1]
            g = gi
        return g


class _ReflectPad(_IndexPad):
    name = "ReflectionPadBackward0"


class _ReplicatePad(_IndexPad):
    name = "ReplicationPadBackward0"


class _CircularPad(_IndexPad):
    name = "CircularPadBackward0"


_PAD_FNS = {"reflect": _ReflectPad, "replicate": _ReplicatePad, "circular": _CircularPad}


_NONCONST_MSG = ("Padding size {p} is not supported for {d}D input tensor.\nSupported "
                 "combinations for non-constant padding:\n  - 2D or 3D input: padding size = 2 "
                 "(pads last dimension)\n  - 3D or 4D input: padding size = 4 (pads last 2 "
                 "dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")

_MODE_NAMES = {"reflect": "reflection_pad", "replicate": "replication_pad"}


def pad(input, pad, mode="constant", value=None):
    """torch.nn.functional.pad: ``pad`` lists (left, right) pairs starting from the
    last dim; modes 'constant' (negative pads crop), 'reflect', 'replicate',
    'circular'."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if isinstance(pad, Tensor) or isinstance(pad, str) or not hasattr(pad, "__len__"):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not "
                        f"{type(pad).__name__}")
    p = []
    for i, e in enumerate(pad):
        if isinstance(e, (bool, np.bool_)) or not isinstance(e, (numbers.Integral, np.integer)):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but "
                            f"found element of type {type(e).__name__} at pos {i}")
        p.append(int(e))
    if not isinstance(mode, str):
        raise TypeError(f"pad(): argument 'mode' (position 3) must be str, not "
                        f"{type(mode).__name__}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    ndim = input.ndim
    if len(p) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(p) > 2 * ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(p)} and input of "
                           f"dimension {ndim}")
    npd = len(p) // 2
    # pairs in dim order
    pairs = [(p[2 * (npd - 1 - i)], p[2 * (npd - 1 - i) + 1]) for i in range(npd)]
    shape = tuple(input.shape)
    lead = ndim - npd
    if mode == "constant":
        dt = input.dtype
        v = 0 if value is None else value
        from .pointwise import _check_scalar_fits

        if dt.category == D.INT and not isinstance(v, bool):
            _check_scalar_fits(int(v), dt)
            v = int(v)
        for i, (a, b) in enumerate(pairs):
            n = shape[lead + i]
            if n + min(a, 0) + min(b, 0) < 0 or n + a + b < 0:
                raise RuntimeError(f"The input size {n}, plus negative padding {a} and {b} "
                                   f"resulted in a negative output size, which is invalid. "
                                   f"Check dimension {lead + i} of your input.")
        return _ConstantPad.apply(input, pads=tuple(pairs), value=v)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if npd not in (1, 2, 3) or ndim not in (npd + 1, npd + 2):
        raise NotImplementedError(_NONCONST_MSG.format(p=len(p), d=ndim))
    if mode in ("reflect", "replicate"):
        if input._data.dtype == np.bool_:
            raise NotImplementedError(f"\"{_MODE_NAMES[mode]}{npd}d\" not implemented for "
                                      "'Bool'")
        first = 1 if ndim == npd + 2 else 0
        if any(s == 0 for s in shape[first:]):
            raise RuntimeError(f"Expected {npd + 1}D or {npd + 2}D (batch mode) tensor with "
                               f"possibly 0 batch size and other non-zero dimensions for "
                               f"input, but got: {list(shape)}")
    maps = []
    for i, (a, b) in enumerate(pairs):
        d = lead + i
        n = shape[d]
        m_out = n + a + b
        if mode == "reflect":
            if a >= n or b >= n:
                raise RuntimeError(f"Argument #4: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding ({a}, {b}) "
                                   f"at dimension {d} of input {list(shape)}")
            j = np.arange(m_out) - a
            j = np.where(j < 0, -j, j)
            j = np.where(j >= n, 2 * (n - 1) - j, j)
        elif mode == "replicate":
            if m_out < 0:
                raise RuntimeError(f"input tensor is too small for padding ({a}, {b}) at "
                                   f"dimension {d} of input {list(shape)}")
            j = np.clip(np.arange(m_out) - a, 0, n - 1)
        else:  # circular: the pads copy from the (possibly cropped) centre
            if a > n or b > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            c = n + min(a, 0) + min(b, 0)
            if a > c or b > c or c < 0:
                raise RuntimeError("unsupported operation: some elements of the input tensor "
                                   "and the written-to tensor refer to a single memory "
                                   "location. Please clone() the tensor before performing "
                                   "the operation.")
            j = max(-a, 0) + np.mod(np.arange(m_out) - max(a, 0), max(c, 1))
        if m_out < 0:
            raise RuntimeError(f"padding ({a}, {b}) at dimension {d} gives a negative output "
                               f"size for input {list(shape)}")
        if m_out == n and (m_out == 0 or np.array_equal(j, np.arange(n))):
            continue
        maps.append((d, j.astype(np.intp)))
    return _PAD_FNS[mode].apply(input, maps=tuple(maps))
