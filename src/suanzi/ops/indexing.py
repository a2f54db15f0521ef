"""``Tensor.__getitem__`` / ``__setitem__`` and ``index_put``.

An index is split in two passes, which is how torch orders them:

1. the *basic* part (ints, slices, None, Ellipsis) is applied first as one
   NumPy basic index: a view of the input (``BasicIndex``, ``may_be_view``);
2. the *advanced* part (integer/bool tensors, lists, arrays, Python bools) is
   then applied to that view with NumPy's placement rules (``AdvIndex``; a
   copy). Because ints were consumed in pass 1, ``x[0, :, [1, 2]]`` on a
   (2, 3, 4) tensor gives torch's (3, 2), not NumPy's (2, 3).

Backward of an advanced index accumulates repeated indices (``np.add.at``).
``x[idx] = v`` is an in-place op through ``Tensor._inplace_apply`` with a
``SetItem`` node whose inputs are (self, value).
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from .._tensor import Tensor
from ._util import scalar_array

_make = Tensor._make

__all__ = ["index_put"]

_FULL = slice(None)


# ------------------------------------------------------------------ Functions
class BasicIndex(Function):
    """``a[idx]`` for a basic index (ints, slices, None, Ellipsis): a view."""

    may_be_view = "always"  # basic indexing (with a trailing Ellipsis) never copies
    name = "SliceBackward0"

    def forward(self, a, idx):
        self.shape = a.shape
        self.idx = idx
        return a[idx]

    def backward(self, g):
        return BasicIndexBackward.apply(g, shape=self.shape, idx=self.idx)


class SelectIndex(BasicIndex):
    name = "SelectBackward0"


class UnsqueezeIndex(BasicIndex):
    name = "UnsqueezeBackward0"


class AliasIndex(BasicIndex):
    name = "AliasBackward0"


def _basic_cls(basic):
    """The class (hence torch's node name) of the last op torch applies for a
    basic index: full slices are skipped."""
    if basic is None:
        return AliasIndex
    for it in reversed(basic):
        if it is Ellipsis or it == _FULL:
            continue
        if it is None:
            return UnsqueezeIndex
        if type(it) is slice:
            return BasicIndex
        return SelectIndex
    return AliasIndex


class BasicIndexBackward(Function):
    """Zeros of ``shape`` with ``g`` placed at the basic index ``idx``
    (also used to zero-pad a tensor)."""

    name = "SliceBackwardBackward0"

    def forward(self, g, shape, idx):
        self.idx = idx
        out = np.zeros(shape, g.dtype)
        out[idx] = g
        return out

    def backward(self, gg):
        return BasicIndex.apply(gg, idx=self.idx)


class AdvIndex(Function):
    """``a[idx]`` for an advanced NumPy index tuple (a copy). ``unique``: the
    index selects every element at most once (pure boolean masks)."""

    name = "IndexBackward0"

    def forward(self, a, idx, unique=False):
        self.shape = a.shape
        self.idx = idx
        self.unique = unique
        return a[idx]

    def backward(self, g):
        return AdvIndexBackward.apply(g, shape=self.shape, idx=self.idx, unique=self.unique)


class AdvIndexBackward(Function):
    """Zeros of ``shape`` with ``g`` added at ``idx`` (repeated indices accumulate)."""

    name = "IndexPutBackward0"

    def forward(self, g, shape, idx, unique=False):
        self.idx = idx
        self.unique = unique
        out = np.zeros(shape, g.dtype)
        if unique:
            out[idx] = g
        else:
            np.add.at(out, idx, g)
        return out

    def backward(self, gg):
        return AdvIndex.apply(gg, idx=self.idx, unique=self.unique)


def _take_region(t, basic, adv, unique):
    """``t[basic][adv]`` with suanzi Functions (differentiable)."""
    if basic is not None:
        t = BasicIndex.apply(t, idx=basic)
    if adv is not None:
        t = AdvIndex.apply(t, idx=adv, unique=unique)
    return t


def _assign(arr, basic, adv, v, accumulate=False):
    """Write ``v`` into ``arr[basic][adv]`` in place (NumPy)."""
    tgt = arr if basic is None else arr[basic]
    if adv is None:
        tgt[...] = v
    elif accumulate:
        np.add.at(tgt, adv, v)
    else:
        tgt[adv] = v


class SetItem(Function):
    """``out = a.clone(); out[basic][adv] = v`` (``+=`` with accumulate):
    the gradient of the region goes to ``v``; ``a`` gets the rest (all of it
    with accumulate)."""

    name = "IndexPutBackward0"

    def forward(self, a, v, basic, adv, unique=False, accumulate=False):
        self.basic, self.adv, self.unique, self.accumulate = basic, adv, unique, accumulate
        out = a.copy()
        _assign(out, basic, adv, v, accumulate)
        return out

    def backward(self, g):
        ga = gv = None
        if self.needs_input_grad[0]:
            if self.accumulate:
                ga = g
            else:
                ga = SetItem.apply(g, _make(np.zeros((), g._data.dtype)), basic=self.basic,
                                   adv=self.adv, unique=self.unique)
        if self.needs_input_grad[1]:
            gv = _take_region(g, self.basic, self.adv, self.unique)
        return ga, gv


class SetItemSlices(SetItem):
    """``x[basic] = v``: torch names this node CopySlices."""

    name = "CopySlices"


# ------------------------------------------------------------------ parsing
_NONE, _ELL, _SLICE, _INT, _BOOL, _ARR, _MASK = range(7)


def _seq_as_tuple(seq):
    """torch's (deprecated, NumPy-legacy) rule: a short list that holds
    sequences, slices, None, Ellipsis or tensors indexes like a tuple."""
    if len(seq) >= 32:
        return False
    for x in seq:
        if x is None or x is Ellipsis or isinstance(x, (slice, list, tuple, Tensor, np.ndarray)):
            return True
    return False


def _classify_array(a, from_list=False):
    k = a.dtype.kind
    if k == "b" or a.dtype == np.uint8:
        a = a.astype(bool, copy=False)
        if a.ndim == 0:
            return _BOOL, bool(a)
        return _MASK, a
    if k in "iu":
        if a.ndim == 0:
            return _INT, int(a)
        return _ARR, a.astype(np.int64, copy=False)
    if from_list and (k == "f" or a.size == 0):
        # torch converts a Python list of numbers to a long index
        if a.ndim == 0:
            return _INT, int(a)
        return _ARR, a.astype(np.int64)
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _classify(it):
    if it is None:
        return _NONE, None
    if it is Ellipsis:
        return _ELL, None
    t = type(it)
    if t is slice:
        return _SLICE, it
    if t is bool or t is np.bool_:
        return _BOOL, bool(it)
    if t is int or isinstance(it, (numbers.Integral, np.integer)):
        return _INT, int(it)
    if isinstance(it, Tensor):
        return _classify_array(it._data)
    if isinstance(it, np.ndarray):
        return _classify_array(it)
    if isinstance(it, (list, tuple)):
        vals = [x._data if isinstance(x, Tensor) else x for x in it]
        try:
            a = np.asarray(vals)
        except ValueError:
            raise IndexError("could not convert the index sequence to a tensor") from None
        return _classify_array(a, from_list=True)
    if isinstance(it, (float, np.floating)):
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         f"Variables are valid indices (got {type(it).__name__})")
    raise TypeError(f"invalid index of type {type(it).__name__}")


def _oob(i, d, n):
    return IndexError(f"index {i} is out of bounds for dimension {d} with size {n}")


def _check_bounds(arr, d, n):
    if arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < -n:
            raise _oob(lo, d, n)
        if hi >= n:
            raise _oob(hi, d, n)


def _parse(shape, index):
    """Split ``index`` into (basic, adv, unique, region_shape_fn).

    basic: a NumPy basic index tuple (ending with Ellipsis) or None when trivial;
    adv: a NumPy index tuple for the view ``x[basic]`` or None; unique: the
    advanced index is a single boolean mask (no element selected twice).
    """
    if type(index) is not tuple:
        if type(index) is list and _seq_as_tuple(index):
            index = tuple(index)
        else:
            index = (index,)
    ndim = len(shape)
    items = []
    consumed = 0
    n_ell = 0
    for it in index:
        kind, v = _classify(it)
        if kind == _SLICE or kind == _INT or kind == _ARR:
            consumed += 1
        elif kind == _MASK:
            consumed += v.ndim
        elif kind == _ELL:
            n_ell += 1
            if n_ell > 1:  # torch: a later Ellipsis stands for no dims
                continue
        items.append((kind, v))
    if consumed > ndim:
        if ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")

    basic = []
    adv = []  # (view dim, number of view dims covered, array)
    trivial = True
    d_in = 0
    d_out = 0
    for kind, v in items:
        if kind == _SLICE:
            if v.step is not None:
                step = v.step.__index__()
                if step <= 0:
                    if step == 0:
                        raise ValueError("slice step cannot be zero")
                    raise ValueError("step must be greater than zero")
            if v != _FULL:
                trivial = False
            basic.append(v)
            d_in += 1
            d_out += 1
        elif kind == _INT:
            n = shape[d_in]
            if not -n <= v < n:
                raise _oob(v, d_in, n)
            basic.append(v)
            trivial = False
            d_in += 1
        elif kind == _NONE:
            basic.append(None)
            trivial = False
            d_out += 1
        elif kind == _ELL:
            k = ndim - consumed
            basic.extend([_FULL] * k)
            d_in += k
            d_out += k
        elif kind == _BOOL:  # a new dim of size 1, indexed by [0] (True) or [] (False)
            basic.append(None)
            trivial = False
            adv.append((d_out, 1, np.zeros(int(v), np.int64)))
            d_out += 1
        elif kind == _ARR:
            _check_bounds(v, d_in, shape[d_in])
            basic.append(_FULL)
            adv.append((d_out, 1, v))
            d_in += 1
            d_out += 1
        else:  # _MASK
            k = v.ndim
            if v.shape != shape[d_in:d_in + k]:
                for j in range(k):
                    if v.shape[j] != shape[d_in + j]:
                        raise IndexError(
                            f"The shape of the mask {list(v.shape)} at index {j} does not match "
                            f"the shape of the indexed tensor {list(shape)} at index {d_in + j}")
            basic.extend([_FULL] * k)
            adv.append((d_out, k, v))
            d_in += k
            d_out += k
    basic_t = None if trivial else tuple(basic) + (Ellipsis,)
    if not adv:
        return basic_t, None, False
    unique = len(adv) == 1 and adv[0][2].dtype == np.bool_
    if len(adv) > 1:
        shapes = [(int(np.count_nonzero(a)),) if a.dtype == np.bool_ else a.shape
                  for _, _, a in adv]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                             "with shapes " + ", ".join(str(list(s)) for s in shapes)) from None
    idx = []
    d = 0
    for vd, k, a in adv:
        while d < vd:
            idx.append(_FULL)
            d += 1
        idx.append(a)
        d += k
    return basic_t, tuple(idx), unique


# ------------------------------------------------------------------ getitem
def getitem(self, index):
    t = type(index)
    if t is int:  # fast path: x[i]
        shape = self._data.shape
        if not shape:
            _parse(shape, index)
        n = shape[0]
        if not -n <= index < n:
            raise _oob(index, 0, n)
        return SelectIndex.apply(self, idx=(index, Ellipsis))
    if t is slice and (index.step is None or (type(index.step) is int and index.step > 0)) \
            and self._data.ndim:
        r = BasicIndex.apply(self, idx=(index, Ellipsis))
        if r._base is None and not r._data.size:  # an empty view is still a view
            r._set_view_of(self)
        return r
    basic, adv, unique = _parse(self._data.shape, index)
    if adv is None:
        r = _basic_cls(basic).apply(self, idx=(Ellipsis,) if basic is None else basic)
        if r._base is None and not r._data.size:  # an empty view is still a view
            r._set_view_of(self)
        return r
    if basic is not None:
        self = BasicIndex.apply(self, idx=basic)
    return AdvIndex.apply(self, idx=adv, unique=unique)


# ------------------------------------------------------------------ setitem
_C_NAMES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int",
            "int64": "int64_t", "float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16"}


def fill_scalar(value, dt):
    """A Python/NumPy scalar as a 0-d array of ``dt`` with torch's fill check
    (RuntimeError when it overflows the dtype; uint8 accepts down to -255)."""
    if dt.category == D.BOOL:
        return np.array(bool(value))
    if dt.category == D.INT and not isinstance(value, (complex, np.complexfloating)):
        info = np.iinfo(dt.np)
        lo = -int(info.max) if info.min == 0 else int(info.min)
        if value != value or not lo <= value <= int(info.max):
            raise RuntimeError(f"value cannot be converted to type {_C_NAMES[dt.name]} without "
                               "overflow")
        return scalar_array(int(value), dt)
    if dt.category == D.FLOAT and isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        big = float(np.finfo(np.float32 if dt.np is None else dt.np).max) if dt.name != \
            "bfloat16" else 3.3895313892515355e38
        if v == v and abs(v) != float("inf") and abs(v) > big:
            raise RuntimeError(f"value cannot be converted to type {_C_NAMES[dt.name]} without "
                               "overflow")
    return np.array(value, dtype=dt.np)


def _region_shape(arr, basic, adv):
    v = arr if basic is None else arr[basic]
    if adv is None:
        return v.shape
    # the shape NumPy (and torch, after pass 1) gives v[adv], without copying data
    dummy = np.lib.stride_tricks.as_strided(np.zeros(1, np.int8), v.shape, (0,) * v.ndim)
    return dummy[adv].shape


def _value_tensor(self, value, region):
    """``value`` as a Tensor of self's dtype whose shape broadcasts to ``region``."""
    dt = self._data.dtype
    if isinstance(value, Tensor):
        v = value
        if v._data.dtype != dt:
            v = v.to(D._FROM_NP[dt])
    elif isinstance(value, (numbers.Number, np.generic)):
        return _make(fill_scalar(value, D._FROM_NP[dt]))
    else:
        raise TypeError(f"can't assign a {type(value).__module__}.{type(value).__name__} to a "
                        f"Tensor (use a Tensor or a number)")
    vs = v._data.shape
    if vs != region:
        ok = True
        if len(vs) > len(region):
            lead = len(vs) - len(region)
            if any(s != 1 for s in vs[:lead]):
                ok = False
            else:
                v = v.reshape(vs[lead:])
                vs = vs[lead:]
        if ok:
            for a, b in zip(vs[::-1], region[::-1]):
                if a != b and a != 1:
                    ok = False
                    break
        if not ok:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape if isinstance(value, Tensor) else vs)} "
                               f"cannot be broadcast to indexing result of shape {list(region)}")
    return v


def _dense(a):
    return a.flags.c_contiguous or a.flags.f_contiguous


def _check_overlap(self, basic, v):
    """torch refuses a value that partly overlaps the written region (it checks
    only dense layouts, as here)."""
    tgt = self._data if basic is None else self._data[basic]
    va = v._data
    if va.size and tgt.size and _dense(tgt) and _dense(va) and np.may_share_memory(tgt, va):
        same = (tgt.__array_interface__["data"][0] == va.__array_interface__["data"][0]
                and tgt.shape == va.shape and tgt.strides == va.strides)
        if not same:
            raise RuntimeError(
                "unsupported operation: some elements of the input tensor and the written-to "
                "tensor refer to a single memory location. Please clone() the tensor before "
                "performing the operation.")


def _put(self, basic, adv, unique, value, accumulate):
    region = _region_shape(self._data, basic, adv)
    v = _value_tensor(self, value, region)
    if adv is None and isinstance(value, Tensor):
        _check_overlap(self, basic, v)
    self._check_inplace()
    if not (STATE.enabled and (self._requires_grad or v._requires_grad)):
        try:
            _assign(self._data, basic, adv, v._data, accumulate)
        except ValueError as e:
            if not self._data.flags.writeable:
                raise RuntimeError(
                    "unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location (an expanded view or a read-only array). "
                    "Please clone() the tensor before performing the operation.") from None
            raise RuntimeError(str(e)) from None
        self._vc[0] += 1
        return self
    return self._inplace_apply(SetItem if adv is not None else SetItemSlices, v, basic=basic,
                               adv=adv, unique=unique, accumulate=accumulate)


def setitem(self, index, value):
    if type(index) is int and self._data.ndim:
        n = self._data.shape[0]
        if not -n <= index < n:
            raise _oob(index, 0, n)
        basic, adv, unique = (index, Ellipsis), None, False
    else:
        basic, adv, unique = _parse(self._data.shape, index)
    _put(self, basic, adv, unique, value, False)


def _indices_tuple(indices, name):
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' must be a tuple of Tensors")
    out = []
    for j, t in enumerate(indices):
        if t is None:
            raise TypeError(f"{name}(): expected Tensor as element {j} in argument 'indices', "
                            "but got NoneType")
        elif isinstance(t, Tensor):
            k = t._data.dtype.kind
            if k not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            # a 0-d index tensor counts as an advanced index here (as in torch)
            out.append(t._data.reshape(1) if t._data.ndim == 0 and k != "b" else t._data)
        else:
            raise TypeError(f"{name}(): indices must be Tensors, got {type(t).__name__}")
    return tuple(out)


def index_put_(self, indices, values, accumulate=False):
    basic, adv, unique = _parse(self._data.shape, _indices_tuple(indices, "index_put_"))
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put_(): argument 'values' must be Tensor, not "
                        f"{type(values).__name__}")
    if values._data.dtype != self._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_name(self.dtype)} for the destination and {_name(values.dtype)} "
                           "for the source.")
    return _put(self, basic, adv, unique, values, bool(accumulate))


def index_put(input, indices, values, accumulate=False):
    from .conversion import clone

    return index_put_(clone(input), indices, values, accumulate)


def _name(dt):
    from .pointwise import _type_name

    return _type_name(dt)


METHODS = {"__getitem__": getitem, "__setitem__": setitem, "index_put_": index_put_,
           "index_put": index_put}
