"""Matrix products: matmul/@, mm, bmm, mv, dot/inner/vdot, outer, addmm &
co., einsum, tensordot, kron.

No dtype promotion for the matrix products (torch's rule): operands of
different dtypes raise RuntimeError. The forward is one ``np.matmul``/
``np.einsum`` call (BLAS for float32/float64); half precision computes in
float32 and rounds once. Backward is written with these same ops, so
``create_graph=True`` works, and returns broadcast-shaped gradients that the
engine reduces to each input's shape.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd.function import Function
from .._tensor import Tensor
from ._util import broadcast_shapes

_make = Tensor._make

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "inner", "vdot", "outer", "ger", "addmm",
           "addmv", "addbmm", "baddbmm", "einsum", "tensordot", "kron", "chain_matmul"]

_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "int16": "short int",
            "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
            "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}
_T_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _dn(t):
    return D.from_numpy_dtype(t._data.dtype).name


def _low(dt):
    return dt == np.float16 or dt.kind == "V"


def _as_tensor(x, op, arg):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def _check_same_dtype(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_C_NAMES[_dn(a)]} != {_C_NAMES[_dn(b)]}")
    if a._data.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


# ------------------------------------------------------------------ Functions
class _SwapLast(Function):
    """The transpose of the last two dims (a view)."""

    name = "TransposeBackward0"
    may_be_view = True

    def forward(self, a):
        return np.swapaxes(a, -1, -2)

    def backward(self, g):
        return _SwapLast.apply(g)


def _mT(t):
    return _SwapLast.apply(t)


class MatMul(Function):
    name = "MmBackward0"
    save_inputs = (0, 1)

    def forward(self, a, b):
        if _low(a.dtype):
            return np.asarray(np.matmul(a.astype(np.float32), b.astype(np.float32))).astype(a.dtype)
        return np.matmul(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        an, bn = a._data.ndim, b._data.ndim
        a1 = a if an > 1 else a.reshape(1, -1)
        b1 = b if bn > 1 else b.reshape(-1, 1)
        gshape = g._data.shape
        if an == 1 and bn == 1:
            g1 = g.reshape(1, 1)
        elif an == 1:
            g1 = g.reshape(gshape[:-1] + (1, gshape[-1]))
        elif bn == 1:
            g1 = g.reshape(gshape + (1,))
        else:
            g1 = g
        ga = gb = None
        if self.needs_input_grad[0]:
            if a1._data.ndim == 2 and b1._data.ndim > 2 and g1._data.ndim > 2:
                # sum over the batch inside the product: (n, B·p) @ (B·p, k)
                ga = _batch_fold(g1, b1)
            else:
                ga = matmul(g1, _mT(b1))
            if an == 1:
                ga = ga.reshape(ga._data.shape[:-2] + (ga._data.shape[-1],))
        if self.needs_input_grad[1]:
            if b1._data.ndim == 2 and a1._data.ndim > 2:
                # the common linear-layer case: fold the batch into the rows
                k = a1._data.shape[-1]
                p = g1._data.shape[-1]
                rows = a1._data.size // k if k else int(np.prod(g1._data.shape[:-1]))
                gb = matmul(_mT(a1.reshape(rows, k)), g1.reshape(rows, p))
            else:
                gb = matmul(_mT(a1), g1)
            if bn == 1:
                gb = gb.reshape(gb._data.shape[:-1])
        return ga, gb


def _batch_fold(g1, b1):
    """sum over batch of g1 @ b1^T when the first operand was 2-D."""
    return einsum("...np,...kp->nk", g1, b1)


def _matmul_shape_error(da, db):
    sa, sb = da.shape, db.shape
    if da.ndim == 1 and db.ndim == 1:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the "
            f"same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
    if db.ndim == 1:
        rows = int(np.prod(sa[:-1]))
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{sa[-1]}), "
                           f"vec ({sb[0]})")
    if da.ndim <= 2 or db.ndim == 2:
        rows = int(np.prod(sa[:-1])) if da.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sa[-1]} and "
                           f"{sb[-2]}x{sb[-1]})")
    raise RuntimeError(
        f"Expected size for first two dimensions of batch2 tensor to be: "
        f"[{int(np.prod(sa[:-2]))}, {sa[-1]}] but got: [{int(np.prod(sb[:-2]))}, {sb[-2]}].")


def matmul(input, other, *, out=None):
    da, db = input._data, other._data
    if da.ndim == 0 or db.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da.ndim}D and {db.ndim}D")
    if da.dtype != db.dtype or da.dtype == np.bool_:
        _check_same_dtype(input, other)
    kb = db.shape[0] if db.ndim == 1 else db.shape[-2]
    if da.shape[-1] != kb:
        _matmul_shape_error(da, db)
    if da.ndim > 2 and db.ndim > 2:
        broadcast_shapes(da.shape[:-2], db.shape[:-2])
    return MatMul.apply(input, other)


def _rmatmul(self, other):
    _as_tensor(other, "matmul", "input")
    return matmul(other, self)


def _imatmul(self, other):
    # torch defines no in-place matmul: ``a @= b`` rebinds ``a`` to ``a @ b``
    return matmul(self, other)


class _Mm(MatMul):
    name = "MmBackward0"


class _Bmm(MatMul):
    name = "BmmBackward0"


class _Mv(MatMul):
    name = "MvBackward0"


class _Dot(MatMul):
    name = "DotBackward0"


def mm(input, mat2, *, out=None):
    _as_tensor(input, "mm", "input")
    _as_tensor(mat2, "mm", "mat2")
    da, db = input._data, mat2._data
    if da.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if db.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_same_dtype(input, mat2)
    if da.shape[1] != db.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({da.shape[0]}x"
                           f"{da.shape[1]} and {db.shape[0]}x{db.shape[1]})")
    return _Mm.apply(input, mat2)


def bmm(input, mat2, *, out=None):
    _as_tensor(input, "bmm", "input")
    _as_tensor(mat2, "bmm", "mat2")
    da, db = input._data, mat2._data
    if da.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if db.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if da.dtype != db.dtype:
        raise RuntimeError(f"expected scalar type {_T_NAMES[_dn(input)]} but found "
                           f"{_T_NAMES[_dn(mat2)]}")
    if da.dtype == np.bool_:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if db.shape[0] != da.shape[0] or db.shape[1] != da.shape[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{da.shape[0]}, "
            f"{da.shape[2]}] but got: [{db.shape[0]}, {db.shape[1]}].")
    return _Bmm.apply(input, mat2)


def mv(input, vec, *, out=None):
    da, db = input._data, vec._data
    if da.ndim != 2 or db.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {da.ndim}, {db.ndim}")
    if da.dtype != db.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_T_NAMES[_dn(vec)]}, {_T_NAMES[_dn(input)]}, and {_T_NAMES[_dn(vec)]}")
    if da.dtype == np.bool_:
        raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")
    if da.shape[1] != db.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({da.shape[0]}), mat ({da.shape[0]}x"
                           f"{da.shape[1]}), vec ({db.shape[0]})")
    return _Mv.apply(input, vec)


def dot(input, tensor, *, out=None):
    da, db = input._data, tensor._data
    if da.ndim != 1 or db.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {da.ndim}D and {db.ndim}D tensors")
    if da.dtype != db.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_T_NAMES[_dn(input)]} and {_T_NAMES[_dn(tensor)]}")
    if da.dtype == np.bool_:
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")
    if da.shape[0] != db.shape[0]:
        _matmul_shape_error(da, db)
    return _Dot.apply(input, tensor)


def vdot(input, other, *, out=None):
    if input._data.dtype.kind == "c":
        input = input.conj()
    return dot(input, other)


def inner(input, other, *, out=None):
    da, db = input._data, other._data
    if da.dtype != db.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if da.ndim == 0 or db.ndim == 0:
        return input * other
    if da.shape[-1] != db.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(da.shape)} and {list(db.shape)}")
    if da.ndim == 1 and db.ndim == 1:
        return dot(input, other)
    k = da.shape[-1]
    r = matmul(input.reshape(-1, k), _mT(other.reshape(-1, k)))
    return r.reshape(da.shape[:-1] + db.shape[:-1])


def outer(input, vec2, *, out=None):
    if input._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input._data.ndim}-D")
    if vec2._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


# ------------------------------------------------------------------ add* variants
class _ZeroTerm(Function):
    """``beta == 0``: the input is ignored (NaN included), its gradient is 0."""

    name = "MulBackward0"

    def forward(self, a):
        return np.zeros_like(a)

    def backward(self, g):
        return g * 0


def _check_scalars(t, beta, alpha):
    if t._data.dtype.kind in "biu":
        for nm, v in (("alpha", alpha), ("beta", beta)):
            if isinstance(v, float) and not float(v).is_integer():
                raise RuntimeError(f"For integral input tensors, argument {nm} must not be a "
                                   "floating point number.")


def _add_scaled(input, prod, beta, alpha, op):
    if input._data.dtype != prod._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_T_NAMES[_dn(input)]} and {_T_NAMES[_dn(prod)]}")
    ps, ins = prod._data.shape, input._data.shape
    try:
        ok = np.broadcast_shapes(ins, ps) == ps
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"{op}: the input of shape {list(ins)} can't be expanded to the result "
                           f"shape {list(ps)}")
    _check_scalars(input, beta, alpha)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return prod + _ZeroTerm.apply(input)
    if beta != 1:
        input = input * beta
    return input + prod


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    return _add_scaled(input, mm(mat1, mat2), beta, alpha, "addmm")


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    return _add_scaled(input, mv(mat, vec), beta, alpha, "addmv")


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    return _add_scaled(input, bmm(batch1, batch2).sum(0), beta, alpha, "addbmm")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    return _add_scaled(input, bmm(batch1, batch2), beta, alpha, "baddbmm")


def chain_matmul(*matrices, out=None):
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = matrices[0]
    r = matrices[0]
    for m in matrices[1:]:
        r = mm(r, m)
    return r


# ------------------------------------------------------------------ einsum
def _label(c):
    if "A" <= c <= "Z":
        return ord(c) - ord("A")
    if "a" <= c <= "z":
        return 26 + ord(c) - ord("a")
    raise RuntimeError(f"einsum(): invalid subscript given at index {c!r} in the equation "
                       "string, subscripts must be in [a-zA-Z]")


def _parse_term(term):
    """(labels before '...', has_ellipsis, labels after '...')."""
    if "..." in term:
        pre, _, post = term.partition("...")
        if "." in pre or "." in post:
            raise RuntimeError("einsum(): found '.' for operand that is not part of any ellipsis")
        return [_label(c) for c in pre], True, [_label(c) for c in post]
    if "." in term:
        raise RuntimeError("einsum(): found '.' for operand that is not part of any ellipsis")
    return [_label(c) for c in term], False, []


class Einsum(Function):
    """``np.einsum`` in sublist form over label ints; backward is an einsum
    per operand (plus expand for labels only that operand carries, and a
    diagonal embedding for labels it repeats)."""

    name = "EinsumBackward0"

    def forward(self, *arrays, subs, out_sub, sizes):
        self.subs, self.out_sub, self.sizes = subs, out_sub, sizes
        self.save_arrays = None
        dt = arrays[0].dtype
        args = []
        low = _low(dt)
        for a, s in zip(arrays, subs):
            args.append(a.astype(np.float32) if low else a)
            args.append(list(s))
        args.append(list(out_sub))
        r = np.einsum(*args, optimize=len(arrays) > 1)
        r = np.asarray(r)
        if low:
            r = r.astype(dt)
        elif r.dtype != dt:
            r = r.astype(dt)
        return r

    @classmethod
    def apply_saving(cls, operands, subs, out_sub, sizes):
        r = cls.apply(*operands, subs=subs, out_sub=out_sub, sizes=sizes)
        if r.grad_fn is not None and isinstance(r.grad_fn, cls):
            r.grad_fn.operands = tuple(operands)
            r.grad_fn.versions = tuple(o._vc[0] for o in operands)
        return r

    def backward(self, g):
        ops = self.operands
        for o, v in zip(ops, self.versions):
            if o._vc[0] != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    "an inplace operation (node EinsumBackward0)")
        subs, out_sub, sizes = self.subs, self.out_sub, self.sizes
        grads = []
        for i, sub in enumerate(subs):
            if not self.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [ops[j] for j in range(len(ops)) if j != i]
            osubs = [subs[j] for j in range(len(ops)) if j != i]
            uniq = list(dict.fromkeys(sub))
            present = set(out_sub)
            for s in osubs:
                present.update(s)
            avail = tuple(lab for lab in uniq if lab in present)
            r = Einsum.apply_saving([g] + others, (tuple(out_sub),) + tuple(osubs), avail, sizes)
            if len(avail) != len(uniq):
                r = r.reshape([sizes[lab] if lab in present else 1 for lab in uniq])
                r = r.expand([sizes[lab] for lab in uniq])
            if len(uniq) != len(sub):
                r = _DiagEmbed.apply(r, sub=tuple(sub), uniq=tuple(uniq),
                                     shape=ops[i]._data.shape, sizes=sizes)
            grads.append(r)
        return tuple(grads)


class _DiagEmbed(Function):
    """Write ``r`` (over the unique labels) onto the diagonal of a zero
    tensor over ``sub`` (labels repeated)."""

    name = "EinsumBackward0"

    def forward(self, r, sub, uniq, shape, sizes):
        self.sub, self.uniq, self.sizes = sub, uniq, sizes
        out = np.zeros(shape, dtype=r.dtype)
        view = np.einsum(out, list(sub), list(uniq))
        view[...] = r
        return out

    def backward(self, g):
        return Einsum.apply_saving([g], (self.sub,), self.uniq, self.sizes)


def _einsum_labels(operands, subs, out_sub, op="einsum"):
    """einsum over integer label lists (used by einsum and tensordot)."""
    dt = operands[0]._data.dtype
    for o in operands[1:]:
        if o._data.dtype != dt:
            raise RuntimeError(f"expected scalar type {_T_NAMES[_dn(operands[0])]} but found "
                               f"{_T_NAMES[_dn(o)]}")
    sizes = {}
    for k, (o, s) in enumerate(zip(operands, subs)):
        for lab, n in zip(s, o._data.shape):
            cur = sizes.get(lab)
            if cur is None or cur == 1:
                sizes[lab] = n
            elif n != cur and n != 1:
                raise RuntimeError(
                    f"{op}(): subscript {_label_name(lab)} has size {n} for operand {k} which "
                    f"does not broadcast with previously seen size {cur}")
    # repeated labels inside one operand must agree exactly
    for k, (o, s) in enumerate(zip(operands, subs)):
        seen = {}
        for lab, n in zip(s, o._data.shape):
            if lab in seen and seen[lab] != n:
                raise RuntimeError(f"{op}(): subscript {_label_name(lab)} is repeated for operand "
                                   f"{k} but the sizes don't match, {seen[lab]} != {n}")
            seen[lab] = n
    # size-1 dims broadcast against the others (numpy's einsum refuses that)
    ops = []
    for o, s in zip(operands, subs):
        shp = o._data.shape
        tgt = tuple(sizes[lab] for lab in s)
        if tgt != shp:
            o = o.expand(tgt)
        ops.append(o)
    # NumPy's sublist format takes labels in [0, 52): renumber compactly
    used = list(dict.fromkeys(lab for s in subs for lab in s))
    used += [lab for lab in out_sub if lab not in used]
    if len(used) > 52:
        raise RuntimeError("einsum(): too many subscripts (more than 52)")
    remap = {lab: i for i, lab in enumerate(used)}
    subs = tuple(tuple(remap[lab] for lab in s) for s in subs)
    out_sub = tuple(remap[lab] for lab in out_sub)
    sizes = {remap[lab]: n for lab, n in sizes.items()}
    return Einsum.apply_saving(ops, subs, out_sub, sizes)


def _label_name(lab):
    if isinstance(lab, int) and 0 <= lab < 52:
        return chr(ord("A") + lab) if lab < 26 else chr(ord("a") + lab - 26)
    return str(lab)


def einsum(*args):
    """``einsum(equation, *operands)`` (operands may also come as one list)."""
    if not args or not isinstance(args[0], str):
        raise TypeError("einsum(): the sublist format is not supported by suanzi; pass an "
                        "equation string")
    equation, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for o in operands:
        _as_tensor(o, "einsum", "operands")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    parsed = [_parse_term(t) for t in terms]
    ell_max = 0
    for k, ((pre, ell, post), o) in enumerate(zip(parsed, operands)):
        n_lab = len(pre) + len(post)
        nd = o._data.ndim
        if ell:
            if n_lab > nd:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({n_lab}) is more than "
                    f"the number of dimensions ({nd}) for operand {k}")
            ell_max = max(ell_max, nd - n_lab)
        elif n_lab != nd:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n_lab}) does not match the "
                f"number of dimensions ({nd}) for operand {k} and no ellipsis was given")
    ell_labels = [100 + i for i in range(ell_max)]  # ellipsis dims, right-aligned
    subs = []
    for (pre, ell, post), o in zip(parsed, operands):
        if ell:
            r = o._data.ndim - len(pre) - len(post)
            subs.append(tuple(pre) + tuple(ell_labels[ell_max - r:]) + tuple(post))
        else:
            subs.append(tuple(pre))
    if arrow:
        pre, ell, post = _parse_term(rhs)
        out_sub = tuple(pre) + (tuple(ell_labels) if ell else ()) + tuple(post)
        all_labels = {lab for s in subs for lab in s}
        seen = set()
        for lab in out_sub:
            if lab in seen:
                raise RuntimeError(f"einsum(): output subscript {_label_name(lab)} appears more "
                                   "than once in the output")
            if lab not in all_labels:
                raise RuntimeError(f"einsum(): output subscript {_label_name(lab)} does not "
                                   "appear in the equation for any input operand")
            seen.add(lab)
    else:
        counts = {}
        for s in subs:
            for lab in s:
                if lab < 100:
                    counts[lab] = counts.get(lab, 0) + 1
        out_sub = tuple(ell_labels) + tuple(sorted(lab for lab, c in counts.items() if c == 1))
    return _einsum_labels(list(operands), subs, out_sub)


def tensordot(a, b, dims=2, out=None):
    da, db = a._data, b._data
    if da.dtype != db.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > da.ndim or dims > db.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a = list(range(da.ndim - dims, da.ndim))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = dims
        if isinstance(dims_a, int):
            dims_a = [dims_a]
        if isinstance(dims_b, int):
            dims_b = [dims_b]
        if len(dims_a) != len(dims_b):
            raise RuntimeError("both dimension lists should have same length")
        from ._util import wrap_dim

        dims_a = [wrap_dim(d, da.ndim) for d in dims_a]
        dims_b = [wrap_dim(d, db.ndim) for d in dims_b]
    for x, y in zip(dims_a, dims_b):
        if da.shape[x] != db.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{da.shape[x]} in dim {x} and second has size {db.shape[y]} in "
                               f"dim {y}")
    sub_a = list(range(da.ndim))
    sub_b = [da.ndim + i for i in range(db.ndim)]
    for x, y in zip(dims_a, dims_b):
        sub_b[y] = sub_a[x]
    out_sub = [lab for i, lab in enumerate(sub_a) if i not in dims_a] + \
              [lab for i, lab in enumerate(sub_b) if i not in dims_b]
    return _einsum_labels([a, b], (tuple(sub_a), tuple(sub_b)), tuple(out_sub), "tensordot")


def kron(input, other, *, out=None):
    na, nb = input._data.ndim, other._data.ndim
    n = max(na, nb)
    sa = (1,) * (n - na) + input._data.shape
    sb = (1,) * (n - nb) + other._data.shape
    a = input.reshape([d for s in sa for d in (s, 1)])
    b = other.reshape([d for s in sb for d in (1, s)])
    return (a * b).reshape([x * y for x, y in zip(sa, sb)])


METHODS = {
    "matmul": matmul, "__matmul__": matmul, "__rmatmul__": _rmatmul, "__imatmul__": _imatmul,
    "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "inner": inner, "vdot": vdot, "outer": outer,
    "ger": ger, "addmm": addmm, "addmv": addmv, "addbmm": addbmm, "baddbmm": baddbmm,
    "tensordot": tensordot, "kron": kron,
}


# ------------------------------------------------------------------ torch.linalg (norms)
def _vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    from .reduction import _vector_norm as vn

    return vn(x, ord, dim, keepdim, dtype=dtype)


def _matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    from . import reduction as R
    from ._util import wrap_dim

    if dtype is not None:
        A = A.to(dtype)
    if A._data.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions.")
    d0, d1 = (wrap_dim(d, A._data.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError("linalg.matrix_norm: dims must be different")
    if ord == "fro":
        return R._vector_norm(A, 2, (d0, d1), keepdim, op="linalg.matrix_norm")
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm(ord={ord!r}) needs an SVD, which suanzi "
                                  "does not implement")
    if ord in (float("inf"), -float("inf")):
        red, other = d1, d0  # max row sum
    elif ord in (1, -1):
        red, other = d0, d1  # max column sum
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if A._data.dtype.kind not in "fcV":
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_T_NAMES[_dn(A)]}")
    s = R.sum(R._abs(A), red, keepdim=True)
    f = R.amax if ord > 0 else R.amin
    r = f(s, other, keepdim=True)
    if not keepdim:
        shp = [n for i, n in enumerate(r._data.shape) if i not in (d0, d1)]
        r = r.reshape(shp)
    return r


def _linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return _matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return _vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        nd = A._data.ndim
        if nd == 2:
            return _matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        if nd != 1:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {nd}D.")
        return _vector_norm(A, ord, None, keepdim, dtype=dtype)
    if len(dim) == 2:
        return _matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Order {ord} not supported.")
    return _vector_norm(A, ord, dim, keepdim, dtype=dtype)


def _vecdot(x, y, *, dim=-1, out=None):
    if x._data.dtype.kind == "c":
        x = x.conj()
    return (x * y).sum(dim)


def _multi_dot(tensors, *, out=None):
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0], tensors[-1]
    ts = list(tensors)
    if first._data.ndim == 1:
        ts[0] = first.reshape(1, -1)
    if last._data.ndim == 1:
        ts[-1] = last.reshape(-1, 1)
    r = ts[0]
    for t in ts[1:]:
        r = mm(r, t)
    shp = list(r._data.shape)
    if last._data.ndim == 1:
        shp.pop()
    if first._data.ndim == 1:
        shp.pop(0)
    return r.reshape(shp)


import sys as _sys  # noqa: E402
import types as _types  # noqa: E402

linalg = _types.ModuleType("suanzi.linalg", "torch.linalg: the norms and products suanzi has.")
linalg.vector_norm = _vector_norm
linalg.matrix_norm = _matrix_norm
linalg.norm = _linalg_norm
linalg.matmul = matmul
linalg.vecdot = _vecdot
linalg.multi_dot = _multi_dot
_sys.modules.setdefault("suanzi.linalg", linalg)
__all__.append("linalg")
