"""Views and shape ops: view/reshape, transpose/permute, squeeze/unsqueeze,
expand, flatten, cat/stack, split/chunk, flip/roll, repeat/tile, gather and
scatter, masked_fill, where, index_select/index_add/index_copy/index_fill,
diag/diagonal/tril/triu.

View ops are Functions with ``may_be_view = True``: when NumPy returns a view
of the input, the result shares the base's memory and version counter.
Every backward is written with suanzi Functions (pairs such as
gather/scatter_add, split/cat, index_select/index_add are each other's
derivatives), so ``create_graph=True`` differentiates through them.
"""
from __future__ import annotations

import numbers
from math import prod as _prod

import numpy as np
from math import prod as _prod

from .. import _dtype as D
from ..autograd.function import Function
from .._tensor import Size, Tensor
from ._util import broadcast_shapes as _broadcast_shapes, promote, shape_arg, \
    to_tensor_operand, wrap_dim, wrap_dims
from .indexing import AdvIndex, BasicIndex, BasicIndexBackward, SelectIndex, fill_scalar

_make = Tensor._make
_FULL = slice(None)

__all__ = [
    "reshape", "view_as", "reshape_as", "transpose", "swapaxes", "swapdims", "t", "permute",
    "movedim", "moveaxis", "squeeze", "unsqueeze", "flatten", "unflatten", "expand_as",
    "broadcast_to", "broadcast_tensors", "broadcast_shapes", "narrow", "unbind", "split",
    "tensor_split", "chunk", "cat", "concat", "concatenate", "stack", "hstack", "vstack",
    "dstack", "atleast_1d", "atleast_2d", "atleast_3d", "flip", "fliplr", "flipud", "roll",
    "tile", "index_select", "gather", "scatter", "scatter_add", "masked_fill", "masked_select",
    "where", "nonzero", "argwhere", "diag", "diagonal", "tril", "triu", "take", "index_add",
    "index_copy", "index_fill", "select", "take_along_dim",
]


# ------------------------------------------------------------------ helpers
def _int_list(args, name="dims"):
    """Varargs ints, one tuple/list/Size, or one int → tuple of ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    try:
        return tuple(a.__index__() for a in args)
    except AttributeError:
        raise TypeError(f"{name} must be a tuple of ints") from None


def _dims(dims, name="dims"):
    if isinstance(dims, (tuple, list)):
        return _int_list((dims,), name)
    return (dims.__index__(),) if hasattr(dims, "__index__") else _int_list((dims,), name)


def _tensor_arg(x, op, name="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _index_arg(index, op, name="index"):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(index).__name__}")
    return index._data


def _zeros_like(t):
    return _make(np.zeros(t._data.shape, t._data.dtype))


def _pad_to(t, shape):
    """Zero-pad ``t`` (at the end of each dim) to ``shape``; differentiable."""
    if t._data.shape == tuple(shape):
        return t
    return BasicIndexBackward.apply(
        t, shape=tuple(shape), idx=tuple(slice(0, n) for n in t._data.shape) + (Ellipsis,))


# ------------------------------------------------------------------ view / reshape
def _infer_shape(shape, numel):
    """Resolve one -1 with torch's errors."""
    if -1 not in shape and _prod(shape) == numel and (not shape or min(shape) >= 0):
        return shape
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if neg:
        rest = 1
        for i, s in enumerate(shape):
            if i != neg[0]:
                rest *= s
        if rest == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                    "unspecified dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % rest:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // rest if s == -1 else s for s in shape)
    n = 1
    for s in shape:
        n *= s
    if n != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class View(Function):
    may_be_view = "always"

    def forward(self, a, shape):
        if self.requires_grad:  # only backward reads it (saves a dict on the no-grad path)
            self.in_shape = a.shape
        if a.flags.c_contiguous:  # always viewable; ndarray.reshape is 6x cheaper
            return a.reshape(shape)
        try:
            return np.reshape(a, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    def backward(self, g):
        return g.reshape(self.in_shape)


class Reshape(Function):
    name = "ViewBackward0"
    may_be_view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        return np.reshape(a, shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


class _ViewDtype(Function):
    may_be_view = True
    name = "ViewBackward0"

    def forward(self, a, dtype):
        if a.ndim == 0 and a.dtype.itemsize != dtype.itemsize:
            raise RuntimeError("self.dim() cannot be 0 to view a tensor as a dtype of a "
                               "different size")
        if a.dtype.itemsize != dtype.itemsize and a.ndim and a.strides[-1] != a.itemsize:
            raise RuntimeError("self.stride(-1) must be 1 to view a tensor as a dtype of a "
                               "different size")
        try:
            return a.view(dtype)
        except ValueError as e:
            raise RuntimeError(f"view(dtype): {e}") from None


def view(self, *shape):
    if len(shape) > 1 or (shape and type(shape[0]) is tuple):  # fast path: known sizes, all Python ints
        sizes = shape if len(shape) > 1 else shape[0]
        n = _prod(sizes)  # an int only when every size is one (floats/tensors go below)
        if type(n) is int and n == self._data.size and (not sizes or min(sizes) >= 0):
            return View.apply(self, shape=sizes)
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int, np.integer, Tensor)) \
            and shape[0] is not None:
        dt = D.to_dtype(shape[0])
        if dt.np == self._data.dtype:
            return View.apply(self, shape=self._data.shape)
        return _ViewDtype.apply(self, dtype=dt.np)
    shape = _infer_shape(shape_arg(shape), self._data.size)
    return View.apply(self, shape=shape)


def reshape(input, *shape):
    shape = _infer_shape(shape_arg(shape), input._data.size)
    if shape == input._data.shape:
        return View.apply(input, shape=shape)
    return Reshape.apply(input, shape=shape)


def view_as(self, other):
    return view(self, other._data.shape)


def reshape_as(self, other):
    return reshape(self, other._data.shape)


# ------------------------------------------------------------------ transpose / permute
class Transpose(Function):
    may_be_view = True

    def forward(self, a, d0, d1):
        self.d = (d0, d1)
        return np.swapaxes(a, d0, d1)

    def backward(self, g):
        return Transpose.apply(g, d0=self.d[0], d1=self.d[1])


def transpose(input, dim0, dim1):
    n = input._data.ndim
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    if n == 0:
        return View.apply(input, shape=())
    return Transpose.apply(input, d0=d0, d1=d1)


class _T(Transpose):
    name = "TBackward0"


def t(input):
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    if n < 2:
        return View.apply(input, shape=input._data.shape)
    return _T.apply(input, d0=0, d1=1)


class Permute(Function):
    may_be_view = True

    def forward(self, a, dims):
        self.dims = dims
        return np.transpose(a, dims)

    def backward(self, g):
        return Permute.apply(g, dims=tuple(np.argsort(self.dims).tolist()))


def permute(input, *dims):
    dims = _int_list(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(): number of dimensions in the tensor input does not match the length of "
            f"the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
            f"len(dims) = {len(dims)}")
    w = [wrap_dim(d, n) for d in dims]
    if len(set(w)) != len(w):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=tuple(w))


def _T_prop(self):
    n = self._data.ndim
    if n != 2:
        import warnings
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                      "these cases." if n == 0 else
                      "The use of `x.T` on tensors of dimension other than 2 to reverse their "
                      "shape is deprecated and it will throw an error in a future release. "
                      "Consider `x.mT` to transpose batches of matrices or "
                      "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions "
                      "of a tensor.", UserWarning, stacklevel=2)
    if n < 2:
        return View.apply(self, shape=self._data.shape)
    return Permute.apply(self, dims=tuple(range(n - 1, -1, -1)))


def _mT(self):
    n = self._data.ndim
    if n < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {n}-D tensor.")
    return Transpose.apply(self, d0=n - 2, d1=n - 1)


def _mH(self):
    n = self._data.ndim
    if n < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. "
                           f"Got {n}-D tensor.")
    r = Transpose.apply(self, d0=n - 2, d1=n - 1)
    return r.conj() if self._data.dtype.kind == "c" else r


def _H(self):
    n = self._data.ndim
    if n not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D "
                           "tensor.")
    return _mH(self) if n == 2 else View.apply(self, shape=())


def movedim(input, source, destination):
    n = input._data.ndim
    src, dst = _dims(source, "source"), _dims(destination, "destination")
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)")
    ws = [wrap_dim(d, n) for d in src]
    wd = [wrap_dim(d, n) for d in dst]
    if len(set(ws)) != len(ws):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(wd)) != len(wd):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    if n == 0:
        return View.apply(input, shape=())
    perm = [None] * n
    for s, d in zip(ws, wd):
        perm[d] = s
    rest = iter(d for d in range(n) if d not in ws)
    perm = tuple(p if p is not None else next(rest) for p in perm)
    return Permute.apply(input, dims=perm)


moveaxis = movedim


def swapaxes(input, axis0, axis1):
    return transpose(input, axis0, axis1)


swapdims = swapaxes


# ------------------------------------------------------------------ squeeze / unsqueeze / flatten
class Squeeze(View):
    name = "SqueezeBackward0"


class SqueezeDim(View):
    name = "SqueezeBackward1"


class Unsqueeze(View):
    name = "UnsqueezeBackward0"


def squeeze(input, *dim):
    shape = input._data.shape
    n = len(shape)
    if not dim or (len(dim) == 1 and dim[0] is None):
        new = tuple(s for s in shape if s != 1)
    else:
        dims = wrap_dims(_int_list(dim, "dim"), n)
        new = tuple(s for i, s in enumerate(shape) if not (s == 1 and i in dims))
        return SqueezeDim.apply(input, shape=new)
    return Squeeze.apply(input, shape=new)


def unsqueeze(input, dim):
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1)
    return Unsqueeze.apply(input, shape=shape[:d] + (1,) + shape[d:])


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    n = len(shape)
    if n == 0:
        return View.apply(input, shape=(1,))
    s, e = wrap_dim(start_dim, n), wrap_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    m = 1
    for k in shape[s:e + 1]:
        m *= k
    new = shape[:s] + (m,) + shape[e + 1:]
    return Reshape.apply(input, shape=new)


def unflatten(input, dim, sizes):
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = _int_list((sizes,), "sizes")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = shape[d] if shape else 1
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    ok = sizes.count(-1) <= 1 and (known == n if -1 not in sizes else (known and n % known == 0))
    if not ok:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({n}) in the input tensor")
    if -1 in sizes:
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    return Reshape.apply(input, shape=shape[:d] + sizes + shape[d + 1:])


# ------------------------------------------------------------------ expand / broadcast
class Expand(Function):
    may_be_view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        return np.broadcast_to(a, shape)

    def backward(self, g):
        return g.sum_to_size(self.in_shape)


def expand(self, *sizes):
    sizes = shape_arg(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    f"non-existing dimension {i}")
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}")
        out.append(s)
    return Expand.apply(self, shape=tuple(out))


def expand_as(self, other):
    return expand(self, other._data.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_shapes(*shapes):
    shapes = [(s,) if isinstance(s, (int, np.integer)) else tuple(s) for s in shapes]
    for s in shapes:
        for n in s:
            if n < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                                   f"{list(s)}")
    return Size(_broadcast_shapes(*shapes))


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    shape = _broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(t if t._data.shape == shape else Expand.apply(t, shape=shape) for t in tensors)


# ------------------------------------------------------------------ narrow / select / unbind / split
def narrow(input, dim, start, length):
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    start, length = start.__index__(), length.__index__()
    n = shape[d]
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return BasicIndex.apply(input, idx=(_FULL,) * d + (slice(start, start + length), Ellipsis))


def select(input, dim, index):
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    i = index.__index__()
    n = shape[d]
    if not -n <= i < n:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(shape)} at "
                         f"dimension {d}")
    return SelectIndex.apply(input, idx=(_FULL,) * d + (i, Ellipsis))


class Pieces(Function):
    """Several basic-index views of one input (split/chunk/unbind): one node,
    whose backward places each piece's gradient (None: zeros) back."""

    may_be_view = True
    name = "SplitBackward0"

    def forward(self, a, idxs):
        self.shape = a.shape
        self.idxs = idxs
        return tuple(a[i] for i in idxs)

    def backward(self, *gs):
        return PiecesBackward.apply(*gs, shape=self.shape, idxs=self.idxs)


class PiecesBackward(Function):
    name = "SplitBackwardBackward0"

    def forward(self, *gs, shape, idxs):
        self.idxs = idxs
        dt = next(g.dtype for g in gs if g is not None)
        out = np.zeros(shape, dt)
        for g, i in zip(gs, idxs):
            if g is not None:
                out[i] += g
        return out

    def backward(self, gg):
        return Pieces.apply(gg, idxs=self.idxs)


class _Unbind(Pieces):
    name = "UnbindBackward0"


class _SplitWithSizes(Pieces):
    name = "SplitWithSizesBackward0"


class _TensorSplit(Pieces):
    name = "SliceBackward0"


def _split_sizes(input, sizes, d, cls=Pieces):
    idxs = []
    pre = (_FULL,) * d
    o = 0
    for s in sizes:
        idxs.append(pre + (slice(o, o + s), Ellipsis))
        o += s
    return cls.apply(input, idxs=idxs)


def unbind(input, dim=0):
    shape = input._data.shape
    if not shape:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, len(shape))
    if shape[d] == 0:
        return ()
    pre = (_FULL,) * d
    return _Unbind.apply(input, idxs=[pre + (i, Ellipsis) for i in range(shape[d])])


def split(tensor, split_size_or_sections, dim=0):
    shape = tensor._data.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, len(shape))
    n = shape[d]
    s = split_size_or_sections
    if isinstance(s, (list, tuple)):
        sizes = [int(x) for x in s]
        if any(x < 0 for x in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
        return _split_sizes(tensor, sizes, d, _SplitWithSizes)
    s = s.__index__()
    if s < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
    if s == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {n}")
    k = max((n + s - 1) // s, 1) if s else 1
    sizes = [s] * (k - 1) + [n - s * (k - 1)]
    return _split_sizes(tensor, sizes, d)


def chunk(input, chunks, dim=0):
    shape = input._data.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = chunks.__index__()
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, len(shape))
    n = shape[d]
    s = (n + chunks - 1) // chunks
    if s == 0 and n == 0:
        return _split_sizes(input, [0] * chunks, d)
    return split(input, s, d)


def tensor_split(input, indices_or_sections, dim=0):
    shape = input._data.shape
    if not shape:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = wrap_dim(dim, len(shape))
    n = shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.dtype != np.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {ios.dtype}")
        if ios._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {ios._data.ndim} dims")
        ios = int(ios._data) if ios._data.ndim == 0 else ios._data.tolist()
    pre = (_FULL,) * d
    if isinstance(ios, (list, tuple)):
        bounds = [0] + [int(i) for i in ios] + [None]
        idxs = [pre + (slice(a, b), Ellipsis) for a, b in zip(bounds[:-1], bounds[1:])]
        return _TensorSplit.apply(input, idxs=idxs)
    k = ios.__index__()
    if k <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {k}")
    q, r = divmod(n, k)
    sizes = [q + 1] * r + [q] * (k - r)
    return _split_sizes(input, sizes, d, _TensorSplit)


# ------------------------------------------------------------------ cat / stack
class Cat(Function):
    name = "CatBackward0"

    def forward(self, *arrays, dim, skip):
        self.dim = dim
        self.skip = skip
        self.shapes = [a.shape for a in arrays]
        kept = [a for a, s in zip(arrays, skip) if not s]
        if not kept:
            return np.concatenate(arrays)
        return np.concatenate(kept, axis=dim)

    def backward(self, g):
        kept = [s for s, k in zip(self.shapes, self.skip) if not k]
        if not kept:
            return tuple(_make(np.zeros(s, g._data.dtype)) for s in self.shapes)
        pre = (_FULL,) * self.dim
        idxs = []
        o = 0
        for s in kept:
            idxs.append(pre + (slice(o, o + s[self.dim]), Ellipsis))
            o += s[self.dim]
        parts = iter(Pieces.apply(g, idxs=idxs))
        return tuple(_make(np.zeros(s, g._data.dtype)) if k else next(parts)
                     for s, k in zip(self.shapes, self.skip))


def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for x in tensors:
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): expected a tuple of Tensors, but found an element of type "
                            f"{type(x).__name__}")
    return list(tensors)


def _promote_list(tensors):
    dt = tensors[0].dtype
    for x in tensors[1:]:
        if x.dtype is not dt:
            dt = D.promote_types(dt, x.dtype)
    return [to_tensor_operand(x, dt) for x in tensors]


def cat(tensors, dim=0, *, axis=None, out=None):
    if axis is not None:
        dim = axis
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    skip = []
    ref = None
    for i, x in enumerate(tensors):
        sh = x._data.shape
        if not sh:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
        s = len(sh) == 1 and sh[0] == 0
        skip.append(s)
        if not s and ref is None:
            ref = i
    if ref is None:
        d = wrap_dim(dim, 1)
    else:
        r = tensors[ref]._data.shape
        d = wrap_dim(dim, len(r))
        for i, x in enumerate(tensors):
            if skip[i]:
                continue
            sh = x._data.shape
            if len(sh) != len(r):
                raise RuntimeError(f"Tensors must have same number of dimensions: got {len(r)} "
                                   f"and {len(sh)}")
            for j, (a, b) in enumerate(zip(r, sh)):
                if j != d and a != b:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size {a} "
                        f"but got size {b} for tensor number {i} in the list.")
    tensors = _promote_list(tensors)
    return Cat.apply(*tensors, dim=d, skip=tuple(skip))


concat = cat
concatenate = cat


class Stack(Function):
    name = "StackBackward0"

    def forward(self, *arrays, dim):
        self.dim = dim
        self.n = len(arrays)
        return np.stack(arrays, axis=dim)

    def backward(self, g):
        pre = (_FULL,) * self.dim
        return Pieces.apply(g, idxs=[pre + (i, Ellipsis) for i in range(self.n)])


def stack(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} "
                               f"at entry 0 and {list(x._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(s0) + 1)
    return Stack.apply(*_promote_list(tensors), dim=d)


def atleast_1d(*tensors):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    ts = tensors[0] if len(tensors) == 1 and not single else tensors
    r = tuple(x if x._data.ndim >= 1 else View.apply(x, shape=(1,)) for x in ts)
    return r[0] if single else r


def atleast_2d(*tensors):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    ts = tensors[0] if len(tensors) == 1 and not single else tensors
    r = tuple(x if x._data.ndim >= 2 else View.apply(x, shape=(1,) * (2 - x._data.ndim)
                                                         + x._data.shape) for x in ts)
    return r[0] if single else r


def atleast_3d(*tensors):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    ts = tensors[0] if len(tensors) == 1 and not single else tensors
    out = []
    for x in ts:
        s = x._data.shape
        if len(s) == 0:
            x = View.apply(x, shape=(1, 1, 1))
        elif len(s) == 1:
            x = View.apply(x, shape=(1, s[0], 1))
        elif len(s) == 2:
            x = View.apply(x, shape=s + (1,))
        out.append(x)
    return out[0] if single else tuple(out)


def hstack(tensors, *, out=None):
    ts = atleast_1d(*_tensor_list(tensors, "hstack"))
    if not ts:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors, *, out=None):
    ts = atleast_2d(*_tensor_list(tensors, "vstack"))
    if not ts:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    return cat(ts, 0)


def dstack(tensors, *, out=None):
    ts = atleast_3d(*_tensor_list(tensors, "dstack"))
    if not ts:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    return cat(ts, 2)


# ------------------------------------------------------------------ flip / roll / repeat
class Flip(Function):
    def forward(self, a, dims):
        self.dims = dims
        return np.flip(a, dims).copy()

    def backward(self, g):
        return Flip.apply(g, dims=self.dims)


def flip(input, *dims):
    dims = _int_list(dims)
    n = input._data.ndim
    w = wrap_dims(dims, n)
    if n == 0 or not w:
        return Flip.apply(input, dims=())
    return Flip.apply(input, dims=tuple(w))


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, dims=(1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, dims=(0,))


class Roll(Function):
    def forward(self, a, shifts, dims):
        self.shifts, self.dims = shifts, dims
        if dims is None:
            return np.roll(a, shifts)
        return np.roll(a, shifts, axis=dims)

    def backward(self, g):
        neg = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return Roll.apply(g, shifts=neg, dims=self.dims)


def roll(input, shifts, dims=None):
    sh = _dims(shifts, "shifts")
    n = input._data.ndim
    if dims is None or (isinstance(dims, (tuple, list)) and not dims):
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return Roll.apply(input, shifts=sh[0], dims=None)
    ds = _dims(dims)
    if len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, "
                           f"dims:{len(ds)}")
    if n == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Roll.apply(input, shifts=sh, dims=tuple(wrap_dim(d, n) for d in ds))


class Repeat(Function):
    def forward(self, a, reps):
        self.in_shape = a.shape
        self.reps = reps
        lead = len(reps) - a.ndim
        return np.tile(a.reshape((1,) * lead + a.shape), reps)

    def backward(self, g):
        reps = self.reps
        full = (1,) * (len(reps) - len(self.in_shape)) + self.in_shape
        inter = []
        for r, s in zip(reps, full):
            inter += [r, s]
        gr = g.reshape(inter).sum(dim=tuple(range(0, 2 * len(reps), 2)))
        return gr.reshape(self.in_shape)


def repeat(self, *sizes):
    reps = _int_list(sizes, "repeats")
    shape = self._data.shape
    if len(reps) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    full = (1,) * (len(reps) - len(shape)) + shape
    out = [r * s for r, s in zip(reps, full)]
    for r in reps:
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension "
                               f"{min(out)}: {out}")
    return Repeat.apply(self, reps=reps)


def tile(input, *dims):
    reps = _int_list(dims, "dims")
    n = input._data.ndim
    if len(reps) < n:
        reps = (1,) * (n - len(reps)) + reps
    return repeat(input, reps)


# ------------------------------------------------------------------ index_select / index_add …
def _check_index_vector(idx, op, allow_int32=True):
    if idx.dtype.kind not in "iu" or (idx.dtype != np.int64 and not (
            allow_int32 and idx.dtype == np.int32)):
        raise RuntimeError(f"{op}(): Expected dtype int32 or int64 for index" if allow_int32
                           else f"{op}(): Expected dtype int64 for index")
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")


class IndexSelect(Function):
    def forward(self, a, idx, dim):
        self.shape, self.idx, self.dim = a.shape, idx, dim
        if a.ndim == 0:
            return a.copy()
        return np.take(a, idx.reshape(-1), axis=dim)

    def backward(self, g):
        z = _make(np.zeros(self.shape, g._data.dtype))
        return IndexAdd.apply(z, g, idx=self.idx, dim=self.dim, alpha=1)


def index_select(input, dim, index):
    idx = _index_arg(index, "index_select")
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    _check_index_vector(idx, "index_select")
    n = shape[d] if shape else 1
    if not shape and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{idx.size} value(s)")
    if idx.size and (idx.max() >= n or idx.min() < 0):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"index_select(): index {bad} out of range in self (dimension {d} with "
                         f"size {n})")
    return IndexSelect.apply(input, idx=idx.astype(np.int64, copy=False), dim=d)


class IndexAdd(Function):
    """``out = a.clone(); out.index_add_(dim, idx, src, alpha)``."""

    def forward(self, a, src, idx, dim, alpha):
        self.idx, self.dim, self.alpha = idx, dim, alpha
        out = a.copy()
        if a.ndim == 0:
            out[()] += (src.sum() if src.ndim else src) * alpha
            return out
        s = src if alpha == 1 else src * np.asarray(alpha, src.dtype)
        if s.ndim == 0:
            s = s.reshape(1)
        np.add.at(np.moveaxis(out, dim, 0), idx.reshape(-1), np.moveaxis(s, dim, 0))
        return out

    def backward(self, g):
        gs = None
        if self.needs_input_grad[1]:
            gs = IndexSelect.apply(g, idx=self.idx, dim=self.dim)
            if self.alpha != 1:
                gs = gs * self.alpha
        return g, gs


def _check_index_src(input, dim, index, source, op):
    """Checks shared by index_add_ (int32/int64 index; RuntimeError when out of
    range) and index_copy_ (int64 only; IndexError); negatives are refused."""
    idx = _index_arg(index, op)
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    if op == "index_copy_":
        if idx.dtype != np.int64:
            from .pointwise import _type_name
            raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                               f"{_type_name(D.from_numpy_dtype(idx.dtype)) if idx.dtype in D._FROM_NP else idx.dtype}")
    else:
        _check_index_vector(idx, op)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index should have dimension 1 or 0 (got {idx.ndim})")
    if not isinstance(source, Tensor):
        raise TypeError(f"{op}(): argument 'source' must be Tensor, not {type(source).__name__}")
    ss = source._data.shape
    n = shape[d] if shape else 1
    if shape and ss:
        ok = len(ss) == len(shape) and all(a == b for j, (a, b) in enumerate(zip(shape, ss))
                                           if j != d) and ss[d] == idx.size
    else:
        ok = source._data.size == idx.size == 1 or (not shape and not ss)
    if not ok:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(shape)} source.shape = "
                           f"{list(ss)}")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        if op == "index_copy_":
            raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {d} "
                             f"with size {n}")
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    return idx.astype(np.int64, copy=False), d


def _same_dtype(a, b, op):
    if a._data.dtype != b._data.dtype:
        from .pointwise import _type_name
        raise RuntimeError(f"{op}(): self ({_type_name(a.dtype)}) and source "
                           f"({_type_name(b.dtype)}) must have the same scalar type")


def index_add(input, dim, index, source, *, alpha=1):
    idx, d = _check_index_src(input, dim, index, source, "index_add_")
    _same_dtype(input, source, "index_add_")
    return IndexAdd.apply(input, source, idx=idx, dim=d, alpha=alpha)


def index_add_(self, dim, index, source, *, alpha=1):
    idx, d = _check_index_src(self, dim, index, source, "index_add_")
    _same_dtype(self, source, "index_add_")
    return self._inplace_apply(IndexAdd, source, idx=idx, dim=d, alpha=alpha)


def _dim_index(ndim, dim, idx):
    """A NumPy index putting ``idx`` on ``dim``."""
    if ndim == 0:
        return ()
    return (_FULL,) * dim + (idx.reshape(-1),)


class IndexCopy(Function):
    """``out = a.clone(); out.index_copy_(dim, idx, src)``; ``src`` None: fill ``value``."""

    def forward(self, a, src, idx, dim, value=None):
        self.idx, self.dim = idx, dim
        out = a.copy()
        ix = _dim_index(a.ndim, dim, idx)
        if src is None:
            out[ix] = value
        elif a.ndim == 0:
            out[()] = src.reshape(())
        else:
            out[ix] = src if src.ndim else src.reshape(1)
        return out

    def backward(self, g):
        ga = gs = None
        if self.needs_input_grad[0]:
            ga = IndexCopy.apply(g, None, idx=self.idx, dim=self.dim, value=0)
        if self.needs_input_grad[1]:
            gs = IndexSelect.apply(g, idx=self.idx, dim=self.dim)
        return ga, gs


def index_copy(input, dim, index, source):
    idx, d = _check_index_src(input, dim, index, source, "index_copy_")
    _same_dtype(input, source, "index_copy_")
    return IndexCopy.apply(input, source, idx=idx, dim=d)


def index_copy_(self, dim, index, source):
    idx, d = _check_index_src(self, dim, index, source, "index_copy_")
    _same_dtype(self, source, "index_copy_")
    return self._inplace_apply(IndexCopy, source, idx=idx, dim=d)


def _fill_value(self, value, op):
    """(tensor_or_None, python value) for a fill value: a scalar or a 0-d tensor."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"{op} only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        v = value if value._data.dtype == self._data.dtype else value.to(self.dtype)
        return v, None
    if not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError(f"{op}(): argument 'value' must be a Number or a 0-d Tensor, not "
                        f"{type(value).__name__}")
    return None, fill_scalar(value, D._FROM_NP[self._data.dtype])


class IndexFill(Function):
    """``out = a.clone(); out.index_fill_(dim, idx, v)`` with ``v`` a 0-d tensor."""

    def forward(self, a, v, idx, dim):
        self.idx, self.dim = idx, dim
        out = a.copy()
        out[_dim_index(a.ndim, dim, idx)] = v
        return out

    def backward(self, g):
        ga = gv = None
        if self.needs_input_grad[0]:
            ga = IndexCopy.apply(g, None, idx=self.idx, dim=self.dim, value=0)
        if self.needs_input_grad[1]:
            gv = IndexSelect.apply(g, idx=self.idx, dim=self.dim).sum()
        return ga, gv


def _index_fill_args(self, dim, index, value, op):
    idx = _index_arg(index, op)
    shape = self._data.shape
    d = wrap_dim(dim, len(shape))
    if idx.dtype != np.int64:
        raise IndexError(f"{op}(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    n = shape[d] if shape else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    vt, vs = _fill_value(self, value, op)
    if vt is None:
        vt = _make(vs)
    return idx, d, vt


def index_fill(input, dim, index, value):
    idx, d, vt = _index_fill_args(input, dim, index, value, "index_fill_")
    return IndexFill.apply(input, vt, idx=idx, dim=d)


def index_fill_(self, dim, index, value):
    idx, d, vt = _index_fill_args(self, dim, index, value, "index_fill_")
    return self._inplace_apply(IndexFill, vt, idx=idx, dim=d)


def take(input, index):
    idx = _index_arg(index, "take")
    if idx.dtype != np.int64:
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{index.dtype}")
    n = input._data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    flat = reshape(input, -1)
    return _Take.apply(flat, idx=(idx,))


class _Take(AdvIndex):
    name = "TakeBackward0"


class _MaskedSelect(AdvIndex):
    name = "MaskedSelectBackward0"


# ------------------------------------------------------------------ gather / scatter
def _gather_index(idx, shape, dim):
    """A full NumPy index for ``take_along_dim`` semantics on an index of a
    possibly smaller shape than the tensor."""
    nd = idx.ndim
    return tuple(idx if j == dim else
                 np.arange(idx.shape[j]).reshape((1,) * j + (-1,) + (1,) * (nd - j - 1))
                 for j in range(nd))


class Gather(Function):
    def forward(self, a, idx, dim):
        self.shape, self.idx, self.dim = a.shape, idx, dim
        if a.ndim == 0:
            return a[()].copy() if idx.ndim == 0 else np.broadcast_to(a, idx.shape).copy()
        return a[_gather_index(idx, a.shape, dim)]

    def backward(self, g):
        z = _make(np.zeros(self.shape, g._data.dtype))
        return ScatterAdd.apply(z, g, idx=self.idx, dim=self.dim)


def _scatter_checks(op, self, dim, index, src=None):
    idx = _index_arg(index, op)
    shape = self._data.shape
    d = wrap_dim(dim, len(shape))
    if idx.dtype != np.int64 and idx.dtype != np.int32:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index")
    if max(idx.ndim, 1) != max(len(shape), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           f"{'input' if op == 'gather' else 'self'} tensor")
    ish = idx.shape
    if src is not None and max(src.ndim, 1) != max(idx.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if shape and idx.size:
        for j, (a, b) in enumerate(zip(ish, shape)):
            if j != d and a > b:
                if op == "gather":
                    raise RuntimeError(
                        f"Size does not match at dimension {j} expected index {list(ish)} to be "
                        f"no larger than self {list(shape)} apart from dimension {d}")
                raise RuntimeError(
                    f"Expected index {list(ish)} to be no larger than self {list(shape)} apart "
                    f"from dimension {d}" + ("" if src is None else
                                             f" and to be no larger size than src "
                                             f"{list(src.shape)}"))
        if src is not None and src.ndim and any(a > b for a, b in zip(ish, src.shape)):
            raise RuntimeError(
                f"Expected index {list(ish)} to be no larger than self {list(shape)} apart from "
                f"dimension {d} and to be no larger size than src {list(src.shape)}")
    n = shape[d] if shape else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    if idx.size and idx.min() < 0:
        bad = int(idx.min())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    return idx, d


def gather(input, dim, index, *, sparse_grad=False, out=None):
    idx, d = _scatter_checks("gather", input, dim, index)
    return Gather.apply(input, idx=idx, dim=d)


def take_along_dim(input, indices, dim=None, *, out=None):
    if dim is None:
        return gather(reshape(input, -1), 0, reshape(indices, -1))
    n = input._data.ndim
    d = wrap_dim(dim, n)
    if indices._data.ndim != n:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {n} dimensions for input, and "
                           f"{indices._data.ndim} dimensions for indices")
    if indices._data.dtype.kind not in "iu":
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices.dtype}")
    a, b = list(input._data.shape), list(indices._data.shape)
    a[d] = b[d] = 1
    bs = list(_broadcast_shapes(a, b))
    sa, sb = bs[:], bs[:]
    sa[d], sb[d] = input._data.shape[d], indices._data.shape[d]
    x = input if tuple(sa) == input._data.shape else expand(input, sa)
    i = indices if tuple(sb) == indices._data.shape else expand(indices, sb)
    if i._data.dtype != np.int64:
        i = _make(i._data.astype(np.int64))
    return gather(x, d, i)


def _src_region(src, idx):
    """The part of ``src`` that the index covers (src may be larger)."""
    if src.ndim == 0:
        return src
    if src.shape == idx.shape:
        return src
    return src[tuple(slice(0, n) for n in idx.shape)]


class ScatterAdd(Function):
    def forward(self, a, src, idx, dim):
        self.idx, self.dim = idx, dim
        self.src_shape = src.shape
        out = a.copy()
        if a.ndim == 0:
            if idx.size:
                out[()] += src.reshape(-1)[:idx.size].sum()
            return out
        np.add.at(out, _gather_index(idx, a.shape, dim), _src_region(src, idx))
        return out

    def backward(self, g):
        gs = None
        if self.needs_input_grad[1]:
            gs = _pad_to(Gather.apply(g, idx=self.idx, dim=self.dim), self.src_shape)
        return g, gs


class Scatter(Function):
    """``out = a.clone(); out.scatter_(dim, idx, src)``; src None: ``value``;
    ``reduce``: 'add' / 'multiply' (forward only, as in torch)."""

    def forward(self, a, src, idx, dim, value=None, reduce=None):
        self.idx, self.dim = idx, dim
        self.src_shape = None if src is None else src.shape
        out = a.copy()
        if a.ndim == 0:
            if idx.size:
                v = value if src is None else src.reshape(-1)[0]
                if reduce == "add":
                    out[()] += v
                elif reduce == "multiply":
                    out[()] *= v
                else:
                    out[()] = v
            return out
        ix = _gather_index(idx, a.shape, dim)
        v = value if src is None else _src_region(src, idx)
        if reduce == "add":
            np.add.at(out, ix, v)
        elif reduce == "multiply":
            np.multiply.at(out, ix, v)
        else:
            out[ix] = v
        return out

    def backward(self, g):
        ga = gs = None
        if self.needs_input_grad[0]:
            ga = Scatter.apply(g, None, idx=self.idx, dim=self.dim, value=0)
        if self.src_shape is not None and self.needs_input_grad[1]:
            gs = _pad_to(Gather.apply(g, idx=self.idx, dim=self.dim), self.src_shape)
        return ga, gs


class _ScatterValue(Scatter):
    name = "ScatterBackward1"


class _ScatterReduce(Scatter):
    name = "ScatterBackward1"

    def backward(self, g):
        raise RuntimeError("derivative for aten::scatter is not implemented")


def _scatter_args(self, dim, index, src, value, reduce, op):
    if src is not None and value is not None:
        raise TypeError(f"{op}(): got both 'src' and 'value'")
    if src is None and value is None:
        raise TypeError(f"{op}() missing required argument 'src' or 'value'")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
    if src is not None:
        if src._data.dtype != self._data.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
        idx, d = _scatter_checks(op, self, dim, index, src._data)
        return idx, d, src, None
    if not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError(f"{op}(): argument 'value' must be a Number, not {type(value).__name__}")
    idx, d = _scatter_checks(op, self, dim, index)
    return idx, d, None, fill_scalar(value, D._FROM_NP[self._data.dtype])


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    idx, d, s, v = _scatter_args(input, dim, index, src, value, reduce, "scatter")
    cls = _ScatterReduce if reduce is not None else Scatter if s is not None else _ScatterValue
    return cls.apply(input, s, idx=idx, dim=d, value=v, reduce=reduce)


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    idx, d, s, v = _scatter_args(self, dim, index, src, value, reduce, "scatter_")
    cls = _ScatterReduce if reduce is not None else Scatter if s is not None else _ScatterValue
    return self._inplace_apply(cls, s, idx=idx, dim=d, value=v, reduce=reduce)


def scatter_add(input, dim, index, src):
    src = _tensor_arg(src, "scatter_add", "src")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter_add(): Expected self.dtype to be equal to src.dtype")
    idx, d = _scatter_checks("scatter_add", input, dim, index, src._data)
    return ScatterAdd.apply(input, src, idx=idx, dim=d)


def scatter_add_(self, dim, index, src):
    src = _tensor_arg(src, "scatter_add_", "src")
    if src._data.dtype != self._data.dtype:
        raise RuntimeError("scatter_add_(): Expected self.dtype to be equal to src.dtype")
    idx, d = _scatter_checks("scatter_add_", self, dim, index, src._data)
    return self._inplace_apply(ScatterAdd, src, idx=idx, dim=d)


# ------------------------------------------------------------------ masks and where
def _bool_mask(mask, op):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype != np.bool_:
        from .pointwise import _type_name
        nm = {"Float": "float", "Double": "double", "Byte": "unsigned char", "Long": "long int",
              "Int": "int", "Half": "c10::Half"}.get(_type_name(mask.dtype), mask.dtype.name)
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {nm}")
    return mask._data


class MaskedFill(Function):
    """``where(mask, v, a)`` with ``v`` a 0-d tensor of a's dtype (broadcast)."""

    def forward(self, a, v, mask):
        self.mask = mask
        return np.where(mask, v, a)

    def backward(self, g):
        ga = gv = None
        zero = _make(np.zeros((), g._data.dtype))
        if self.needs_input_grad[0]:
            ga = MaskedFill.apply(g, zero, mask=self.mask)
        if self.needs_input_grad[1]:
            gv = MaskedFill.apply(g, zero, mask=~self.mask).sum()
        return ga, gv


def masked_fill(input, mask, value):
    m = _bool_mask(mask, "masked_fill_")
    vt, vs = _fill_value(input, value, "masked_fill_")
    if m.shape != input._data.shape:
        _broadcast_shapes(input._data.shape, m.shape)
    return MaskedFill.apply(input, vt if vt is not None else _make(vs), mask=m)


def masked_fill_(self, mask, value):
    m = _bool_mask(mask, "masked_fill_")
    vt, vs = _fill_value(self, value, "masked_fill_")
    if m.shape != self._data.shape:
        b = _broadcast_shapes(self._data.shape, m.shape)
        if b != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(b)}")
    return self._inplace_apply(MaskedFill, vt if vt is not None else _make(vs), mask=m)


def masked_select(input, mask):
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    m = mask._data
    x = input
    if m.shape != x._data.shape:
        shape = _broadcast_shapes(x._data.shape, m.shape)
        if x._data.shape != shape:
            x = Expand.apply(x, shape=shape)
        m = np.broadcast_to(m, shape)
    if x._data.ndim == 0:
        x = View.apply(x, shape=(1,))
        m = m.reshape(1)
    return _MaskedSelect.apply(x, idx=(m,), unique=True)


class Where(Function):
    name = "WhereBackward0"

    def forward(self, c, a, b):
        self.c = c
        return np.where(c, a, b)

    def backward(self, g):
        ga = gb = None
        zero = _make(np.zeros((), g._data.dtype))
        cond = _make(self.c)
        if self.needs_input_grad[1]:
            ga = Where.apply(cond, g, zero)
        if self.needs_input_grad[2]:
            gb = Where.apply(cond, zero, g)
        return None, ga, gb


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' must be Tensor, not "
                        f"{type(condition).__name__}")
    c = condition._data
    if c.dtype != np.bool_:
        if c.dtype == np.uint8:
            c = c.astype(bool)
            condition = _make(c)
        else:
            from .pointwise import _type_name
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_type_name(condition.dtype)}")
    (a, b), _ = promote(input, other)
    sa, sb = a._data.shape, b._data.shape
    if not (sa == sb == c.shape):
        _broadcast_shapes(c.shape, sa, sb)
    return Where.apply(condition, a, b)


def _where_method(self, condition, y):
    return where(condition, self, y)


def nonzero(input, *, out=None, as_tuple=False):
    a = input._data
    if as_tuple:
        if a.ndim == 0:
            return (_make(np.zeros(int(bool(a)), np.int64)),)
        return tuple(_make(x.astype(np.int64, copy=False)) for x in np.nonzero(a))
    if a.ndim == 0:
        return _make(np.zeros((int(bool(a)), 0), np.int64))
    return _make(np.argwhere(a).astype(np.int64, copy=False))


def argwhere(input):
    return nonzero(input)


# ------------------------------------------------------------------ diagonal / tril / triu
def _diag_view(a, offset, d1, d2):
    b = np.moveaxis(a, (d1, d2), (-2, -1))
    if offset >= 0:
        b = b[..., :, offset:]
    else:
        b = b[..., -offset:, :]
    n = max(min(b.shape[-2], b.shape[-1]), 0)
    return np.lib.stride_tricks.as_strided(
        b, b.shape[:-2] + (n,), b.strides[:-2] + (b.strides[-2] + b.strides[-1],),
        writeable=a.flags.writeable)


class Diagonal(Function):
    may_be_view = True

    def forward(self, a, offset, d1, d2):
        self.shape, self.args = a.shape, (offset, d1, d2)
        return _diag_view(a, offset, d1, d2)

    def backward(self, g):
        return DiagonalBackward.apply(g, shape=self.shape, args=self.args)


class DiagonalBackward(Function):
    def forward(self, g, shape, args):
        self.args = args
        out = np.zeros(shape, g.dtype)
        _diag_view(out, *args)[...] = g
        return out

    def backward(self, gg):
        o, d1, d2 = self.args
        return Diagonal.apply(gg, offset=o, d1=d1, d2=d2)


class _DiagEmbed(DiagonalBackward):
    name = "DiagEmbedBackward0"


def diagonal(input, offset=0, dim1=0, dim2=1):
    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset=int(offset), d1=d1, d2=d2)


def diag(input, diagonal=0):
    n = input._data.ndim
    k = int(diagonal)
    if n == 1:
        m = input._data.shape[0] + abs(k)
        return _DiagEmbed.apply(input, shape=(m, m), args=(k, 0, 1))
    if n == 2:
        return Diagonal.apply(input, offset=k, d1=0, d2=1).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


class Tril(Function):
    def forward(self, a, k, upper):
        self.k, self.upper = k, upper
        return np.triu(a, k) if upper else np.tril(a, k)

    def backward(self, g):
        return Tril.apply(g, k=self.k, upper=self.upper)


class _Triu(Tril):
    name = "TriuBackward0"


def tril(input, diagonal=0, *, out=None):
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, k=int(diagonal), upper=False)


def triu(input, diagonal=0, *, out=None):
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return _Triu.apply(input, k=int(diagonal), upper=True)


def tril_(self, diagonal=0):
    if self._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return self._inplace_apply(Tril, k=int(diagonal), upper=False)


def triu_(self, diagonal=0):
    if self._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return self._inplace_apply(_Triu, k=int(diagonal), upper=True)


METHODS = {
    "view": view, "reshape": reshape, "view_as": view_as, "reshape_as": reshape_as,
    "expand": expand, "expand_as": expand_as, "broadcast_to": broadcast_to,
    "transpose": transpose, "swapaxes": swapaxes, "swapdims": swapdims, "t": t,
    "permute": permute, "movedim": movedim, "moveaxis": moveaxis,
    "T": property(_T_prop), "mT": property(_mT), "mH": property(_mH), "H": property(_H),
    "squeeze": squeeze, "unsqueeze": unsqueeze, "flatten": flatten, "unflatten": unflatten,
    "narrow": narrow, "select": select, "unbind": unbind, "split": split,
    "tensor_split": tensor_split, "chunk": chunk, "flip": flip, "fliplr": fliplr,
    "flipud": flipud, "roll": roll, "repeat": repeat, "tile": tile,
    "index_select": index_select, "index_add": index_add, "index_add_": index_add_,
    "index_copy": index_copy, "index_copy_": index_copy_, "index_fill": index_fill,
    "index_fill_": index_fill_, "take": take, "take_along_dim": take_along_dim, "gather": gather, "scatter": scatter,
    "scatter_": scatter_, "scatter_add": scatter_add, "scatter_add_": scatter_add_,
    "masked_fill": masked_fill, "masked_fill_": masked_fill_, "masked_select": masked_select,
    "where": _where_method, "nonzero": nonzero, "argwhere": argwhere, "diag": diag,
    "diagonal": diagonal, "tril": tril, "triu": triu, "tril_": tril_, "triu_": triu_,
}
