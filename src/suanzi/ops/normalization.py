"""Normalization ops: ``batch_norm``, ``layer_norm``, ``group_norm``,
``instance_norm``, ``rms_norm``, ``normalize``, ``local_response_norm``.

batch/layer/group/instance norm are hand-written NumPy kernels
(``once_differentiable``): one pass for the mean, one for the variance over
the centered values (kept for backward), one for the affine output; backward
uses the closed form

    dx = w·rstd·(g − mean(g) − x̂·mean(g·x̂)),  dw = Σ g·x̂,  db = Σ g

The large arrays are processed in cache-sized blocks along the leading axis
so that the several elementwise steps of one block run from cache instead of
streaming the whole tensor through memory once per step. Row sums are BLAS
matrix-vector products or vecdot (read-only passes); per-row broadcasts run
under :class:`_RowBuffer`, per-feature affine factors as flat tiled arrays.
``rms_norm`` and ``normalize`` are composed from suanzi ops (as in torch, so
they are twice differentiable); ``local_response_norm`` is a small kernel.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import _dtype as D
from .._tensor import Size, Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad

_make = Tensor._make

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm", "normalize",
           "local_response_norm"]

# elements per block of the blocked loops (1 MiB of float32). The in-place
# steps of a block then run from L2/L3; smaller blocks (64K) measured slower,
# as the Python and ufunc-call overhead of ~10 calls per block then shows.
_BLOCK = 1 << 18

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
               "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
               "complex128": "ComplexDouble"}


def _tname(dt):
    return _TYPE_NAMES.get(np.dtype(dt).name, str(dt))


def _check_tensor(x, op, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def _compute_dtype(dt, op):
    """(the NumPy dtype the kernel computes in) for input dtype ``dt``:
    float32/float64 as they are, float16/bfloat16 upcast to float32."""
    if dt.kind != "f" and dt.kind != "V":
        raise NotImplementedError(f'"{op}" not implemented for \'{_tname(dt)}\'')
    if dt == np.float32 or dt == np.float64:
        return dt
    return np.dtype(np.float32)


def _check_param_dtypes(x, params, op):
    """torch's CPU rule for norm kernels: no promotion. Parameters share the
    input's dtype, or (reduced-precision input) are all float32."""
    xd = x._data.dtype
    dts = [p._data.dtype for p in params if p is not None]
    if not dts:
        return
    if xd == np.float32 or xd == np.float64:
        if all(d == xd for d in dts):
            return
        if xd == np.float32:
            raise RuntimeError(f"{op}: mixed dtype (CPU): expect parameter to have scalar type of "
                               f"Float, but got {', '.join(_tname(d) for d in dts)}")
        raise RuntimeError(f"{op}: mixed dtype (CPU): all inputs must share same datatype "
                           f"(input Double, parameters {', '.join(_tname(d) for d in dts)})")
    if all(d == dts[0] for d in dts) and (dts[0] == xd or dts[0] == np.float32):
        return
    raise RuntimeError(f"{op}: expected scalar type {_tname(xd)} but found "
                       f"{_tname(next(d for d in dts if d != xd))}")


def _arr(t, ct):
    """A parameter's array in the compute dtype (None stays None)."""
    if t is None:
        return None
    a = t if isinstance(t, np.ndarray) else t._data
    return a if a.dtype == ct else a.astype(ct)


class _RowBuffer:
    """Context that sets NumPy's ufunc buffer size to the row length ``n``
    (rounded down to a multiple of 16, as NumPy requires) while a kernel
    runs, and restores it after.

    Why: an elementwise op that broadcasts a per-row value (``x − mean[:,
    None]``, ``y · scale[:, None]``) or a per-column one against rows shorter
    than the buffer (8192 elements by default) makes NumPy's iterator copy the
    operands through its buffers, about twice as slow as the plain loop. With
    a buffer no longer than a row it runs the inner loop row by row on the
    arrays themselves. Very short rows (< 512) are left alone: there the
    per-row call costs more than the copy."""

    __slots__ = ("size", "old")

    def __init__(self, n):
        self.size = n // 16 * 16 if 512 <= n < 8192 else None

    def __enter__(self):
        if self.size is not None:
            self.old = np.setbufsize(self.size)
        return self

    def __exit__(self, *exc):
        if self.size is not None:
            np.setbufsize(self.old)
        return False


def _steps(n, per_item):
    """Block boundaries along a leading axis of ``n`` items of ``per_item`` elements."""
    step = max(1, _BLOCK // max(per_item, 1))
    return [(i, min(i + step, n)) for i in range(0, n, step)]


# =================================================================== batch norm
class _BatchNormTrain(Function):
    """Batch statistics per channel over (N, *spatial); updates the running
    buffers (passed as arrays) in place. Backward keeps x (version-checked),
    the mean and rstd, and recomputes x − mean block by block."""

    name = "NativeBatchNormBackward0"
    once_differentiable = True
    save_inputs = (0,)

    def forward(self, x, w, b, *, rm, rv, momentum, eps):
        in_dt = x.dtype
        ct = _compute_dtype(in_dt, "batch_norm")
        N, C = x.shape[0], x.shape[1]
        L = int(np.prod(x.shape[2:], dtype=np.int64))
        n = N * L
        x3 = x.reshape(N, C, L)
        if x3.dtype != ct:
            x3 = x3.astype(ct)
        w_, b_ = _arr(w, ct), _arr(b, ct)
        blocks = _steps(N, C * L)
        width = max((i1 - i0 for i0, i1 in blocks), default=0)
        if n == 0:
            mean = np.zeros(C, ct)
        else:
            # mean: row sums over the contiguous spatial axis, then over N
            mean = np.add.reduce(x3, axis=2).sum(0) if L > 1 else x3[:, :, 0].sum(0)
            mean = (mean / n).astype(ct, copy=False)
        buf = np.empty((width, C, L), ct)
        sq = np.zeros(C, ct)
        mcol = mean[:, None]
        rowbuf = _RowBuffer(L)
        with rowbuf:
            for i0, i1 in blocks:
                d = buf[:i1 - i0]
                np.subtract(x3[i0:i1], mcol, out=d)
                if L > 1:
                    sq += np.vecdot(d, d).sum(0)
                else:
                    sq += np.einsum("ncl,ncl->c", d, d)
        var = (sq / n).astype(ct, copy=False) if n > 0 else np.full(C, np.nan, ct)
        rstd = (1.0 / np.sqrt(var + ct.type(eps))).astype(ct, copy=False)
        scale = rstd * w_ if w_ is not None else rstd
        shift = -mean * scale
        if b_ is not None:
            shift = shift + b_
        out = np.empty(x3.shape, ct)
        scol, hcol = scale[:, None], shift[:, None]
        with rowbuf:
            for i0, i1 in blocks:
                o = out[i0:i1]
                np.multiply(x3[i0:i1], scol, out=o)
                np.add(o, hcol, out=o)
        if rm is not None and n > 0:
            m = momentum
            unbiased = var * (n / (n - 1)) if n > 1 else np.full_like(var, np.inf)
            rm[...] = ((1 - m) * rm.astype(ct) + m * mean).astype(rm.dtype)
            rv[...] = ((1 - m) * rv.astype(ct) + m * unbiased).astype(rv.dtype)
        if self.requires_grad:
            self.x3 = x3 if x3.dtype != in_dt else None
            self.mean, self.rstd, self.n, self.ct = mean, rstd, n, ct
            self.w = None if w_ is None else w_.copy()
            self.shape3, self.shape, self.in_dt = x3.shape, x.shape, in_dt
            self.param_dt = (None if w is None else w.dtype, None if b is None else b.dtype)
        if in_dt != ct:
            out = out.astype(in_dt)
        return out.reshape(x.shape)

    def backward(self, g):
        need_x, need_w, need_b = self.needs_input_grad
        mean, rstd, n, ct = self.mean, self.rstd, self.n, self.ct
        x3 = self.x3
        if x3 is None:
            x3 = self.saved_tensors[0]._data.reshape(self.shape3)
        N, C, L = x3.shape
        g3 = g.reshape(N, C, L)
        if g3.dtype != ct:
            g3 = g3.astype(ct)
        blocks = _steps(N, C * L)
        rowbuf = _RowBuffer(L)
        # Σg and Σg·x per channel in read-only passes (BLAS matrix-vector
        # product, vecdot over the contiguous spatial rows), then
        # Σg·(x − mean) = Σg·x − mean·Σg. The difference loses about
        # log2(|mean|·rstd) bits, so when a channel's mean is large against
        # its spread the centered loop (one more pass) is used instead.
        if L > 1:
            gsum = (g3.reshape(N * C, L) @ np.ones(L, ct)).reshape(N, C).sum(0)
        else:
            gsum = g3[:, :, 0].sum(0)
        if L > 1 and n > 0 and not (np.abs(mean) * rstd > 8).any():
            gxc = np.vecdot(g3, x3).sum(0) - mean * gsum
        else:
            width = max((i1 - i0 for i0, i1 in blocks), default=0)
            buf = np.empty((width, C, L), ct)
            mcol = mean[:, None]
            gxc = np.zeros(C, ct)
            with rowbuf:
                for i0, i1 in blocks:
                    d = buf[:i1 - i0]
                    np.subtract(x3[i0:i1], mcol, out=d)
                    gxc += np.einsum("ncl,ncl->c", g3[i0:i1], d)
        dx = dw = db = None
        if need_x:
            a = rstd * self.w if self.w is not None else rstd
            # dx = a·(g − gsum/n) − a·rstd²·gxc/n·(x − mean) = a·g − k·x + c:
            # two products into the output block and a temporary, then two
            # in-place passes from cache
            kc = a * rstd * rstd * gxc / n
            c = kc * mean - a * gsum / n
            acol, kcol, ccol = a[:, None], kc[:, None], c[:, None]
            # allocated in the input's shape (not a reshaped view), so the
            # engine keeps it as the gradient without a copy
            dx = np.empty(self.shape, ct)
            dx3 = dx.reshape(N, C, L)
            width = max((i1 - i0 for i0, i1 in blocks), default=0)
            tmp = np.empty((width, C, L), ct)
            with rowbuf:
                for i0, i1 in blocks:
                    dd = dx3[i0:i1]
                    t = tmp[:i1 - i0]
                    np.multiply(g3[i0:i1], acol, out=dd)
                    np.multiply(x3[i0:i1], kcol, out=t)
                    np.subtract(dd, t, out=dd)
                    np.add(dd, ccol, out=dd)
            if self.in_dt != ct:
                dx = dx.astype(self.in_dt)
        if need_w:
            dw = (gxc * rstd).astype(self.param_dt[0], copy=False)
        if need_b:
            db = gsum.astype(self.param_dt[1], copy=False)
        return dx, dw, db


class _BatchNormEval(Function):
    """Normalization with given (running) statistics: y = x·scale + shift."""

    name = "NativeBatchNormBackward0"
    once_differentiable = True
    save_inputs = (0,)

    def forward(self, x, w, b, *, rm, rv, eps):
        in_dt = x.dtype
        ct = _compute_dtype(in_dt, "batch_norm")
        N, C = x.shape[0], x.shape[1]
        L = int(np.prod(x.shape[2:], dtype=np.int64))
        x3 = x.reshape(N, C, L)
        if x3.dtype != ct:
            x3 = x3.astype(ct)
        w_, b_ = _arr(w, ct), _arr(b, ct)
        mean, var = _arr(rm, ct), _arr(rv, ct)
        rstd = (1.0 / np.sqrt(var + ct.type(eps))).astype(ct, copy=False)
        scale = rstd * w_ if w_ is not None else rstd
        shift = -mean * scale
        if b_ is not None:
            shift = shift + b_
        out = np.empty(x3.shape, ct)
        scol, hcol = scale[:, None], shift[:, None]
        # y = x·scale + shift: two passes, the second in place from cache
        with _RowBuffer(L):
            for i0, i1 in _steps(N, C * L):
                o = out[i0:i1]
                np.multiply(x3[i0:i1], scol, out=o)
                np.add(o, hcol, out=o)
        if self.requires_grad:
            self.mean, self.rstd, self.scale, self.ct = mean.copy(), rstd, scale, ct
            self.in_dt = in_dt
            self.param_dt = (None if w is None else w.dtype, None if b is None else b.dtype)
        if in_dt != ct:
            out = out.astype(in_dt)
        return out.reshape(x.shape)

    def backward(self, g):
        need_x, need_w, need_b = self.needs_input_grad[:3]
        ct = self.ct
        x = self.saved_tensors[0]._data
        N, C = x.shape[0], x.shape[1]
        L = int(np.prod(x.shape[2:], dtype=np.int64))
        g3 = g.reshape(N, C, L)
        if g3.dtype != ct:
            g3 = g3.astype(ct)
        dx = dw = db = None
        if need_x:
            # dx = g·scale, written straight into an array of the input's
            # shape (the engine keeps it as the gradient without a copy)
            dx = np.empty(x.shape, ct)
            with _RowBuffer(L):
                np.multiply(g3, self.scale[:, None], out=dx.reshape(N, C, L))
            if self.in_dt != ct:
                dx = dx.astype(self.in_dt)
        if need_w or need_b:
            # per-(n, c) row sums by BLAS and vecdot: read-only passes
            gsum = (g3.reshape(N * C, L) @ np.ones(L, ct)).reshape(N, C).sum(0)
            if need_b:
                db = gsum.astype(self.param_dt[1], copy=False)
            if need_w:
                x3 = x.reshape(N, C, L)
                if x3.dtype != ct:
                    x3 = x3.astype(ct)
                gx = np.vecdot(g3, x3).sum(0)
                dw = (self.rstd * (gx - self.mean * gsum)).astype(self.param_dt[0], copy=False)
        return dx, dw, db


def _verify_batch_size(shape):
    prod = shape[0]
    for s in shape[2:]:
        prod *= s
    if prod == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         f"{Size(shape)!r}")


def _check_channels(x, C, tensors, names):
    for t, nm in zip(tensors, names):
        if t is not None and t._data.size != C:
            raise RuntimeError(f"{nm} should contain {C} elements not {t._data.size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Batch normalization over the channel dim 1 of (N, C, *)."""
    _check_tensor(input, "batch_norm")
    if training:
        if input.ndim < 1:
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but "
                             "got 1)")
        _verify_batch_size(tuple(input.shape))
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if (running_mean is None) != (running_var is None) and training:
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    if not training:
        if running_mean is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        if running_var is None:
            raise RuntimeError("running_var must be defined in evaluation mode")
    _compute_dtype(input._data.dtype, "batch_norm")
    C = input.shape[1] if input.ndim >= 2 else 0
    _check_channels(input, C, (running_mean, running_var, weight, bias),
                    ("running_mean", "running_var", "weight", "bias"))
    _check_param_dtypes(input, (weight, bias, running_mean, running_var), "batch_norm")
    if input.ndim < 2:
        raise RuntimeError(f"batch_norm: expected an input with at least 2 dims (N, C, *), got "
                           f"{input.ndim}D input")
    if training:
        rm = None if running_mean is None else running_mean._data
        rv = None if running_var is None else running_var._data
        out = _BatchNormTrain.apply(input, weight, bias, rm=rm, rv=rv,
                                    momentum=float(momentum), eps=float(eps))
        if running_mean is not None and input.numel() > 0:
            running_mean._vc[0] += 1
            running_var._vc[0] += 1
        return out
    return _BatchNormEval.apply(input, weight, bias, rm=running_mean._data,
                                rv=running_var._data, eps=float(eps))


# ====================================================== per-row normalization
# layer/group/instance norm: statistics over the last axis D of an
# (A, B, D) view of the input; the affine parameters broadcast against the
# per-sample view S of the input (A, *S), S = (B·D,) for layer norm,
# (G, C/G, L) for group norm, (C, L) for instance norm.

def _rows_forward(x3, S, w, b, eps, ct):
    """(out, mean, rstd) for an (A, B, D) input; ``w``/``b`` broadcast
    against S (or None). x̂ is built in the output block by block and
    finished in place (backward recomputes it from x, mean and rstd): one
    large allocation, the output. Passes per block: the mean (BLAS matrix-
    vector product, read only), x − mean into the output, the variance
    (vecdot, read only), ·rstd, ·w, +b (in place, from cache)."""
    A, B, Dn = x3.shape
    out = np.empty(x3.shape, ct)
    mean = np.empty((A, B), ct)
    rstd = np.empty((A, B), ct)
    inv = np.full(Dn, 1.0 / Dn if Dn else 0.0, ct)
    epsc = ct.type(eps)
    blocks = _steps(A, B * Dn)
    width = max((i1 - i0 for i0, i1 in blocks), default=0)
    wt, bt = _tile(w, width, S, ct), _tile(b, width, S, ct)
    with _RowBuffer(Dn):
        for i0, i1 in blocks:
            k = i1 - i0
            xs = x3[i0:i1].reshape(k * B, Dn)
            xh = out[i0:i1].reshape(k * B, Dn)
            m = xs @ inv
            np.subtract(xs, m[:, None], out=xh)
            v = np.vecdot(xh, xh)
            v *= inv[0] if Dn else np.nan
            v += epsc
            np.sqrt(v, out=v)
            np.divide(1, v, out=v)
            mean[i0:i1] = m.reshape(k, B)
            rstd[i0:i1] = v.reshape(k, B)
            np.multiply(xh, v[:, None], out=xh)
            flat = xh.reshape(-1)
            if wt is not None:
                np.multiply(flat, wt[:flat.size], out=flat)
            if bt is not None:
                np.add(flat, bt[:flat.size], out=flat)
    return out, mean, rstd


def _tile(p, width, S, ct):
    """A parameter broadcast against S repeated for ``width`` leading items,
    flat and contiguous (None stays None): the affine steps then run as one
    contiguous elementwise loop over a block instead of NumPy's slower
    broadcasting loop with short inner rows."""
    if p is None:
        return None
    return np.ascontiguousarray(np.broadcast_to(p.astype(ct, copy=False), (width,) + S)).reshape(-1)


def _row_sums(wts, a):
    """Σ_i wts[i, b]·a[i, b, :] for ``wts`` (k, B) and ``a`` (k, B, D): a
    BLAS matrix-vector product per b (one read pass) → (B, D)."""
    return np.matmul(wts.T[:, None, :], a.transpose(1, 0, 2))[:, 0, :]


def _rows_backward(g3, x3, mean, rstd, S, w, need_x, need_w, need_b, ct, dx_shape):
    """(dx, dw_full, db_full) for :func:`_rows_forward`; dx has ``dx_shape``
    (allocated so, not a reshaped view: the engine then keeps it as the
    gradient without copying it), dw/db summed over A with the shape S.

    With xc = x − mean (the only recomputed array), r = rstd and gw = g·w:

        dw = Σ_rows r·g·xc,   db = Σ_rows g   (BLAS, rstd as row weights)
        dx = r·gw − r·s1 − r³·s2·xc,  s1 = mean(gw), s2 = mean(gw·xc)

    where s1 and s2 are BLAS/vecdot row reductions; the dx terms are applied
    in place to gw (and to xc, no longer needed then)."""
    A, B, Dn = x3.shape
    dx_out = np.empty(dx_shape, ct) if need_x else None
    dx = dx_out.reshape(x3.shape) if need_x else None
    dwf = np.zeros((B, Dn), ct) if need_w else None
    dbf = np.zeros((B, Dn), ct) if need_b else None
    blocks = _steps(A, B * Dn)
    width = max((i1 - i0 for i0, i1 in blocks), default=0)
    xbuf = np.empty((width * B, Dn), ct)
    tmp = np.empty((width * B, Dn), ct) if need_w else None
    wt = _tile(w, width, S, ct) if need_x else None
    # w per (b, d), for Σ_d (g·xc)·w when g·xc is formed for dw anyway
    wrow = (np.ascontiguousarray(np.broadcast_to(w.astype(ct, copy=False), S)).reshape(B, Dn)
            if need_x and need_w and w is not None else None)
    inv = np.full(Dn, 1.0 / Dn if Dn else 0.0, ct)
    ones = np.ones((width, B), ct) if need_b else None
    with _RowBuffer(Dn):
        for i0, i1 in blocks:
            k = i1 - i0
            gs = g3[i0:i1].reshape(k * B, Dn)
            r = rstd[i0:i1]
            xc = xbuf[:k * B]
            np.subtract(x3[i0:i1].reshape(k * B, Dn), mean[i0:i1].reshape(k * B, 1), out=xc)
            if need_b:
                dbf += _row_sums(ones[:k], g3[i0:i1])
            if need_w:
                p = tmp[:k * B]
                np.multiply(gs, xc, out=p)
                dwf += _row_sums(r, p.reshape(k, B, Dn))
            if need_x:
                d = dx[i0:i1].reshape(k * B, Dn)
                if wt is not None:
                    np.multiply(gs.reshape(-1), wt[:d.size], out=d.reshape(-1))
                else:
                    np.copyto(d, gs)
                rr = r.reshape(k * B)
                s1 = d @ inv
                if wrow is not None:  # Σ_d g·xc·w from the dw product, by BLAS
                    s2 = np.matmul(p.reshape(k, B, Dn).transpose(1, 0, 2),
                                   wrow[:, :, None])[:, :, 0].T.reshape(k * B)
                else:
                    s2 = np.vecdot(d, xc)
                s2 *= inv[0]
                # xc ← −r³·s2·xc, d ← r·d + xc − r·s1
                np.multiply(xc, (-(rr * rr * rr) * s2)[:, None], out=xc)
                np.multiply(d, rr[:, None], out=d)
                np.add(d, xc, out=d)
                np.subtract(d, (rr * s1)[:, None], out=d)
    if dwf is not None:
        dwf = dwf.reshape(S)
    if dbf is not None:
        dbf = dbf.reshape(S)
    return dx_out, dwf, dbf


class _RowNorm(Function):
    """Shared Function for layer/group/instance norm: x viewed (A, B, D),
    parameters viewed with shape ``wshape`` broadcasting against S."""

    name = "NativeLayerNormBackward0"
    once_differentiable = True
    save_inputs = (0,)

    def forward(self, x, w, b, *, A, B, Dn, S, wshape, eps, op, stats=None):
        in_dt = x.dtype
        ct = _compute_dtype(in_dt, op)
        x3 = x.reshape(A, B, Dn)
        if x3.dtype != ct:
            x3 = x3.astype(ct)
        w_ = None if w is None else _arr(w, ct).reshape(wshape)
        b_ = None if b is None else _arr(b, ct).reshape(wshape)
        save = self.requires_grad
        out, mean, rstd = _rows_forward(x3, S, w_, b_, eps, ct)
        if stats is not None:
            stats.extend((mean, rstd))
        if save:
            # x itself is kept through save_inputs (version-checked); a
            # converted copy only for reduced-precision inputs
            self.x3 = x3 if x3.dtype != in_dt else None
            self.mean, self.rstd, self.S, self.ct = mean, rstd, S, ct
            self.shape3 = x3.shape
            self.wshape = wshape
            self.w = None if w_ is None else w_.copy()
            self.in_shape, self.in_dt = x.shape, in_dt
            self.wmeta = None if w is None else (w.shape, w.dtype)
            self.bmeta = None if b is None else (b.shape, b.dtype)
        if in_dt != ct:
            out = out.astype(in_dt)
        return out.reshape(x.shape)

    def backward(self, g):
        need_x, need_w, need_b = self.needs_input_grad
        ct, S = self.ct, self.S
        x3 = self.x3
        if x3 is None:
            x3 = self.saved_tensors[0]._data.reshape(self.shape3)
        g3 = g.reshape(x3.shape)
        if g3.dtype != ct:
            g3 = g3.astype(ct)
        dx, dwf, dbf = _rows_backward(g3, x3, self.mean, self.rstd, S, self.w, need_x,
                                      need_w and self.wmeta is not None,
                                      need_b and self.bmeta is not None, ct, self.in_shape)
        if dx is not None:
            if self.in_dt != ct:
                dx = dx.astype(self.in_dt)
        dw = db = None
        if dwf is not None:
            dw = _sum_to(dwf, self.wshape).reshape(self.wmeta[0]).astype(self.wmeta[1], copy=False)
        if dbf is not None:
            db = _sum_to(dbf, self.wshape).reshape(self.bmeta[0]).astype(self.bmeta[1], copy=False)
        return dx, dw, db


def _sum_to(a, shape):
    """Sum ``a`` down to ``shape`` (same ndim; 1 where ``a`` is summed)."""
    axes = tuple(i for i, (s, t) in enumerate(zip(a.shape, shape)) if t == 1 and s != 1)
    return a.sum(axes, keepdims=True) if axes else a


# =================================================================== layer norm
def _norm_shape(normalized_shape, op):
    if isinstance(normalized_shape, numbers.Integral) and not isinstance(normalized_shape, bool):
        raise TypeError(f"{op}(): argument 'normalized_shape' (position 2) must be tuple of ints, "
                        f"not int")
    try:
        return tuple(int(s) for s in normalized_shape)
    except TypeError:
        raise TypeError(f"{op}(): argument 'normalized_shape' (position 2) must be tuple of ints, "
                        f"not {type(normalized_shape).__name__}") from None


def _check_trailing(input, ns, sep=", "):
    shp = tuple(input.shape)
    if len(shp) < len(ns) or shp[len(shp) - len(ns):] != ns:
        raise RuntimeError(
            f"Given normalized_shape={list(ns)}, expected input with shape "
            f"[*{sep}{', '.join(map(str, ns))}], but got input of size{list(shp)}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalization over the trailing ``normalized_shape`` dims (biased var)."""
    _check_tensor(input, "layer_norm")
    ns = _norm_shape(normalized_shape, "layer_norm")
    if len(ns) == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for t, nm in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {nm} to be of same shape as normalized_shape, but got "
                               f"{nm} of shape {list(t.shape)} and normalized_shape = {list(ns)}")
    _check_trailing(input, ns)
    dt = input._data.dtype
    if dt.kind not in "fV":
        raise NotImplementedError(f'"LayerNormKernelImpl" not implemented for \'{_tname(dt)}\'')
    _check_param_dtypes(input, (weight, bias), "layer_norm")
    Dn = int(np.prod(ns, dtype=np.int64))
    A = input.numel() // Dn if Dn else int(np.prod(input.shape[:input.ndim - len(ns)]))
    return _RowNorm.apply(input, weight, bias, A=A, B=1, Dn=Dn, S=(Dn,), wshape=(Dn,),
                          eps=float(eps), op="layer_norm")


class _GroupNorm(_RowNorm):
    name = "NativeGroupNormBackward0"


class _InstanceNorm(_RowNorm):
    name = "NativeBatchNormBackward0"


# =================================================================== group norm
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalization over groups of channels (and all spatial dims) per sample."""
    _check_tensor(input, "group_norm")
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    shp = tuple(input.shape)
    _verify_batch_size_list([shp[0] * shp[1] // num_groups, num_groups] + list(shp[2:]))
    N, C = shp[0], shp[1]
    G = int(num_groups)
    if G <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {G}")
    if C % G:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(shp)} and num_groups={G}")
    for t, nm in ((weight, "weight"), (bias, "bias")):
        if t is not None and (t.ndim != 1 or t.numel() != C):
            raise RuntimeError(f"Expected {nm} to be a vector of size equal to the number of "
                               f"channels in input, but got {nm} of shape {list(t.shape)} and "
                               f"input of shape {list(shp)}")
    dt = input._data.dtype
    if dt.kind not in "fV":
        raise NotImplementedError(f'"GroupNormKernelImpl" not implemented for \'{_tname(dt)}\'')
    _check_param_dtypes(input, (weight, bias), "group_norm")
    L = int(np.prod(shp[2:], dtype=np.int64))
    K = C // G
    return _GroupNorm.apply(input, weight, bias, A=N, B=G, Dn=K * L, S=(G, K, L),
                            wshape=(G, K, 1), eps=float(eps), op="group_norm")


def _verify_batch_size_list(size):
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size}")


# ================================================================ instance norm
def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """Normalization per (sample, channel) over the spatial dims."""
    _check_tensor(input, "instance_norm")
    shp = tuple(input.shape)
    if use_input_stats:
        prod = 1
        for s in shp[2:]:
            prod *= s
        if prod == 1:
            raise ValueError("Expected more than 1 spatial element when training, got input size "
                             f"{Size(shp)!r}")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    if not use_input_stats and running_mean is None:
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    if input.ndim < 2:
        raise RuntimeError(f"instance_norm: expected an input with at least 2 dims (N, C, *), got "
                           f"{input.ndim}D input")
    N, C = shp[0], shp[1]
    for t, nm in ((running_mean, "running_mean"), (running_var, "running_var")):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{nm} should contain {N * C} elements not {t.numel() * N}")
    for t, nm in ((weight, "weight"), (bias, "bias")):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{nm} should contain {N * C} elements not {t.numel() * N}")
    dt = input._data.dtype
    if dt.kind not in "fV":
        raise NotImplementedError(f'"batch_norm" not implemented for \'{_tname(dt)}\'')
    _check_param_dtypes(input, (weight, bias), "instance_norm")
    if not use_input_stats:
        return batch_norm(input, running_mean.to(input.dtype), running_var.to(input.dtype),
                          weight, bias, False, momentum, eps)
    L = int(np.prod(shp[2:], dtype=np.int64))
    stats = [] if running_mean is not None else None
    out = _InstanceNorm.apply(input, weight, bias, A=N, B=C, Dn=L, S=(C, L), wshape=(C, 1),
                              eps=float(eps), op="instance_norm", stats=stats)
    if running_mean is not None and N * C * L > 0:
        mean, rstd = stats
        ct = mean.dtype
        var = (1.0 / (rstd.astype(np.float64) ** 2) - eps)  # biased var per instance
        unbiased = var * (L / (L - 1)) if L > 1 else np.full_like(var, np.inf)
        m = float(momentum)
        rm, rv = running_mean._data, running_var._data
        rm[...] = ((1 - m) * rm.astype(ct) + m * mean.mean(0)).astype(rm.dtype)
        rv[...] = ((1 - m) * rv.astype(np.float64) + m * unbiased.mean(0)).astype(rv.dtype)
        running_mean._vc[0] += 1
        running_var._vc[0] += 1
    return out


# ==================================================================== rms norm
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x · rsqrt(mean(x², trailing dims) + eps) · weight (composed from ops)."""
    _check_tensor(input, "rms_norm")
    ns = _norm_shape(normalized_shape, "rms_norm")
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = "
                           f"{list(ns)}")
    _check_trailing(input, ns, sep="")
    dt = input._data.dtype
    if dt.kind not in "fV":
        raise NotImplementedError(f'"rms_norm" not implemented for \'{_tname(dt)}\'')
    ct = np.dtype(np.float64) if dt == np.float64 else np.dtype(np.float32)
    if eps is None:
        eps = float(np.finfo(ct).eps)
    x = input if dt == ct else input.to(D.from_numpy_dtype(ct))
    dims = tuple(range(-len(ns), 0))
    if len(dims) == 0:
        y = x * (x * x + eps).rsqrt()
    else:
        y = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    if dt != ct:
        y = y.to(input.dtype)
    if weight is not None:
        y = y * (weight if weight._data.dtype == dt else weight.to(input.dtype))
    return y


# =================================================================== normalize
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(‖input‖_p along dim, eps)."""
    _check_tensor(input, "normalize")
    if input._data.dtype.kind not in "fcV":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_tname(input._data.dtype)}")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is not None:
        with no_grad():
            res = input / denom
        out.copy_(res)
        return out
    return input / denom


# ======================================================= local response norm
class _LocalResponseNorm(Function):
    name = "DivBackward0"
    once_differentiable = True
    save_inputs = (0,)

    def forward(self, x, *, size, alpha, beta, k):
        ct = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float32)
        xs = x.reshape(x.shape[0], x.shape[1], -1)
        if xs.dtype != ct:
            xs = xs.astype(ct)
        C = xs.shape[1]
        sq = xs * xs
        # window over channels [c - size//2, c + (size-1)//2], zero padded
        acc = np.zeros_like(sq)
        lo = size // 2
        for j in range(size):
            off = j - lo  # acc[c] += sq[c + off]
            if off >= 0:
                if off < C:
                    acc[:, :C - off] += sq[:, off:]
            elif -off < C:
                acc[:, -off:] += sq[:, :C + off]
        den = acc
        den *= ct.type(alpha / size)
        den += ct.type(k)
        p = np.power(den, ct.type(beta))
        out = xs / p
        if self.requires_grad:
            self.den, self.p, self.ct = den, p, ct
            self.size, self.alpha, self.beta = size, alpha, beta
            self.in_dt = x.dtype
        if out.dtype != x.dtype and x.dtype.kind == "f":
            out = out.astype(x.dtype)
        return out.reshape(x.shape)

    def backward(self, g):
        x = self.saved_tensors[0]._data
        ct, size = self.ct, self.size
        xs = x.reshape(x.shape[0], x.shape[1], -1).astype(ct, copy=False)
        gs = g.reshape(xs.shape).astype(ct, copy=False)
        C = xs.shape[1]
        t = gs * xs / self.p / self.den  # g_c x_c den_c^(-beta-1)
        acc = np.zeros_like(t)
        hi = (size - 1) // 2  # channels c whose window holds j: [j - hi, j + size//2]
        for j in range(size):
            off = j - hi
            if off >= 0:
                if off < C:
                    acc[:, :C - off] += t[:, off:]
            elif -off < C:
                acc[:, -off:] += t[:, :C + off]
        dx = gs / self.p - ct.type(2 * self.alpha * self.beta / size) * xs * acc
        dx = dx.reshape(x.shape)
        if self.in_dt.kind == "f" and dx.dtype != self.in_dt:
            dx = dx.astype(self.in_dt)
        return dx


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalization over a window of ``size`` neighbouring channels."""
    _check_tensor(input, "local_response_norm")
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    size = int(size)
    if size <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {size} kW: 1")
    return _LocalResponseNorm.apply(input, size=size, alpha=float(alpha), beta=float(beta),
                                    k=float(k))
