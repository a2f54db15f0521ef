"""Pooling: max, average, adaptive, Lp pooling and max-unpooling, written
once for 1, 2 and 3 spatial dims.

Layout: every input is viewed as ``(B, *spatial)`` with all leading dims
(batch and channels, or channels alone for an unbatched input) flattened
into ``B``; the kernels never loop over them.

Sliding windows (max/avg pooling) are computed as a running reduction over
the kernel offsets: for each offset ``(ki, kj, ...)`` the input positions it
reads form one strided slice of the input and one rectangle of the output
(positions whose sample would fall in the padding are simply left out of
that rectangle, so nothing is ever padded or copied). That is ``prod(k)``
passes of one ufunc over output-sized views — faster in NumPy than a
reduction over an ``as_strided`` window axis — done a cache-sized block of
planes at a time.

Max pooling keeps, per output, the number of the kernel offset that won
(a uint8 for kernels up to 255 taps): torch's indices are rebuilt from it
through a lookup table, and backward scatters each gradient to the flat
input index it names with one ``np.add.at`` per block (output order, as
torch's kernel adds, so overlapping windows sum to the same bits).

Tie and NaN rules are torch's CPU kernel's: a value replaces the running
maximum when it is strictly greater or NaN, so the first maximum in
row-major window order wins, and the last NaN of a window.
"""
from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Function

_make = Tensor._make

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "max_pool3d_with_indices",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
]

# output elements per block of planes: the running result and the offset
# numbers stay in cache while the prod(k) input slices stream past
_BLOCK = 1 << 15

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
               "uint8": "Byte", "bool": "Bool"}


# ---------------------------------------------------------------- arguments
def _check_tensor(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def _expand(v, n, op, name, allow_empty=False):
    """An int or a sequence of 1 or n ints as an n-tuple of ints."""
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool):
        return (int(v),) * n
    if isinstance(v, (tuple, list)):
        if len(v) == 0 and allow_empty:
            return None
        if len(v) == 1:
            v = tuple(v) * n
        if len(v) == n and all(isinstance(e, (numbers.Integral, np.integer)) for e in v):
            return tuple(int(e) for e in v)
    what = {1: "an int", 2: "a single int, or a tuple of two ints",
            3: "a single int, or a tuple of three ints"}[n]
    raise RuntimeError(f"{op}: {name} must be {what}, but got {v!r}")


def _check_rank(x, nd, op):
    """Accepts (C, *spatial) or (N, C, *spatial) with non-empty non-batch dims."""
    shape = x._data.shape
    if x._data.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in shape[x._data.ndim - nd - 1:]):
        raise RuntimeError(
            f"{op}: expected a non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor with optional "
            f"0 dim batch size for input, but got input of size {list(shape)}")


def _pool_out_size(size, k, s, p, d, ceil):
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def _window_params(op, x, nd, kernel_size, stride, padding, dilation, ceil_mode, is_max):
    k = _expand(kernel_size, nd, op, "kernel_size")
    s = _expand(stride, nd, op, "stride", allow_empty=True) if stride is not None else None
    if s is None:
        s = k
    p = _expand(padding, nd, op, "padding")
    d = _expand(dilation, nd, op, "dilation")
    _check_rank(x, nd, op)
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{op}: kernel size should be greater than zero, but got "
                           f"kernel_size={k}")
    if any(v == 0 for v in s):
        raise RuntimeError(f"{op}: stride should not be zero (stride={s})")
    if any(v < 0 for v in s):
        raise RuntimeError(f"{op}: stride should be greater than zero, but got stride={s}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got dilation={d}")
    if any(v < 0 for v in p):
        raise RuntimeError(f"{op}: pad must be non-negative, but got padding={p}")
    for kk, pp, dd in zip(k, p, d):
        if pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but "
                               f"got pad={pp}, kernel_size={kk} and dilation={dd}")
        if is_max and pp > kk // 2:
            raise RuntimeError(f"{op}: pad should be smaller than or equal to half of kernel "
                               f"size, but got padding={p}, kernel_size={k}")
    spatial = x._data.shape[-nd:]
    out = tuple(_pool_out_size(n, kk, ss, pp, dd, ceil_mode)
                for n, kk, ss, pp, dd in zip(spatial, k, s, p, d))
    if any(o < 1 for o in out):
        c = x._data.shape[-nd - 1]
        raise RuntimeError(
            f"{op}: Given input size: ({'x'.join(map(str, (c,) + spatial))}). Calculated output "
            f"size: ({'x'.join(map(str, (c,) + out))}). Output size is too small")
    return k, s, p, d, out


def _offset_slices(size, out, k, s, p, d):
    """Per kernel offset along one dim: (offset, output slice, input slice)
    covering the outputs whose sample for that offset lies inside the input."""
    res = []
    for ki in range(k):
        off = ki * d - p
        lo = (-off + s - 1) // s if off < 0 else 0  # first o with o*s + off >= 0
        hi = min(out - 1, (size - 1 - off) // s)
        if hi < lo:
            res.append((ki, None, None))
            continue
        start = lo * s + off
        res.append((ki, slice(lo, hi + 1), slice(start, start + (hi - lo) * s + 1, s)))
    return res


def _combos(spatial, out, k, s, p, d):
    """All kernel offsets (row-major order) with their output and input slices."""
    per_dim = [_offset_slices(*a) for a in zip(spatial, out, k, s, p, d)]
    combos = []
    for n, parts in enumerate(itertools.product(*per_dim)):
        if any(pt[1] is None for pt in parts):
            continue
        full = all(pt[1].start == 0 and pt[1].stop == o for pt, o in zip(parts, out))
        combos.append((n, tuple(pt[1] for pt in parts), tuple(pt[2] for pt in parts), full))
    return combos


def _blocks(b, plane):
    step = max(1, _BLOCK // max(plane, 1))
    return [slice(i, min(i + step, b)) for i in range(0, b, step)]


def _lowest(dt):
    if dt.kind == "f" or dt == D.bfloat16.np:
        return -np.inf
    if dt.kind == "b":
        return False
    return np.iinfo(dt).min


def _as_planes(a, nd):
    """(B, *spatial) view (or copy) of ``a``."""
    return a.reshape((-1,) + a.shape[a.ndim - nd:])


# ---------------------------------------------------------------- max pool
def _max_pool_forward(x, nd, k, s, p, d, out_sz, want_kid):
    """(values, offset numbers or None) of max pooling ``x`` (B, *spatial)."""
    b = x.shape[0]
    spatial = x.shape[1:]
    combos = _combos(spatial, out_sz, k, s, p, d)
    out = np.empty((b,) + out_sz, x.dtype)
    plane = math.prod(out_sz)
    ktot = math.prod(k)
    kid = None
    low = _lowest(x.dtype)
    isfloat = x.dtype.kind == "f" or x.dtype == D.bfloat16.np
    if want_kid:
        kdt = np.uint8 if ktot < 256 else (np.int16 if ktot < 32768 else np.int32)
        kid = np.empty((b,) + out_sz, kdt)
        kid0 = _first_valid_offset(spatial, out_sz, k, s, p, d).astype(kdt)
    first_full = bool(combos) and combos[0][3]
    for blk in _blocks(b, plane):
        ob = out[blk]
        xb = x[blk]
        if first_full:
            np.copyto(ob, xb[(slice(None),) + combos[0][2]])
            rest = combos[1:]
        else:
            ob.fill(low)
            rest = combos
        if want_kid:
            # offsets run in increasing number, so the offset that last raised
            # the running max is the largest n with (v > max so far): a
            # running np.maximum of n * mask (uint8 passes, no masked copies)
            kb = kid[blk]
            kb[...] = kid0
            m = np.empty(ob.shape, bool)
            t = np.empty(ob.shape, kid.dtype)
            for n, osl, isl, _ in rest:
                o = ob[(slice(None),) + osl]
                v = xb[(slice(None),) + isl]
                mm = m[(slice(None),) + osl]
                tt = t[(slice(None),) + osl]
                np.greater(v, o, out=mm)
                np.maximum(o, v, out=o)
                # the mask as uint8: a bool operand would be cast (buffered)
                np.multiply(mm.view(np.uint8), kid.dtype.type(n), out=tt, casting="unsafe")
                kk = kb[(slice(None),) + osl]
                np.maximum(kk, tt, out=kk)
        else:
            for n, osl, isl, _ in rest:
                o = ob[(slice(None),) + osl]
                np.maximum(o, xb[(slice(None),) + isl], out=o)
    if want_kid and isfloat and np.isnan(out).any():
        # torch: a NaN always replaces the running max, so a NaN window
        # points at its last NaN (no update follows the first NaN above, so
        # the largest NaN offset number wins)
        for n, osl, isl, _ in combos:
            v = x[(slice(None),) + isl]
            kk = kid[(slice(None),) + osl]
            np.maximum(kk, (np.isnan(v) * n).astype(kid.dtype), out=kk)
    return out, kid


def _first_valid_offset(spatial, out_sz, k, s, p, d):
    """Per output, the number of the first kernel offset inside the input
    (torch starts each window's argmax there, e.g. for all -inf windows)."""
    tot = np.zeros(out_sz, np.int64)
    mult = 1
    nd = len(spatial)
    for ax in range(nd - 1, -1, -1):
        o = np.arange(out_sz[ax])
        start = o * s[ax] - p[ax]
        ki0 = np.where(start < 0, (-start + d[ax] - 1) // d[ax], 0)
        shape = [1] * nd
        shape[ax] = out_sz[ax]
        tot = tot + (ki0 * mult).reshape(shape)
        mult *= k[ax]
    return tot


def _offset_table(spatial, k, d):
    """Flat in-plane displacement of each kernel offset (row-major numbers)."""
    nd = len(spatial)
    istrides = [math.prod(spatial[a + 1:]) for a in range(nd)]
    table = np.zeros(math.prod(k), np.int64)
    for n, ks in enumerate(itertools.product(*[range(kk) for kk in k])):
        table[n] = sum(ki * d[a] * istrides[a] for a, ki in enumerate(ks))
    return table


def _kid_to_index(kid, spatial, out_sz, k, s, p, d):
    """torch's indices (flat within each input plane) from offset numbers."""
    nd = len(spatial)
    istrides = [math.prod(spatial[a + 1:]) for a in range(nd)]
    table = _offset_table(spatial, k, d)
    base = np.zeros(out_sz, np.int64)
    for a in range(nd):
        shape = [1] * nd
        shape[a] = out_sz[a]
        base = base + ((np.arange(out_sz[a]) * s[a] - p[a]) * istrides[a]).reshape(shape)
    idx = np.take(table, kid)
    idx += base
    return idx


class _MaxPoolNd(Function):
    once_differentiable = True
    name = "MaxPool2DWithIndicesBackward0"

    def forward(self, x, nd, k, s, p, d, out_sz, return_indices):
        lead = x.shape[:x.ndim - nd]
        xs = _as_planes(x, nd)
        want_kid = return_indices or self.requires_grad
        out, kid = _max_pool_forward(xs, nd, k, s, p, d, out_sz, want_kid)
        out = out.reshape(lead + out_sz)
        if self.requires_grad:
            self.kid = kid
            self.meta = (x.shape, nd, k, s, p, d, out_sz)
        if return_indices:
            idx = _kid_to_index(kid, xs.shape[1:], out_sz, k, s, p, d).reshape(lead + out_sz)
            return out, idx
        return out

    def backward(self, g, *_):
        shape, nd, k, s, p, d, out_sz = self.meta
        spatial = shape[len(shape) - nd:]
        g = g.reshape((-1,) + out_sz)
        gi = np.empty((g.shape[0],) + spatial, g.dtype)
        _max_pool_scatter(g, self.kid, gi, k, s, p, d)
        return gi.reshape(shape)


def _max_pool_scatter(g, kid, gi, k, s, p, d):
    """Fills ``gi`` (B, *spatial) with ``g`` (B, *out) summed into each
    output's winning input position (offset number ``kid``).

    One scatter of flat indices, not a masked pass per kernel offset (three
    passes over the output for each of the prod(k) offsets): the flat index
    is the window's base position plus a table lookup of its winning offset,
    and ``np.add.at`` adds in output order, exactly like torch's kernel (so
    overlapping windows sum to the same float32 bits). Done a cache-sized
    block of planes at a time: the zeroed gradient block, the indices and
    the scattered adds stay in cache, and the index buffers are allocated
    once (a fresh ``np.take`` result of this size costs more than the take).
    """
    b = g.shape[0]
    spatial, out_sz = gi.shape[1:], g.shape[1:]
    plane_in, plane = math.prod(spatial), math.prod(out_sz)
    if b == 0 or plane == 0:
        gi.fill(0)
        return
    step = max(1, _BLOCK // plane)
    # flat input index (within the block) of each window's offset 0, with
    # the block's planes laid end to end; reused by every block
    base = _kid_to_index(np.zeros(out_sz, np.uint8), spatial, out_sz, k, s, p, d)
    base = base + (np.arange(min(step, b), dtype=np.int64) * plane_in).reshape(
        (-1,) + (1,) * len(out_sz))
    table = _offset_table(spatial, k, d)
    idx = np.empty(base.shape, np.int64)
    for i in range(0, b, step):
        j = min(i + step, b)
        ib = idx[:j - i]
        np.take(table, kid[i:j], out=ib, mode="clip")  # kid is always in range
        np.add(ib, base[:j - i], out=ib)
        gib = gi[i:j].reshape(-1)
        gib.fill(0)
        np.add.at(gib, ib.reshape(-1), g[i:j].reshape(-1))


class _MaxPool1d(_MaxPoolNd):
    name = "MaxPool1DWithIndicesBackward0"  # torch: max_pool1d goes through max_pool2d


class _MaxPool3d(_MaxPoolNd):
    name = "MaxPool3DWithIndicesBackward0"


_MAX_CLS = {1: _MaxPool1d, 2: _MaxPoolNd, 3: _MaxPool3d}


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    op = f"max_pool{nd}d"
    _check_tensor(input, op)
    if input._data.dtype.kind == "c":
        raise RuntimeError(f'"{op}" not implemented for complex')
    k, s, p, d, out = _window_params(op, input, nd, kernel_size, stride, padding, dilation,
                                     bool(ceil_mode), True)
    return _MAX_CLS[nd].apply(input, nd=nd, k=k, s=s, p=p, d=d, out_sz=out,
                              return_indices=bool(return_indices))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ---------------------------------------------------------------- avg pool
def _avg_divisor(spatial, out_sz, k, s, p, ceil_mode, count_include_pad, divisor_override):
    """The divisor of every window (a scalar or an array broadcasting over
    the output), by torch's rule: the padded window clipped at the padded
    edge, or only its real input positions."""
    if divisor_override is not None:
        return divisor_override
    nd = len(spatial)
    div = None
    uniform = True
    for a in range(nd):
        o = np.arange(out_sz[a])
        start = o * s[a] - p[a]
        end = np.minimum(start + k[a], spatial[a] + p[a])
        if count_include_pad:
            n = end - start
        else:
            n = np.minimum(end, spatial[a]) - np.maximum(start, 0)
        if np.any(n != k[a]):
            uniform = False
        shape = [1] * nd
        shape[a] = out_sz[a]
        n = n.reshape(shape)
        div = n if div is None else div * n
    if uniform:
        return math.prod(k)
    return div


class _AvgPoolNd(Function):
    once_differentiable = True
    name = "AvgPool2DBackward0"

    def forward(self, x, nd, k, s, p, out_sz, ceil_mode, count_include_pad, divisor_override):
        lead = x.shape[:x.ndim - nd]
        xs = _as_planes(x, nd)
        spatial = xs.shape[1:]
        combos = _combos(spatial, out_sz, k, s, p, (1,) * nd)
        isint = x.dtype.kind in "iub"
        acc = np.int64 if isint else x.dtype
        b = xs.shape[0]
        out = np.empty((b,) + out_sz, acc)
        for blk in _blocks(b, math.prod(out_sz)):
            ob, xb = out[blk], xs[blk]
            rest = combos
            if combos and combos[0][3]:
                np.copyto(ob, xb[(slice(None),) + combos[0][2]], casting="unsafe")
                rest = combos[1:]
            else:
                ob.fill(0)
            for n, osl, isl, _ in rest:
                o = ob[(slice(None),) + osl]
                np.add(o, xb[(slice(None),) + isl], out=o, casting="unsafe")
        div = _avg_divisor(spatial, out_sz, k, s, p, ceil_mode, count_include_pad,
                           divisor_override)
        if isint:  # C integer division: truncation toward zero
            q = np.abs(out) // div
            out = np.where(out < 0, -q, q).astype(x.dtype)
        elif np.isscalar(div):
            out /= out.dtype.type(div)
        else:
            out /= div.astype(out.dtype)
        if self.requires_grad:
            self.meta = (x.shape, nd, k, s, p, out_sz, div)
        return out.reshape(lead + out_sz)

    def backward(self, g):
        shape, nd, k, s, p, out_sz, div = self.meta
        spatial = shape[len(shape) - nd:]
        g = g.reshape((-1,) + out_sz)
        gd = g / (g.dtype.type(div) if np.isscalar(div) else div.astype(g.dtype))
        gi = np.zeros((g.shape[0],) + spatial, g.dtype)
        combos = _combos(spatial, out_sz, k, s, p, (1,) * nd)
        overlap = any(ss < kk for kk, ss in zip(k, s))
        for blk in _blocks(g.shape[0], math.prod(out_sz)):
            gb, gib = gd[blk], gi[blk]
            for n, osl, isl, _ in combos:
                o = (slice(None),) + osl
                i = (slice(None),) + isl
                if overlap:
                    np.add(gib[i], gb[o], out=gib[i])
                else:
                    np.copyto(gib[i], gb[o])
        return gi.reshape(shape)


class _AvgPool3d(_AvgPoolNd):
    name = "AvgPool3DBackward0"


def _avg_pool(nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    op = f"avg_pool{nd}d"
    _check_tensor(input, op)
    dt = input._data.dtype
    if dt.kind in "bc":
        raise NotImplementedError(f'"{op}" not implemented for \'{_TYPE_NAMES.get(dt.name, dt.name)}\'')
    k, s, p, _, out = _window_params(op, input, nd, kernel_size, stride, padding, 1,
                                     bool(ceil_mode), False)
    if divisor_override is not None:
        if int(divisor_override) == 0:
            raise RuntimeError(f"{op}: divisor must be not zero")
        divisor_override = int(divisor_override)
    if nd == 3 and any(n < kk for n, kk in zip(input._data.shape[-3:], k)):
        raise RuntimeError(f"avg_pool3d: input image (T: {input._data.shape[-3]} H: "
                           f"{input._data.shape[-2]} W: {input._data.shape[-1]}) smaller than "
                           f"kernel size (kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    cls = _AvgPool3d if nd == 3 else _AvgPoolNd
    return cls.apply(input, nd=nd, k=k, s=s, p=p, out_sz=out, ceil_mode=bool(ceil_mode),
                     count_include_pad=bool(count_include_pad),
                     divisor_override=divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


# ---------------------------------------------------------------- adaptive
def _adaptive_output_size(op, input, nd, output_size):
    x = input._data
    if isinstance(output_size, Tensor):
        output_size = output_size.tolist()
    if nd > 1 and isinstance(output_size, (tuple, list)) and x.ndim <= len(output_size):
        raise ValueError(f"{op}(): Input dimension should be at least {len(output_size) + 1}")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(x.shape)}")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) == 1 and nd > 1:
            output_size = tuple(output_size) * nd
        if len(output_size) != nd:
            raise RuntimeError(f"{op}(): output_size must be {nd}, but got {len(output_size)}")
        if nd == 1 and output_size[0] is None:  # torch's 1-d ops take ints only
            raise TypeError(f"{op}(): argument 'output_size' must be tuple of ints, but found "
                            "element of type NoneType at pos 0")
        out = tuple(x.shape[x.ndim - nd + a] if v is None else v
                    for a, v in enumerate(output_size))
    elif output_size is None:
        out = x.shape[x.ndim - nd:]
    else:
        out = (output_size,) * nd
    for v in out:
        if not isinstance(v, (numbers.Integral, np.integer)) or isinstance(v, bool):
            raise TypeError(f"{op}(): argument 'output_size' must be tuple of ints, but found "
                            f"element of type {type(v).__name__}")
    out = tuple(int(v) for v in out)
    if any(v < 0 for v in out):
        raise RuntimeError(f"{op}(): elements of output_size must be greater than or equal to "
                           f"0 but received {list(out)}")
    for a in range(x.ndim - nd, x.ndim):
        if x.shape[a] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(x.shape)} with "
                               f"dimension {a} being empty")
    return out


def _adaptive_bounds(n_in, n_out):
    o = np.arange(n_out)
    start = (o * n_in) // n_out
    end = -((-(o + 1) * n_in) // n_out)
    return start, end


def _pool_matrix(n_in, n_out, dtype):
    start, end = _adaptive_bounds(n_in, n_out)
    j = np.arange(n_in)
    m = (j >= start[:, None]) & (j < end[:, None])
    return (m / (end - start)[:, None]).astype(dtype)


def _apply_axes(x, mats, nd, transpose=False):
    """``x`` (B, *spatial) with matrix ``mats[a]`` (out_a, in_a) applied along
    each spatial axis (its transpose when ``transpose``)."""
    b = x.shape[0]
    sp = list(x.shape[1:])
    y = np.ascontiguousarray(x)
    for a in range(nd - 1, -1, -1):
        m = mats[a]
        if m is None:
            continue
        if transpose:
            m = m.T
        before = b * math.prod(sp[:a])
        after = math.prod(sp[a + 1:])
        if after == 1:
            y = y.reshape(before, sp[a]) @ m.T
        else:
            y = np.matmul(m, y.reshape(before, sp[a], after))
        sp[a] = m.shape[0]
        y = y.reshape([b] + sp)
    return y


class _AdaptiveAvgPool(Function):
    once_differentiable = True
    name = "AdaptiveAvgPool2DBackward0"

    def forward(self, x, nd, out_sz):
        lead = x.shape[:x.ndim - nd]
        xs = _as_planes(x, nd)
        spatial = xs.shape[1:]
        if self.requires_grad:
            self.meta = (x.shape, nd, out_sz)
        if xs.size == 0 or math.prod(out_sz) == 0:
            return np.zeros(lead + out_sz, x.dtype)
        if all(o == 1 for o in out_sz):  # global average pooling
            rows = xs.reshape(xs.shape[0], -1)
            if x.dtype.char in "fd":  # a BLAS matrix-vector product: ~4x faster than
                # NumPy's mean over short rows (e.g. 7x7 planes)
                out = rows @ np.full(rows.shape[1], 1.0 / rows.shape[1], x.dtype)
            else:
                out = rows.mean(axis=1, dtype=x.dtype)
            return out.reshape(lead + out_sz)
        mats = [None if i == o else _pool_matrix(i, o, x.dtype) for i, o in zip(spatial, out_sz)]
        return _apply_axes(xs, mats, nd).reshape(lead + out_sz)

    def backward(self, g):
        shape, nd, out_sz = self.meta
        spatial = shape[len(shape) - nd:]
        g = g.reshape((-1,) + out_sz)
        if g.size == 0 or math.prod(spatial) == 0:
            return np.zeros(shape, g.dtype)
        if all(o == 1 for o in out_sz):
            n = math.prod(spatial)
            gi = np.empty((g.shape[0], n), g.dtype)
            gi[...] = g.reshape(-1, 1) / g.dtype.type(n)
            return gi.reshape(shape)
        mats = [None if i == o else _pool_matrix(i, o, g.dtype) for i, o in zip(spatial, out_sz)]
        return _apply_axes(g, mats, nd, transpose=True).reshape(shape)


class _AdaptiveAvgPool3d(_AdaptiveAvgPool):
    name = "AdaptiveAvgPool3DBackward0"


def _adaptive_avg(nd, input, output_size):
    op = f"adaptive_avg_pool{nd}d"
    _check_tensor(input, op)
    out = _adaptive_output_size(op, input, nd, output_size)
    dt = input._data.dtype
    if dt.kind not in "f" and dt != D.bfloat16.np:
        raise NotImplementedError(f'"{op}" not implemented for \'{_TYPE_NAMES.get(dt.name, dt.name)}\'')
    cls = _AdaptiveAvgPool3d if nd == 3 else _AdaptiveAvgPool
    return cls.apply(input, nd=nd, out_sz=out)


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(3, input, output_size)


def _adaptive_max_forward(x, nd, out_sz):
    """(values, flat plane indices) of adaptive max pooling ``x`` (B, *spatial),
    one spatial axis at a time (the max over a box is the max over rows of
    the per-row maxima, and torch's scan-order tie/NaN rule factorizes)."""
    spatial = x.shape[1:]
    v = x
    coords = []  # per processed axis: its chosen input coordinate, shaped like v
    for a in range(nd - 1, -1, -1):
        ax = a + 1
        start, end = _adaptive_bounds(spatial[a], out_sz[a])
        kmax = int((end - start).max())
        cur = arg = None
        for j in range(kmax):
            ij = np.minimum(start + j, end - 1)
            c = np.take(v, ij, axis=ax)
            shape = [1] * v.ndim
            shape[ax] = out_sz[a]
            ijb = ij.reshape(shape)
            if cur is None:
                cur = c
                arg = np.broadcast_to(ijb, c.shape).copy()
                continue
            m = c > cur
            if c.dtype.kind == "f":
                m |= np.isnan(c)
            np.copyto(cur, c, where=m)
            np.copyto(arg, ijb, where=m)
        # earlier axes' coordinates follow the chosen position along this axis
        coords = [np.take_along_axis(cc, arg, axis=ax) for cc in coords]
        coords.append(arg)
        v = cur
    # coords[i] belongs to axis nd-1-i
    idx = np.zeros(v.shape, np.int64)
    for i, cc in enumerate(coords):
        a = nd - 1 - i
        idx += cc * math.prod(spatial[a + 1:])
    return v, idx


class _AdaptiveMaxPool(Function):
    once_differentiable = True
    name = "AdaptiveMaxPool2DBackward0"

    def forward(self, x, nd, out_sz):
        lead = x.shape[:x.ndim - nd]
        xs = _as_planes(x, nd)
        if xs.shape[0] == 0 or math.prod(out_sz) == 0:
            out, idx = np.zeros((xs.shape[0],) + out_sz, x.dtype), np.zeros(
                (xs.shape[0],) + out_sz, np.int64)
        else:
            out, idx = _adaptive_max_forward(xs, nd, out_sz)
        if self.requires_grad:
            self.idx = idx
            self.shape = x.shape
            self.nd = nd
        return out.reshape(lead + out_sz), idx.reshape(lead + out_sz)

    def backward(self, g, *_):
        return _scatter_planes(g, self.idx, self.shape, self.nd)


class _AdaptiveMaxPool3d(_AdaptiveMaxPool):
    name = "AdaptiveMaxPool3DBackward0"


def _scatter_planes(g, idx, shape, nd):
    """Gradient (input shape) that sums ``g`` into the flat plane positions ``idx``."""
    plane = math.prod(shape[len(shape) - nd:])
    b = math.prod(shape[:len(shape) - nd])
    gf = g.reshape(b, -1)
    flat = idx.reshape(b, -1) + (np.arange(b) * plane)[:, None]
    gi = np.bincount(flat.ravel(), weights=gf.ravel().astype(np.float64), minlength=b * plane)
    return gi.astype(g.dtype).reshape(shape)


def _adaptive_max(nd, input, output_size, return_indices):
    op = f"adaptive_max_pool{nd}d"
    _check_tensor(input, op)
    out = _adaptive_output_size(op, input, nd, output_size)
    dt = input._data.dtype
    if dt.kind not in "f" and dt != D.bfloat16.np:
        raise NotImplementedError(f'"{op}" not implemented for \'{_TYPE_NAMES.get(dt.name, dt.name)}\'')
    cls = _AdaptiveMaxPool3d if nd == 3 else _AdaptiveMaxPool
    res = cls.apply(input, nd=nd, out_sz=out)
    return res if return_indices else res[0]


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(3, input, output_size, True)


# ---------------------------------------------------------------- unpool
class _MaxUnpool(Function):
    once_differentiable = True
    name = "MaxUnpool2DBackward0"

    def forward(self, x, idx, nd, out_sz):
        lead = x.shape[:x.ndim - nd]
        plane = math.prod(out_sz)
        b = math.prod(lead)
        xf = x.reshape(b, -1)
        fi = idx.reshape(b, -1)
        if fi.size and (fi.min() < 0 or fi.max() >= plane):
            bad = fi[(fi < 0) | (fi >= plane)][0]
            raise RuntimeError(f"max_unpool{nd}d: Found an invalid max index: {bad} (output "
                               f"volumes are of size {'x'.join(map(str, out_sz))})")
        out = np.zeros((b, plane), x.dtype)
        np.put_along_axis(out, fi, xf, axis=1)
        if self.requires_grad:
            self.idx = fi
            self.shape = x.shape
        return out.reshape(lead + out_sz)

    def backward(self, g, _=None):
        b = self.idx.shape[0]
        gi = np.take_along_axis(g.reshape(b, -1), self.idx, axis=1)
        return gi.reshape(self.shape), None


class _MaxUnpool3d(_MaxUnpool):
    name = "MaxUnpool3DBackward0"


def _unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    op = f"max_unpool{nd}d"
    _check_tensor(input, op)
    _check_tensor(indices, op)
    k = _expand(kernel_size, nd, op, "kernel_size")
    s = k if stride is None else _expand(stride, nd, op, "stride")
    p = _expand(padding, nd, op, "padding")
    x = input._data
    default = [(x.shape[x.ndim - nd + a] - 1) * s[a] + k[a] - 2 * p[a] for a in range(nd)]
    if output_size is None:
        out = default
    else:
        if isinstance(output_size, Tensor):
            output_size = output_size.tolist()
        output_size = list(output_size)
        if len(output_size) == nd + 2:
            output_size = output_size[2:]
        if len(output_size) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for a in range(nd):
            lo, hi = default[a] - s[a], default[a] + s[a]
            if not lo < output_size[a] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {a} must be '
                                 f"between {lo} and {hi})")
        out = output_size
    for a in range(nd):
        if out[a] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{a}]={out[a]}")
    if x.ndim not in (nd + 1, nd + 2) or (nd == 1 and x.ndim not in (2, 3)):
        raise RuntimeError(f"{op}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor for "
                           f"input, but got {list(x.shape)}")
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"{op}: elements in indices should be type int64 but got: "
                           f"{indices._data.dtype}")
    if indices._data.shape != x.shape:
        raise RuntimeError(f"{op}: Expected shape of indices to be same as that of the input "
                           f"tensor ({list(x.shape)}) but got indices tensor with shape: "
                           f"{list(indices._data.shape)}")
    cls = _MaxUnpool3d if nd == 3 else _MaxUnpool
    return cls.apply(input, indices, nd=nd, out_sz=tuple(int(v) for v in out))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _unpool(3, input, indices, kernel_size, stride, padding, output_size)


# ---------------------------------------------------------------- Lp pool
def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    from . import pointwise as P

    _check_tensor(input, f"lp_pool{nd}d")
    k = _expand(kernel_size, nd, f"lp_pool{nd}d", "kernel_size")
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return _max_pool(nd, P.abs(input), kernel_size, stride, 0, 1, ceil_mode, False)
        if norm_type == -float("inf"):
            return P.neg(_max_pool(nd, P.neg(P.abs(input)), kernel_size, stride, 0, 1,
                                   ceil_mode, False))
    out = _avg_pool(nd, P.pow(input, norm_type), kernel_size, stride, 0, ceil_mode, True, None)
    a = P.abs(out)
    relu_a = P.mul(a, P.gt(a, 0).to(a.dtype))  # relu: gradient 0 at 0, like torch's
    return P.pow(P.mul(P.mul(P.sign(out), relu_a), math.prod(k)), 1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)
