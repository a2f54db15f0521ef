"""Pointwise ops with broadcasting and torch's type promotion.

Pattern: the public function promotes its operands (``_util.promote``), then
applies a Function whose forward is one NumPy call on same-dtype arrays.
Backward returns gradients of the *broadcast* shape: the engine reduces them
to each input's shape (one place for all ops).

In-place variants (``x.sqrt_()``, ``x.clamp_(…)`` …) run the out-of-place op
through :func:`_inplace`, which refuses results whose dtype can't be stored
in ``self`` and shapes that would grow ``self``, as torch does.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from .._tensor import Tensor
from ._util import broadcast_shapes, check_broadcast, promote, scalar_array, to_tensor_operand

_make = Tensor._make
_Number = (numbers.Number, np.generic)

__all__ = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
    "negative", "exp", "log", "floor_divide", "remainder", "fmod", "pow", "float_power",
    "abs", "absolute", "sign", "sgn", "signbit", "sqrt", "rsqrt", "square", "exp2", "expm1",
    "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan",
    "arctan", "atan2", "arctan2", "sinh", "cosh", "tanh", "sigmoid", "erf", "erfc", "erfinv",
    "floor", "ceil", "round", "trunc", "fix", "frac", "clamp", "clip", "clamp_min", "clamp_max",
    "maximum", "minimum", "fmax", "fmin", "reciprocal", "lerp", "hypot", "logaddexp", "isnan",
    "isinf", "isposinf", "isneginf", "isfinite", "isreal", "nan_to_num", "logical_and",
    "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "eq", "ne", "lt", "le", "gt",
    "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "equal", "allclose",
    "isclose", "addcmul", "addcdiv", "copysign", "positive",
]


# ------------------------------------------------------------------ casting
class ToCopy(Function):
    name = "ToCopyBackward0"

    def forward(self, a, dtype):
        self.src = a.dtype
        return a.astype(dtype)

    def backward(self, g):
        return g.to(D.from_numpy_dtype(self.src))


def cast(t: Tensor, dt: D.dtype) -> Tensor:
    """``t`` converted to ``dt`` (a copy; differentiable between float types)."""
    if t._data.dtype == dt.np:
        return t
    return ToCopy.apply(t, dtype=dt.np)


# ------------------------------------------------------------------ helpers
_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
               "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
               "complex128": "ComplexDouble"}


def _type_name(dt):
    return _TYPE_NAMES[dt.name]


def _not_implemented(op, t):
    dt = t.dtype if isinstance(t, Tensor) else t
    return NotImplementedError(f'"{op}" not implemented for \'{_type_name(dt)}\'')


def _as_tensor(x, op, arg="input"):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def _binary(fn_cls, a, b, **params):
    """Promote a and b to their torch result type and apply ``fn_cls``."""
    ca, cb = a.__class__, b.__class__
    if ca is Tensor:
        if cb is Tensor:
            if a._data.dtype == b._data.dtype:
                if a._data.shape != b._data.shape:
                    check_broadcast(a._data.shape, b._data.shape)
                return fn_cls.apply(a, b, **params)
        elif (cb is float or cb is int) and a._data.dtype.kind == "f":
            # float tensor op Python number: the tensor's dtype wins
            return fn_cls.apply(a, _make(np.array(b, a._data.dtype)), **params)
    elif (ca is float or ca is int) and cb is Tensor and b._data.dtype.kind == "f":
        return fn_cls.apply(_make(np.array(a, b._data.dtype)), b, **params)
    (a, b), _ = promote(a, b)
    if a._data.shape != b._data.shape:
        check_broadcast(a._data.shape, b._data.shape)
    return fn_cls.apply(a, b, **params)


def _check_scalar_fits(value, dt):
    """torch refuses (RuntimeError) a Python scalar that overflows an integer
    dtype in ops like pow/clamp/fill_ (uint8 takes -255..255, C-style)."""
    if dt.category == D.INT and isinstance(value, (int, np.integer)) and \
            not isinstance(value, (bool, np.bool_)):
        info = np.iinfo(dt.np)
        lo = -int(info.max) if info.min == 0 else int(info.min)
        if not lo <= int(value) <= info.max:
            cname = {"int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "long",
                     "uint8": "uint8_t"}[dt.name]
            raise RuntimeError(f"value cannot be converted to type {cname} without overflow")


def _float_operands(a, b, dt):
    """Operands cast to float dtype ``dt`` (scalars converted directly, never
    wrapped through an integer dtype first)."""
    a = cast(a, dt) if isinstance(a, Tensor) else to_tensor_operand(a, dt)
    b = cast(b, dt) if isinstance(b, Tensor) else to_tensor_operand(b, dt)
    return a, b


def _promote2(a, b, op):
    """(a, b, dtype) promoted to torch's result type, shapes checked."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.dtype == b._data.dtype:
        dt = a.dtype
    else:
        if not isinstance(a, Tensor) and not isinstance(b, Tensor):
            raise TypeError(f"{op}(): expected at least one Tensor argument, got "
                            f"{type(a).__name__} and {type(b).__name__}")
        (a, b), dt = promote(a, b)
    if a._data.shape != b._data.shape:
        check_broadcast(a._data.shape, b._data.shape)
    return a, b, dt


def _float_binary(a, b, op):
    """Promote, then move integer/bool results to the default float dtype."""
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        dt = D.result_type(a if isinstance(a, Tensor) else _pscalar(a),
                           b if isinstance(b, Tensor) else _pscalar(b))
        if dt.category <= D.INT:
            dt = D.get_default_dtype()
        a, b = _float_operands(a, b, dt)
        if a._data.shape != b._data.shape:
            check_broadcast(a._data.shape, b._data.shape)
        return a, b, dt
    if a._data.dtype == b._data.dtype:
        a, b, dt = _promote2(a, b, op)
        if dt.category <= D.INT:
            dt = D.get_default_dtype()
            a, b = cast(a, dt), cast(b, dt)
        return a, b, dt
    dt = D.result_type(a, b)
    if dt.category <= D.INT:  # each integer operand goes straight to float (never wrapped)
        dt = D.get_default_dtype()
    a, b = cast(a, dt), cast(b, dt)
    if a._data.shape != b._data.shape:
        check_broadcast(a._data.shape, b._data.shape)
    return a, b, dt


def _pscalar(x):
    if isinstance(x, _Number):
        return x
    if isinstance(x, np.ndarray):
        return _make(x)
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def _arrays(a, b):
    """NumPy arrays of a and b in their torch result type, without autograd."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        x, y = a._data, b._data
        if x.dtype != y.dtype:
            dt = D.promote_types(a.dtype, b.dtype) if (a.ndim == 0) == (b.ndim == 0) else \
                D.result_type(a, b)
            x, y = x.astype(dt.np, copy=False), y.astype(dt.np, copy=False)
        if x.shape != y.shape:
            check_broadcast(x.shape, y.shape)
        return x, y
    ta = isinstance(a, Tensor)
    t, s = (a, b) if ta else (b, a)
    if not isinstance(s, _Number):
        if isinstance(s, np.ndarray):
            s = _make(s)
            return _arrays(a if ta else s, s if ta else b)
        raise TypeError(f"unsupported operand type: {type(s).__name__}")
    dt = D.result_type(t, s)
    x = t._data.astype(dt.np, copy=False)
    y = scalar_array(s, dt)
    return (x, y) if ta else (y, x)


def _zeros(g):
    return _make(np.zeros(g._data.shape, g._data.dtype))


class _Where(Function):
    """``where(cond, a, b)`` with a constant NumPy mask: how backward formulas
    mask gradients (so an inf/nan elsewhere never leaks in as 0 * inf)."""
    name = "WhereBackward0"

    def forward(self, a, b, cond):
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g):
        c = self.cond
        z = _zeros(g)
        ga = _Where.apply(g, z, cond=c) if self.needs_input_grad[0] else None
        gb = _Where.apply(z, g, cond=c) if self.needs_input_grad[1] else None
        return ga, gb


def _mask(g, cond):
    """``g`` where ``cond`` holds, 0 elsewhere (broadcast to cond's shape)."""
    return _Where.apply(g, _make(np.zeros((), g._data.dtype)), cond=cond)


# ------------------------------------------------------------------ in place
def _inplace(self, fn, *args, _keep_history=False, **kw):
    """``self.op_(*args)``: compute ``fn(self, *args)`` and store it in self,
    with torch's in-place dtype and shape rules and autograd rebasing.

    ``_keep_history``: torch records nothing for this op (logical_and_ …), so
    self keeps its old graph."""
    if not isinstance(self, Tensor):
        raise TypeError(f"expected a Tensor as self, got {type(self).__name__}")
    self._check_inplace()
    grad = STATE.enabled and (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args) or any(
        isinstance(a, Tensor) and a._requires_grad for a in kw.values()))
    src = self._snapshot() if grad else self
    out = fn(src, *args, **kw)
    od = out._data
    if od.dtype != self._data.dtype and not D.can_cast(out.dtype, self.dtype):
        raise RuntimeError(f"result type {_type_name(out.dtype)} can't be cast to the desired "
                           f"output type {_type_name(self.dtype)}")
    if od.shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast "
                           f"shape {list(od.shape)}")
    self._write(od)
    self._vc[0] += 1
    if grad and not _keep_history:
        if not out._requires_grad and self._data.dtype.kind in "fV":
            # a non-differentiable result (eq_, lt_ …) stored in a float tensor:
            # torch keeps it in the graph with a zero gradient
            others = [a for a in args if isinstance(a, Tensor)]
            out = _ZeroGrad.apply(src, *others, value=od)
        if out._requires_grad:
            self._rebase_history(cast(out, self.dtype))
        else:
            self._rebase_history(out)
    return self


class _ZeroGrad(Function):
    name = "EqBackward0"

    def forward(self, a, *others, value):
        return value.astype(a.dtype)

    def backward(self, g):
        z = _zeros(g)
        return (z,) * len(self._next)


def _inplace_binary(fn_cls, self, other, name, **params):
    """``self op= other`` with torch's checks: the result dtype must fit self
    and broadcasting must not change self's shape."""
    if isinstance(other, Tensor):
        if other._data.shape != self._data.shape:
            check_broadcast(self._data.shape, other._data.shape)
            if np.broadcast_shapes(self._data.shape, other._data.shape) != self._data.shape:
                raise RuntimeError(
                    f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                    f"{list(np.broadcast_shapes(self._data.shape, other._data.shape))}")
    rt = D.result_type(self, other)
    if not D.can_cast(rt, self.dtype):
        raise RuntimeError(f"result type {_type_name(rt)} can't be cast to the desired output "
                           f"type {_type_name(self.dtype)}")
    # compute in the promoted type, store cast to self's dtype (as torch does)
    other = to_tensor_operand(other, rt)
    src = self if self._data.dtype == rt.np else None
    if src is None:
        # self must be promoted before the op: do it out of place, then write back
        out = fn_cls.apply(cast(self, rt), other, **params)
        self._check_inplace()
        self._write(out._data)
        self._vc[0] += 1
        if out._requires_grad and STATE.enabled:
            self._rebase_history(cast(out, self.dtype))
        return self
    return self._inplace_apply(fn_cls, other, **params)


def _float_input(t: Tensor) -> Tensor:
    """Unary float functions on int/bool inputs compute in the default float type."""
    try:
        k = t._data.dtype.kind
    except AttributeError:
        raise TypeError(f"expected a Tensor as input, got {type(t).__name__}") from None
    if k in "biu":
        return cast(t, D.get_default_dtype())
    return t


def _copy(t):
    return _make(t._data.copy())


# ------------------------------------------------------------------ arithmetic
class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, g


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, -g


class Mul(Function):
    save_inputs = (0, 1)

    def forward(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.saved_tensors
        nf = self._next
        return (g * b if nf[0] is not None else None), (g * a if nf[1] is not None else None)


class Div(Function):
    save_inputs = (0, 1)

    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.saved_tensors
        gb = None
        if self.needs_input_grad[1]:
            gb = -g * a / (b * b)
        return g / b, gb


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class Exp(Function):
    save_output = True

    def forward(self, a):
        return np.exp(a)

    def backward(self, g):
        return g * self.saved_output


class Log(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.log(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / a


def _is_bool(x):
    return x.__class__ is bool or (isinstance(x, Tensor) and x._data.dtype == np.bool_) or \
        isinstance(x, np.bool_)


def _check_no_bool_sub(a, b):
    ba, bb = _is_bool(a), _is_bool(b)
    if ba and bb:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead.")
    if ba or bb:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _scale_alpha(input, other, alpha):
    """``other * alpha`` in the dtype of ``input op other`` (torch ignores
    alpha's own type, and refuses a float alpha for integral inputs)."""
    if isinstance(other, Tensor):
        dt = D.result_type(input, other) if isinstance(input, Tensor) else \
            D.result_type(other, input)
    else:
        dt = D.result_type(input, other)
    if dt.category <= D.INT and isinstance(alpha, (float, np.floating)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if dt is D.bool_:
        alpha = bool(alpha)
        if alpha:
            return other
        return mul(other, False) if isinstance(other, Tensor) else False
    if not isinstance(other, Tensor):
        return other * alpha
    return mul(other, alpha)


def add(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = _scale_alpha(input, other, alpha)
    return _binary(Add, input, other)


def sub(input, other, *, alpha=1, out=None):
    if input.__class__ is Tensor and other.__class__ is Tensor and \
            input._data.dtype == other._data.dtype and input._data.dtype != np.bool_ \
            and alpha == 1:
        if input._data.shape != other._data.shape:
            check_broadcast(input._data.shape, other._data.shape)
        return Sub.apply(input, other)
    _check_no_bool_sub(input, other)
    if alpha != 1:
        other = _scale_alpha(input, other, alpha)
    return _binary(Sub, input, other)


subtract = sub


def mul(input, other, *, out=None):
    return _binary(Mul, input, other)


multiply = mul


def _true_div_operands(a, b):
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        (a, b), _ = promote(a, b)
    a, b, _ = _float_binary(a, b, "div")
    return a, b


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        if input.__class__ is Tensor and other.__class__ is Tensor and \
                input._data.dtype == other._data.dtype and input._data.dtype.kind == "f":
            a, b = input, other
        else:
            a, b = _true_div_operands(input, other)
        if a._data.shape != b._data.shape:
            check_broadcast(a._data.shape, b._data.shape)
        return Div.apply(a, b)
    return _div_rounding(input, other, rounding_mode)


divide = div
true_divide = div


def neg(input):
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return Neg.apply(input)


negative = neg


def positive(input):
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def exp(input):
    return Exp.apply(_float_input(input))


def log(input):
    return Log.apply(_float_input(input))


# ------------------------------------------------------------------ integer-aware division
def _check_int_divisor(b):
    if b.dtype.kind in "iu" and not np.all(b):
        raise RuntimeError("ZeroDivisionError")


def _floor_div_np(a, b):
    if a.dtype.kind in "iu":
        _check_int_divisor(b)
    return np.floor_divide(a, b)


def _trunc_div_np(a, b):
    if a.dtype.kind in "iu":
        _check_int_divisor(b)
        r = np.fmod(a, b)
        return (a - r) // b
    return np.trunc(a / b)


class DivFloor(Function):
    name = "DivBackward2"

    def forward(self, a, b):
        return _floor_div_np(a, b)

    def backward(self, g):
        z = g * 0
        return z, z


class DivTrunc(Function):
    name = "DivBackward2"

    def forward(self, a, b):
        return _trunc_div_np(a, b)

    def backward(self, g):
        z = g * 0
        return z, z


class FloorDivide(DivFloor):
    name = "NotImplemented"

    def backward(self, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _div_rounding(input, other, rounding_mode):
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")
    a, b, dt = _promote2(input, other, "div")
    if dt is D.bool_:
        raise _not_implemented("div_floor_cpu" if rounding_mode == "floor" else "div_trunc_cpu",
                               dt)
    return (DivFloor if rounding_mode == "floor" else DivTrunc).apply(a, b)


def floor_divide(input, other, *, out=None):
    a, b, dt = _promote2(input, other, "floor_divide")
    if dt is D.bool_:
        raise _not_implemented("div_floor_cpu", dt)
    return FloorDivide.apply(a, b)


class Remainder(Function):
    save_inputs = (0, 1)

    def forward(self, a, b):
        if a.dtype.kind in "iu":
            _check_int_divisor(b)
            return np.remainder(a, b)
        m = np.fmod(a, b)
        fix = (m != 0) & ((b < 0) != (m < 0))
        return np.where(fix, m + b, m)

    def backward(self, g):
        a, b = self.saved_tensors
        gb = None
        if self.needs_input_grad[1]:
            gb = -g * div(a, b, rounding_mode="floor")
        return g, gb


class Fmod(Function):
    save_inputs = (0, 1)

    def forward(self, a, b):
        if a.dtype.kind in "iu":
            _check_int_divisor(b)
        return np.fmod(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        gb = None
        if self.needs_input_grad[1]:
            gb = -g * div(a, b, rounding_mode="trunc")
        return g, gb


class RemainderScalarSelf(Remainder):
    name = "NotImplemented"

    def backward(self, g):
        raise RuntimeError("derivative for aten::remainder is not implemented")


def remainder(input, other, *, out=None):
    a, b, dt = _promote2(input, other, "remainder")
    if dt is D.bool_:
        raise _not_implemented("remainder_cpu", dt)
    if not isinstance(input, Tensor):
        return RemainderScalarSelf.apply(a, b)
    return Remainder.apply(a, b)


def fmod(input, other, *, out=None):
    _as_tensor(input, "fmod")
    a, b, dt = _promote2(input, other, "fmod")
    if dt is D.bool_:
        raise _not_implemented("fmod_cpu", dt)
    return Fmod.apply(a, b)


# ------------------------------------------------------------------ powers
def _int_pow(a, e):
    """Integer power with torch's rule for negative exponents (1, ±1 or 0)."""
    neg = e < 0
    if not np.any(neg):
        return np.power(a, e)
    r = np.power(a, np.where(neg, 0, e).astype(e.dtype, copy=False))
    a_b = np.broadcast_to(a, r.shape)
    e_b = np.broadcast_to(e, r.shape)
    special = np.where(a_b == 1, 1, np.where(a_b == -1, np.where(e_b % 2 == 0, 1, -1), 0))
    return np.where(np.broadcast_to(neg, r.shape), special, r).astype(r.dtype, copy=False)


class PowScalar(Function):
    """``x ** c`` for a Python-number exponent."""
    name = "PowBackward0"
    save_inputs = (0,)

    def forward(self, a, exponent):
        self.exponent = exponent
        if exponent == 2:
            return a * a
        if a.dtype.kind in "iub":
            return np.power(a, scalar_array(exponent, D.from_numpy_dtype(a.dtype)))
        return np.power(a, np.asarray(exponent, dtype=a.dtype))

    def backward(self, g):
        (a,) = self.saved_tensors
        e = self.exponent
        if e == 0:
            return _zeros(g)
        if e == 2:
            return g * (a * 2)
        return g * (pow(a, e - 1) * e)


class PowTensor(Function):
    """``x ** y`` for two tensors of the same float dtype."""
    name = "PowBackward1"
    save_inputs = (0, 1)
    save_output = True

    def forward(self, a, e):
        return np.power(a, e)

    def backward(self, g):
        a, e, out = self.saved_tensors
        ga = ge = None
        ad, ed = a._data, e._data
        if self.needs_input_grad[0]:
            ga = _Where.apply(_zeros(g), g * (e * pow(a, e - 1)),
                              cond=np.broadcast_to(ed == 0, g._data.shape))
        if self.needs_input_grad[1]:
            cond = np.broadcast_to((ad == 0) & (ed >= 0), g._data.shape)
            ge = g * _Where.apply(_make(np.zeros((), g._data.dtype)), out * log(a), cond=cond)
        return ga, ge


class RPowScalar(Function):
    """``c ** x`` for a Python-number base."""
    name = "PowBackward2"
    save_inputs = (0,)
    save_output = True

    def forward(self, e, base):
        self.base = base
        if e.dtype.kind in "iub":
            return _int_pow(scalar_array(base, D.from_numpy_dtype(e.dtype)), e)
        return np.power(np.asarray(base, dtype=e.dtype), e)

    def backward(self, g):
        e, out = self.saved_tensors
        base = self.base
        lb = math.log(base) if base > 0 else (-math.inf if base == 0 else math.nan)
        r = out * lb
        if base == 0:  # torch: 0 ** e has gradient 0 w.r.t. e where e >= 0
            r = _Where.apply(_make(np.zeros((), r._data.dtype)), r,
                             cond=np.broadcast_to(e._data >= 0, r._data.shape))
        return g * r


class IntPowTensor(Function):
    def forward(self, a, e):
        return _int_pow(a, e)


def pow(input, exponent, *, out=None):
    if isinstance(input, Tensor):
        if isinstance(exponent, Tensor):
            a, e, dt = _promote2(input, exponent, "pow")
            if dt is D.bool_:
                raise _not_implemented("pow", dt)
            if dt.category == D.INT:
                return IntPowTensor.apply(a, e)
            return PowTensor.apply(a, e)
        if not isinstance(exponent, _Number):
            raise TypeError(f"pow(): exponent must be a Tensor or a number, got "
                            f"{type(exponent).__name__}")
        dt = D.result_type(input, exponent)
        if dt is D.bool_:
            raise _not_implemented("pow", dt)
        _check_scalar_fits(exponent, dt)
        if dt.category == D.INT and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return PowScalar.apply(cast(input, dt), exponent=exponent)
    if isinstance(exponent, Tensor):
        if not isinstance(input, _Number):
            raise TypeError(f"pow(): base must be a Tensor or a number, got {type(input).__name__}")
        dt = D.result_type(exponent, input)
        if dt is D.bool_:
            raise _not_implemented("pow", dt)
        return RPowScalar.apply(cast(exponent, dt), base=input)
    raise TypeError("pow() received an invalid combination of arguments: expected at least one "
                    f"Tensor, got {type(input).__name__} and {type(exponent).__name__}")


def float_power(input, exponent, *, out=None):
    f64 = D.float64
    if isinstance(input, Tensor):
        if input.is_complex():
            f64 = D.complex128
        input = cast(input, f64)
    elif isinstance(input, _Number):
        input = float(input)
    if isinstance(exponent, Tensor):
        exponent = cast(exponent, f64)
    elif isinstance(exponent, _Number):
        exponent = float(exponent)
    return pow(input, exponent)


def _float_power_(self, exponent):
    if self._data.dtype != np.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {_type_name(self.dtype)} but "
                           "the operation's result requires dtype Double")
    return _inplace(self, float_power, exponent)



# ------------------------------------------------------------------ erf without SciPy
# erf(x) for |x| < 1: its Taylor series x * sum c_n x^(2n), c_n = 2/sqrt(pi) (-1)^n/(n! (2n+1)).
_ERF_TAYLOR = np.array([2.0 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1))
                        for n in range(22)])
# x * exp(x^2) * erfc(x) for 1 <= x <= 27: polynomials in t in [-1, 1] on each interval
# [EDGES[i], EDGES[i+1]] (x = mid + half_width * t), fitted to 40-digit reference values
# (Chebyshev interpolation at 60 nodes, truncated where terms fall below 1e-18 relative);
# max relative error of erfc on [1, 26.5] about 6e-16.
_ERFC_EDGES = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0, 15.0, 27.0])
_ERFC_MID = (_ERFC_EDGES[:-1] + _ERFC_EDGES[1:]) / 2
_ERFC_HW = (_ERFC_EDGES[1:] - _ERFC_EDGES[:-1]) / 2
_ERFC_POLY = [
    (0.45977864556545134, 0.026698892874149695, -0.004707963224616335, 0.0006878551328392764,
     -8.86877698528737e-05, 1.0409501669726148e-05, -1.1328711557505793e-06,
     1.1571540727010762e-07, -1.1189575778964853e-08, 1.0310006225782518e-09,
     -9.097343140502249e-11, 7.71691626725107e-12, -6.316422254580649e-13,
     5.1115019678349136e-14, -3.925676795131367e-15),
    (0.4987014107905137, 0.013940907521771817, -0.00208687455388015, 0.0002626349752290255,
     -2.9501705580411037e-05, 3.044544499362007e-06, -2.935465661618969e-07,
     2.6734689512352857e-08, -2.3177978015048786e-09, 1.923883513914969e-10,
     -1.535545522767894e-11, 1.183046176184129e-12, -8.983046539066073e-14,
     6.502518596677829e-15),
    (0.5199463321433817, 0.007998156852676562, -0.0010314431959162534, 0.00011309360482377701,
     -1.116922347319325e-05, 1.0210998685786448e-06, -8.777436126786525e-08,
     7.166322540368187e-09, -5.596357451604421e-10, 4.201534231228864e-11,
     -3.045239497777869e-12, 2.1693098535515228e-13, -1.478835204116069e-14),
    (0.5325707647674389, 0.004939648246830715, -0.0005563441778435601, 5.373693391530324e-05,
     -4.708936376770075e-06, 3.8432168111928474e-07, -2.964969078959463e-08,
     2.1826557039115914e-09, -1.543149207572025e-10, 1.0527406121059837e-11,
     -6.955989308306715e-13, 4.52017097785108e-14, -2.825176614161967e-15),
    (0.54352779463113, 0.005330566596255289, -0.0010024029148663705, 0.00016317158171967228,
     -2.429201847295732e-05, 3.3920347844426597e-06, -4.505148901308469e-07,
     5.7412117664690066e-08, -7.061831970885072e-09, 8.419958253698039e-10,
     -9.762858156687294e-11, 1.1027687957296831e-11, -1.2177703750654692e-12,
     1.372721670412752e-13, -1.4554128349351227e-14),
    (0.5511816192322864, 0.002706562717306123, -0.00041421604379616805, 5.531661363226203e-05,
     -6.804816963216236e-06, 7.902414373004221e-07, -8.78006174469329e-08,
     9.41019832728961e-09, -9.782386884093125e-10, 9.901965261420637e-11,
     -9.783973082021604e-12, 9.464930511553834e-13, -9.254034109778891e-14,
     8.627792641772264e-15),
    (0.5566594068032302, 0.002414446866224427, -0.0005736722917057884, 0.00011975769940140514,
     -2.3175096265714015e-05, 4.258618661309352e-06, -7.528011884594908e-07,
     1.290232404048052e-07, -2.1551174332506242e-08, 3.520880988132921e-09,
     -5.641331367584862e-10, 8.881118989451928e-11, -1.3710503788296844e-11,
     2.0924650275648417e-12, -3.453582937160069e-13, 5.1512123012275883e-14),
    (0.560363541249833, 0.0013236051529264491, -0.0003412246408425956, 7.77021469224917e-05,
     -1.6485774633338433e-05, 3.337464657158223e-06, -6.529723739844565e-07,
     1.2441342014030262e-07, -2.320019270565471e-08, 4.248656291223322e-09,
     -7.659833600971125e-10, 1.3623177387254293e-10, -2.3926873560425027e-11,
     4.126198733318088e-12, -7.086824232964144e-13, 1.371586860088156e-13,
     -2.3253042705043734e-14),
    (0.562401237512849, 0.0007086203208650206, -0.00020994040930882453, 5.511847813945499e-05,
     -1.3525484530247062e-05, 3.176687553981781e-06, -7.232159173678157e-07,
     1.608141185208035e-07, -3.509695106937064e-08, 7.54315035473412e-09,
     -1.6003888069092109e-09, 3.359801465157127e-10, -6.981295114836339e-11,
     1.4164091557175197e-11, -2.889596098513739e-12, 7.087425006199072e-13,
     -1.4397513485492372e-13),
    (0.5635520763316071, 0.0003630604822899782, -0.0001548987942048877, 5.867864923552695e-05,
     -2.081615908032492e-05, 7.081268454696085e-06, -2.339415648122327e-06,
     7.562593727469045e-07, -2.403907606730835e-07, 7.538673446385356e-08,
     -2.3380265115061204e-08, 7.183202757255512e-09, -2.1873105858163776e-09,
     6.618148145278368e-10, -2.0170222223114843e-10, 6.046117584137859e-11,
     -1.5742080297433353e-11, 4.59929137183808e-12, -2.4171358135099406e-12,
     7.240049544282737e-13),
]
_ERFC_DEG = max(len(c) for c in _ERFC_POLY)
_ERFC_TABLE = np.array([list(c) + [0.0] * (_ERFC_DEG - len(c)) for c in _ERFC_POLY])
del _ERFC_POLY


def _erf_small(x):
    """erf on |x| < 1 (float64)."""
    x2 = x * x
    c = _ERF_TAYLOR
    r = np.full_like(x, c[-1])
    for k in range(len(c) - 2, -1, -1):
        r *= x2
        r += c[k]
    return x * r


def _erfc_large(x):
    """erfc on x >= 1 (float64; x may be inf)."""
    x = np.minimum(x, 27.5)  # erfc(27.5) underflows to 0 in float64
    i = np.minimum(np.searchsorted(_ERFC_EDGES, x, side="right") - 1, len(_ERFC_MID) - 1)
    t = (x - _ERFC_MID[i]) / _ERFC_HW[i]
    c = _ERFC_TABLE[i]
    r = c[:, -1].copy()
    for k in range(_ERFC_DEG - 2, -1, -1):
        r *= t
        r += c[:, k]
    # exp(-x^2) without the rounding error of x*x: x = z + (x - z) with z exact in 24 bits
    z = x.astype(np.float32).astype(np.float64)
    return np.exp(-z * z) * np.exp((z - x) * (z + x)) * r / x


def _erf64(a, complement=False):
    a = np.asarray(a, dtype=np.float64)
    out = np.empty_like(a)
    ax = np.abs(a)
    small = ax < 1
    big = ~small
    nan = np.isnan(a)
    big &= ~nan
    if small.any():
        es = _erf_small(a[small])
        out[small] = 1.0 - es if complement else es
    if big.any():
        c = _erfc_large(ax[big])
        neg = a[big] < 0
        if complement:
            out[big] = np.where(neg, 2.0 - c, c)
        else:
            out[big] = np.where(neg, c - 1.0, 1.0 - c)
    if nan.any():
        out[nan] = np.nan
    return out


def _erf_np(a, complement=False):
    r = _erf64(a, complement)
    return r if a.dtype == np.float64 else r.astype(a.dtype)


def _erfinv_np(y):
    s = np.abs(y.astype(np.float64))
    # Winitzki's closed form (relative error ~2e-3), then Newton on erf / erfc
    ln = np.log1p(-s * s)
    t = 2.0 / (math.pi * 0.147) + ln / 2
    x = np.sqrt(np.sqrt(t * t - ln / 0.147) - t)
    hi = s > 0.5
    for _ in range(3):
        err = np.where(hi, (1.0 - s) - _erf64(x, True), _erf64(x) - s)
        x = x - err / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
    x = np.where(s == 1, np.inf, np.where(s > 1, np.nan, x))
    r = np.copysign(x, y.astype(np.float64))
    return r if y.dtype == np.float64 else r.astype(y.dtype)


# ------------------------------------------------------------------ unary float functions
_SQRT_PI = math.sqrt(math.pi)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


class Sqrt(Function):
    save_output = True

    def forward(self, a):
        return np.sqrt(a)

    def backward(self, g):
        return g / (self.saved_output * 2)


class Rsqrt(Function):
    save_output = True

    def forward(self, a):
        return 1 / np.sqrt(a)

    def backward(self, g):
        out = self.saved_output
        return g * (out * out * out) * -0.5


class Exp2(Function):
    save_output = True

    def forward(self, a):
        return np.exp2(a)

    def backward(self, g):
        return g * (self.saved_output * _LN2)


class Expm1(Function):
    save_output = True

    def forward(self, a):
        return np.expm1(a)

    def backward(self, g):
        return g * (self.saved_output + 1)


class Log2(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.log2(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / (a * _LN2)


class Log10(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.log10(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / (a * _LN10)


class Log1p(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.log1p(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / (a + 1)


class Sin(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.sin(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * cos(a)


class Cos(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.cos(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * -sin(a)


class Tan(Function):
    save_output = True

    def forward(self, a):
        return np.tan(a)

    def backward(self, g):
        out = self.saved_output
        return g * (out * out + 1)


class Asin(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.arcsin(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * rsqrt(1 - a * a)


class Acos(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.arccos(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * -rsqrt(1 - a * a)


class Atan(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.arctan(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g / (a * a + 1)


class Sinh(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.sinh(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * cosh(a)


class Cosh(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.cosh(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * sinh(a)


class Tanh(Function):
    save_output = True

    def forward(self, a):
        return np.tanh(a)

    def backward(self, g):
        out = self.saved_output
        return g * (1 - out * out)


class Sigmoid(Function):
    save_output = True

    def forward(self, a):
        return 1 / (1 + np.exp(-a))

    def backward(self, g):
        out = self.saved_output
        return g * (out * (1 - out))


class Erf(Function):
    save_inputs = (0,)

    def forward(self, a):
        return _erf_np(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * (exp(-(a * a)) * (2 / _SQRT_PI))


class Erfc(Function):
    save_inputs = (0,)

    def forward(self, a):
        return _erf_np(a, True)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * (exp(-(a * a)) * (-2 / _SQRT_PI))


class Erfinv(Function):
    save_output = True

    def forward(self, a):
        return _erfinv_np(a)

    def backward(self, g):
        out = self.saved_output
        return g * (exp(out * out) * (_SQRT_PI / 2))


class Reciprocal(Function):
    save_output = True

    def forward(self, a):
        return 1 / a

    def backward(self, g):
        out = self.saved_output
        return g * -(out * out)


class Frac(Function):
    def forward(self, a):
        return a - np.trunc(a)

    def backward(self, g):
        return g


def _unary_float(cls):
    def fn(input):
        return cls.apply(_float_input(input))
    return fn


sqrt = _unary_float(Sqrt)
rsqrt = _unary_float(Rsqrt)
exp2 = _unary_float(Exp2)
expm1 = _unary_float(Expm1)
log2 = _unary_float(Log2)
log10 = _unary_float(Log10)
log1p = _unary_float(Log1p)
sin = _unary_float(Sin)
cos = _unary_float(Cos)
tan = _unary_float(Tan)
asin = arcsin = _unary_float(Asin)
acos = arccos = _unary_float(Acos)
atan = arctan = _unary_float(Atan)
sinh = _unary_float(Sinh)
cosh = _unary_float(Cosh)
tanh = _unary_float(Tanh)
sigmoid = _unary_float(Sigmoid)
erf = _unary_float(Erf)
erfc = _unary_float(Erfc)
erfinv = _unary_float(Erfinv)
reciprocal = _unary_float(Reciprocal)
for _f, _n in ((sqrt, "sqrt"), (rsqrt, "rsqrt"), (exp2, "exp2"), (expm1, "expm1"), (log2, "log2"),
               (log10, "log10"), (log1p, "log1p"), (sin, "sin"), (cos, "cos"), (tan, "tan"),
               (asin, "asin"), (acos, "acos"), (atan, "atan"), (sinh, "sinh"), (cosh, "cosh"),
               (tanh, "tanh"), (sigmoid, "sigmoid"), (erf, "erf"), (erfc, "erfc"),
               (erfinv, "erfinv"), (reciprocal, "reciprocal")):
    _f.__name__ = _f.__qualname__ = _n


# ------------------------------------------------------------------ sign, abs, rounding
class Abs(Function):
    save_inputs = (0,)

    def forward(self, a):
        return np.abs(a)

    def backward(self, g):
        (a,) = self.saved_tensors
        # complex: d|z| pulls back along z/|z| (torch's sgn), not the real sign
        return g * (sgn(a) if a._data.dtype.kind == "c" else sign(a))


def abs(input):
    t = _as_tensor(input, "abs")
    if t._data.dtype == np.bool_:
        raise _not_implemented("abs_cpu", t)
    return Abs.apply(t)


absolute = abs


class Sign(Function):
    def forward(self, a):
        if a.dtype.kind == "b":
            return a.copy()
        if a.dtype.kind in "iu":
            return np.sign(a)
        # torch: (0 < x) - (x < 0), so sign(nan) is 0
        return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)

    def backward(self, g):
        return _zeros(g)


def sign(input):
    return Sign.apply(_as_tensor(input, "sign"))


def sgn(input):
    """sign for real inputs; z/|z| (0 at 0) for complex ones, as torch."""
    t = _as_tensor(input, "sgn")
    if t._data.dtype.kind != "c":
        return sign(t)
    r = abs(t)  # composed from differentiable ops, so its gradient comes for free
    return t / clamp_min(r, float(np.finfo(r._data.dtype).tiny))


def signbit(input):
    a = _as_tensor(input, "signbit")._data
    if a.dtype.kind == "b":
        return _make(np.zeros(a.shape, np.bool_))
    if a.dtype.kind in "iu":
        return _make(a < 0)
    return _make(np.signbit(a))


class _Rounding(Function):
    """floor/ceil/round/trunc: zero gradient (torch's convention)."""

    def backward(self, g):
        return _zeros(g)


class Floor(_Rounding):
    def forward(self, a):
        return np.floor(a)


class Ceil(_Rounding):
    def forward(self, a):
        return np.ceil(a)


class Trunc(_Rounding):
    def forward(self, a):
        return np.trunc(a)


class Round(_Rounding):
    def forward(self, a, decimals):
        if decimals == 0:
            return np.rint(a)
        if a.dtype.kind == "V" or a.dtype == np.float16:
            x = a.astype(np.float32)
        else:
            x = a
        if decimals > 0:
            p = np.asarray(10.0 ** decimals, dtype=x.dtype)
            r = np.rint(x * p) / p
        else:
            p = np.asarray(10.0 ** -decimals, dtype=x.dtype)
            r = np.rint(x / p) * p
        return r.astype(a.dtype, copy=False)


def _rounding(cls, name):
    def fn(input):
        t = _as_tensor(input, name)
        k = t._data.dtype.kind
        if k in "iu":
            return _copy(t)
        if k == "b":
            raise _not_implemented(f"{name}_vml_cpu", t)
        return cls.apply(t)
    fn.__name__ = fn.__qualname__ = name
    return fn


floor = _rounding(Floor, "floor")
ceil = _rounding(Ceil, "ceil")
trunc = _rounding(Trunc, "trunc")
fix = trunc


def round(input, *, decimals=0):
    t = _as_tensor(input, "round")
    if t._data.dtype == np.bool_:
        raise _not_implemented("round_vml_cpu", t)
    if t._data.dtype.kind in "iu":
        if decimals != 0:
            raise _not_implemented("round_cpu", t)
        return _copy(t)
    return Round.apply(t, decimals=int(decimals))


def frac(input):
    t = _as_tensor(input, "frac")
    if t._data.dtype.kind in "biu":
        raise _not_implemented("frac_cpu", t)
    return Frac.apply(t)


def square(input):
    t = _as_tensor(input, "square")
    if t._data.dtype == np.bool_:
        t = cast(t, D.int64)
    return PowScalar.apply(t, exponent=2)



# ------------------------------------------------------------------ binary float functions
class Atan2(Function):
    save_inputs = (0, 1)

    def forward(self, a, b):
        return np.arctan2(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        inv = reciprocal(a * a + b * b)
        nf = self._next
        return (g * (b * inv) if nf[0] is not None else None,
                g * (-a * inv) if nf[1] is not None else None)


class Hypot(Function):
    save_inputs = (0, 1)
    save_output = True

    def forward(self, a, b):
        return np.hypot(a, b)

    def backward(self, g):
        a, b, out = self.saved_tensors
        nf = self._next
        return (g * (a / out) if nf[0] is not None else None,
                g * (b / out) if nf[1] is not None else None)


class LogAddExp(Function):
    save_inputs = (0, 1)

    def forward(self, a, b):
        return np.logaddexp(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        nf = self._next
        return (g / (exp(b - a) + 1) if nf[0] is not None else None,
                g / (exp(a - b) + 1) if nf[1] is not None else None)


class Copysign(Function):
    save_inputs = (0,)
    save_output = True

    def forward(self, a, b):
        return np.copysign(a, b)

    def backward(self, g):
        a, out = self.saved_tensors
        ratio = _Where.apply(_make(np.zeros((), out._data.dtype)), out / a,
                             cond=np.broadcast_to(a._data == 0, out._data.shape))
        return g * ratio, _zeros(g) if self.needs_input_grad[1] else None


def atan2(input, other, *, out=None):
    a, b, _ = _float_binary(_as_tensor(input, "atan2"), other, "atan2")
    return Atan2.apply(a, b)


arctan2 = atan2


def hypot(input, other, *, out=None):
    a, b, dt = _promote2(_as_tensor(input, "hypot"), other, "hypot")
    if dt.category <= D.INT:
        raise _not_implemented("hypot_cpu", dt)
    return Hypot.apply(a, b)


def logaddexp(input, other, *, out=None):
    a, b, dt = _promote2(_as_tensor(input, "logaddexp"), other, "logaddexp")
    if dt.category <= D.INT:
        raise _not_implemented("logaddexp_cpu", dt)
    return LogAddExp.apply(a, b)


def copysign(input, other, *, out=None):
    a, b, _ = _float_binary(_as_tensor(input, "copysign"), other, "copysign")
    return Copysign.apply(a, b)


# ------------------------------------------------------------------ max/min and clamp
class _MaxMin(Function):
    """maximum/minimum: on ties the gradient is split 0.5/0.5; NaN sends the
    whole gradient to both inputs (torch's masks are all false there)."""
    op = staticmethod(np.maximum)
    greater = True

    def forward(self, a, b):
        out = self.op(a, b)
        if self.requires_grad:
            if self.greater:
                lose_a, lose_b = a < b, a > b
            else:
                lose_a, lose_b = a > b, a < b
            tie = a == b
            shape = out.shape
            dt = out.dtype
            wa = np.where(tie, 0.5, np.where(lose_a, 0.0, 1.0)).astype(dt)
            wb = np.where(tie, 0.5, np.where(lose_b, 0.0, 1.0)).astype(dt)
            self.wa = np.broadcast_to(wa, shape)
            self.wb = np.broadcast_to(wb, shape)
        return out

    def backward(self, g):
        nf = self._next
        return (g * _make(self.wa) if nf[0] is not None else None,
                g * _make(self.wb) if nf[1] is not None else None)


class Maximum(_MaxMin):
    pass


class Minimum(_MaxMin):
    op = staticmethod(np.minimum)
    greater = False


class _FMaxMin(Function):
    op = staticmethod(np.fmax)
    greater = True

    def forward(self, a, b):
        out = self.op(a, b)
        if self.requires_grad:
            keep_a = (a >= b) if self.greater else (a <= b)
            keep_a = keep_a | np.isnan(b)
            self.keep_a = np.broadcast_to(keep_a, out.shape)
        return out

    def backward(self, g):
        nf = self._next
        k = self.keep_a
        return (_mask(g, k) if nf[0] is not None else None,
                _mask(g, ~k) if nf[1] is not None else None)


class FMax(_FMaxMin):
    pass


class FMin(_FMaxMin):
    op = staticmethod(np.fmin)
    greater = False


def _tensor_pair(input, other, op):
    _as_tensor(input, op)
    _as_tensor(other, op, "other")
    return _promote2(input, other, op)


def maximum(input, other, *, out=None):
    a, b, _ = _tensor_pair(input, other, "maximum")
    return Maximum.apply(a, b)


def minimum(input, other, *, out=None):
    a, b, _ = _tensor_pair(input, other, "minimum")
    return Minimum.apply(a, b)


def fmax(input, other, *, out=None):
    a, b, _ = _tensor_pair(input, other, "fmax")
    return FMax.apply(a, b)


def fmin(input, other, *, out=None):
    a, b, _ = _tensor_pair(input, other, "fmin")
    return FMin.apply(a, b)


class Clamp(Function):
    """clamp with Python-number bounds: gradient passes where min <= x <= max."""
    name = "ClampBackward1"

    def forward(self, a, lo, hi):
        dt = D.from_numpy_dtype(a.dtype)
        out = a
        if lo is not None:
            out = np.maximum(out, scalar_array(lo, dt))
        if hi is not None:
            out = np.minimum(out, scalar_array(hi, dt))
        if out is a:
            out = a.copy()
        if self.requires_grad:
            m = None
            if lo is not None:
                m = a >= scalar_array(lo, dt)
            if hi is not None:
                mh = a <= scalar_array(hi, dt)
                m = mh if m is None else m & mh
            self.keep = m
        return out

    def backward(self, g):
        return _mask(g, self.keep)


class ClampTensor(Function):
    """clamp with tensor bounds (either may be None); torch's gradient rules
    for the bounds (min wins its region only where min < max)."""
    name = "ClampBackward0"

    def forward(self, a, lo, hi):
        out = a
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        if out is a:
            out = a.copy()
        if self.requires_grad:
            shape = out.shape
            if lo is not None and hi is not None:
                self.m_self = (a >= lo) & (a <= hi)
                self.m_lo = (a < lo) & (lo < hi)
                self.m_hi = (a > hi) | (hi < lo)
            elif lo is not None:
                self.m_self, self.m_lo, self.m_hi = a >= lo, a < lo, None
            else:
                self.m_self, self.m_lo, self.m_hi = a <= hi, None, a > hi
            for k in ("m_self", "m_lo", "m_hi"):
                v = getattr(self, k)
                if v is not None:
                    setattr(self, k, np.broadcast_to(v, shape))
        return out

    def backward(self, g):
        nf = self._next
        return (_mask(g, self.m_self) if nf[0] is not None else None,
                _mask(g, self.m_lo) if nf[1] is not None else None,
                _mask(g, self.m_hi) if nf[2] is not None else None)


def clamp(input, min=None, max=None, *, out=None):
    t = _as_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tmin, tmax = isinstance(min, Tensor), isinstance(max, Tensor)
    if tmin or tmax:
        if (min is not None and not tmin) or (max is not None and not tmax):
            raise TypeError("clamp() received an invalid combination of arguments: min and max "
                            "must both be Tensors or both be numbers")
        ops = [t] + [x for x in (min, max) if x is not None]
        tensors, dt = promote(*ops)
        broadcast_shapes(*(x._data.shape for x in tensors))
        x = tensors[0]
        lo = tensors[1] if min is not None else None
        hi = tensors[-1] if max is not None else None
        return ClampTensor.apply(x, lo, hi)
    for v, n in ((min, "min"), (max, "max")):
        if v is not None and not isinstance(v, _Number):
            raise TypeError(f"clamp(): argument '{n}' must be a Number or Tensor, not "
                            f"{type(v).__name__}")
    dt = D.result_type(t, *(v for v in (min, max) if v is not None))
    _check_scalar_fits(min, dt)
    _check_scalar_fits(max, dt)
    return Clamp.apply(cast(t, dt), lo=min, hi=max)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


# ------------------------------------------------------------------ lerp, addcmul, addcdiv
class Lerp(Function):
    save_inputs = (0, 1, 2)

    def forward(self, a, b, w):
        d = b - a
        return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))

    def backward(self, g):
        a, b, w = self.saved_tensors
        nf = self._next
        return (g * (1 - w) if nf[0] is not None else None,
                g * w if nf[1] is not None else None,
                g * (b - a) if nf[2] is not None else None)


def lerp(input, end, weight, *, out=None):
    t = _as_tensor(input, "lerp")
    e = _as_tensor(end, "lerp", "end")
    if t._data.dtype != e._data.dtype:
        raise RuntimeError(f"expected dtype {_ctype(t.dtype)} for `end` but got dtype "
                           f"{_ctype(e.dtype)}")
    if t._data.dtype.kind not in "fV":
        raise _not_implemented("lerp_kernel_scalar" if not isinstance(weight, Tensor)
                               else "lerp_kernel_tensor", t)
    if isinstance(weight, Tensor):
        if weight.ndim and weight._data.dtype != t._data.dtype:
            raise RuntimeError(f"expected dtype {_ctype(t.dtype)} for `weight` but got dtype "
                               f"{_ctype(weight.dtype)}")
        w = cast(weight, t.dtype)
    else:
        w = _make(np.asarray(weight, dtype=t._data.dtype))
    broadcast_shapes(t._data.shape, e._data.shape, w._data.shape)
    return Lerp.apply(t, e, w)


_CTYPES = {"float32": "float", "float64": "double", "float16": "c10::Half",
           "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "int16": "short int",
           "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _ctype(dt):
    return _CTYPES.get(dt.name, dt.name)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    (x, a, b), dt = promote(_as_tensor(input, "addcmul"), tensor1, tensor2)
    broadcast_shapes(x._data.shape, a._data.shape, b._data.shape)
    if dt is D.bool_:
        raise _not_implemented("addcmul_cpu_out", dt)
    if dt.category <= D.INT and isinstance(value, (float, np.floating)):
        value = int(value)
    p = mul(a, b)
    if value != 1:
        p = mul(p, value)
    return add(x, p)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    _as_tensor(input, "addcdiv")
    if isinstance(tensor1, Tensor) and isinstance(tensor2, Tensor) and \
            tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    (x, a, b), dt = promote(input, tensor1, tensor2)
    broadcast_shapes(x._data.shape, a._data.shape, b._data.shape)
    q = div(a, b)
    if value != 1:
        q = mul(q, value)
    return add(x, cast(q, dt) if q._data.dtype != dt.np else q)


# ------------------------------------------------------------------ predicates
def _pred(name, fn_float, int_value):
    def f(input):
        a = _as_tensor(input, name)._data
        if a.dtype.kind in "biu":
            return _make(np.full(a.shape, int_value, np.bool_))
        return _make(fn_float(a))
    f.__name__ = f.__qualname__ = name
    return f


isnan = _pred("isnan", np.isnan, False)
isinf = _pred("isinf", np.isinf, False)
isfinite = _pred("isfinite", np.isfinite, True)
isposinf = _pred("isposinf", lambda a: np.isposinf(a) if a.dtype.kind == "f" else (a == np.inf),
                 False)
isneginf = _pred("isneginf", lambda a: np.isneginf(a) if a.dtype.kind == "f" else (a == -np.inf),
                 False)


def isreal(input):
    a = _as_tensor(input, "isreal")._data
    if a.dtype.kind == "c":
        return _make(a.imag == 0)
    return _make(np.ones(a.shape, np.bool_))


def _finfo(np_dtype):
    try:
        return np.finfo(np_dtype)
    except (TypeError, ValueError):
        import ml_dtypes

        return ml_dtypes.finfo(np_dtype)


class NanToNum(Function):
    save_inputs = (0,)

    def forward(self, a, nan, posinf, neginf):
        fi = _finfo(a.dtype)
        pos = fi.max if posinf is None else posinf
        neg = fi.min if neginf is None else neginf
        dt = a.dtype
        r = np.where(np.isnan(a), np.asarray(nan, dt), a)
        r = np.where(r == np.inf, np.asarray(pos, dt), r)
        r = np.where(r == -np.inf, np.asarray(neg, dt), r)
        return r.astype(dt, copy=False)

    def backward(self, g):
        (a,) = self.saved_tensors
        return g * _make(np.isfinite(a._data).astype(g._data.dtype))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    t = _as_tensor(input, "nan_to_num")
    if t._data.dtype.kind in "biu":
        return _copy(t)
    return NanToNum.apply(t, nan=nan, posinf=posinf, neginf=neginf)


# ------------------------------------------------------------------ comparisons
def _cmp(np_op, name):
    def f(input, other, *, out=None):
        if other.__class__ is Tensor and input.__class__ is Tensor and \
                input._data.dtype == other._data.dtype:
            x, y = input._data, other._data
            if x.shape != y.shape:
                check_broadcast(x.shape, y.shape)
        else:
            _as_tensor(input, name)
            x, y = _arrays(input, other)
        return _make(np_op(x, y))
    f.__name__ = f.__qualname__ = name
    return f


eq = _cmp(np.equal, "eq")
ne = not_equal = _cmp(np.not_equal, "ne")
lt = less = _cmp(np.less, "lt")
le = less_equal = _cmp(np.less_equal, "le")
gt = greater = _cmp(np.greater, "gt")
ge = greater_equal = _cmp(np.greater_equal, "ge")


def equal(input, other):
    """torch.equal: same shape and same values (a Python bool)."""
    _as_tensor(input, "equal")
    _as_tensor(other, "equal", "other")
    if input._data.shape != other._data.shape:
        return False
    x, y = _arrays(input, other)
    return bool(np.array_equal(x, y))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _as_tensor(input, "isclose")
    _as_tensor(other, "isclose", "other")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{_type_name(input.dtype)} did not match {_type_name(other.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    x, y = input._data, other._data
    if x.shape != y.shape:
        check_broadcast(x.shape, y.shape)
    close = x == y
    if equal_nan and x.dtype.kind in "fcV":
        close = close | (np.isnan(x) & np.isnan(y))
    if rtol == 0 and atol == 0:
        return _make(np.asarray(close))
    if x.dtype.kind in "biu":
        f = D.get_default_dtype().np
        x, y = x.astype(f), y.astype(f)
    dt = x.dtype
    allowed = np.asarray(atol, dt) + np.abs(np.asarray(rtol, dt) * y)
    actual = np.abs(x - y)
    close = close | (np.isfinite(actual) & (actual <= allowed))
    return _make(np.asarray(close))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


# ------------------------------------------------------------------ logical and bitwise
def _logical(np_op, name):
    def f(input, other, *, out=None):
        _as_tensor(input, name)
        x = input._data
        y = other._data if isinstance(other, Tensor) else np.asarray(other)
        if x.shape != y.shape:
            check_broadcast(x.shape, y.shape)
        return _make(np_op(x, y))
    f.__name__ = f.__qualname__ = name
    return f


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None):
    return _make(np.logical_not(_as_tensor(input, "logical_not")._data))


def _bitwise(np_op, name, kernel):
    def f(input, other, *, out=None):
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise TypeError(f"{name}(): expected a Tensor argument")
        x, y = _arrays(input, other)
        if x.dtype.kind not in "biu":
            raise _not_implemented(kernel, D.from_numpy_dtype(x.dtype))
        return _make(np.asarray(np_op(x, y)))
    f.__name__ = f.__qualname__ = name
    return f


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and", "bitwise_and_cpu")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or", "bitwise_or_cpu")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor", "bitwise_xor_cpu")


def _shift(np_op, name, kernel):
    g = _bitwise(np_op, name, kernel)

    def f(input, other, *, out=None):
        x, y = _arrays(input, other)
        if x.dtype.kind == "b":
            x, y = x.astype(np.int64), y.astype(np.int64)
            return _make(np_op(x, y).astype(np.bool_))
        return g(input, other)
    f.__name__ = f.__qualname__ = name
    return f


bitwise_left_shift = _shift(np.left_shift, "bitwise_left_shift", "lshift_cpu")
bitwise_right_shift = _shift(np.right_shift, "bitwise_right_shift", "rshift_cpu")


def bitwise_not(input, *, out=None):
    a = _as_tensor(input, "bitwise_not")._data
    if a.dtype.kind == "b":
        return _make(np.logical_not(a))
    if a.dtype.kind not in "iu":
        raise _not_implemented("bitwise_not_cpu", input)
    return _make(np.invert(a))


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


# ------------------------------------------------------------------ fill_, zero_
class Fill(Function):
    name = "FillBackward1"

    def forward(self, a, v):
        return np.full(a.shape, v, dtype=a.dtype)

    def backward(self, g):
        return (_zeros(g) if self.needs_input_grad[0] else None,
                g if self.needs_input_grad[1] else None)


def _fill_value_array(self, value):
    dt = self.dtype
    if isinstance(value, (bool, np.bool_)):
        return np.array(value, dtype=dt.np)
    _check_scalar_fits(value, dt)
    if dt.category == D.INT and isinstance(value, (int, np.integer)):
        return scalar_array(value, dt)
    if dt.category == D.INT and isinstance(value, (float, np.floating)) and not np.isfinite(value):
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
    return np.array(value).astype(dt.np)


def fill_(self, value):
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        v = value if value._data.dtype == self._data.dtype else (
            cast(value, self.dtype) if value._data.dtype.kind in "fV" and self.is_floating_point()
            else _make(value._data.astype(self._data.dtype)))
    elif isinstance(value, _Number):
        if not (STATE.enabled and self._requires_grad):
            arr = _fill_value_array(self, value)
            self._check_inplace()
            try:
                self._data[...] = arr
            except ValueError:
                self._write(np.broadcast_to(arr, self._data.shape))
            self._vc[0] += 1
            return self
        v = _make(_fill_value_array(self, value))
    else:
        raise TypeError(f"fill_(): argument 'value' must be Number or Tensor, not "
                        f"{type(value).__name__}")
    return self._inplace_apply(Fill, v)


def zero_(self):
    return fill_(self, 0)


# ------------------------------------------------------------------ Tensor methods
def _r(fn):
    def m(self, other):
        return fn(other, self)
    return m


def _dunder(fn):
    def m(self, other):
        if other.__class__ is not Tensor and not isinstance(other, (Tensor, _Number, np.ndarray)):
            return NotImplemented
        return fn(self, other)
    return m


def _dunder_r(fn):
    def m(self, other):
        if not isinstance(other, (_Number, np.ndarray)):
            return NotImplemented
        return fn(other, self)
    return m


def _ip(fn):
    def m(self, *args, **kw):
        return _inplace(self, fn, *args, **kw)
    return m


def _ip_keep(fn):
    def m(self, *args, **kw):
        return _inplace(self, fn, *args, _keep_history=True, **kw)
    return m


def _add_(self, other, *, alpha=1):
    if alpha != 1:
        other = _scale_alpha(self, other, alpha)
    return _inplace_binary(Add, self, other, "add_")


def _sub_(self, other, *, alpha=1):
    _check_no_bool_sub(self, other)
    if alpha != 1:
        other = _scale_alpha(self, other, alpha)
    return _inplace_binary(Sub, self, other, "sub_")


def _mul_(self, other):
    return _inplace_binary(Mul, self, other, "mul_")


def _pow_(self, exponent):
    return _inplace(self, pow, exponent)


def _neg_(self):
    return _inplace(self, neg)


def _abs_(self):
    return _inplace(self, abs)


def _clamp_(self, min=None, max=None):
    return _inplace(self, clamp, min, max)


METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "neg": neg, "negative": neg, "exp": exp, "log": log,
    "__add__": add, "__radd__": _r(add), "__sub__": sub, "__rsub__": _r(sub), "__mul__": mul,
    "__rmul__": _r(mul), "__truediv__": div, "__rtruediv__": _r(div), "__neg__": neg,
    "__pos__": positive, "positive": positive,
    "__floordiv__": floor_divide, "__rfloordiv__": _r(floor_divide),
    "__mod__": remainder, "__rmod__": _r(remainder),
    "__pow__": pow, "__rpow__": _r(pow),
    "__abs__": abs, "__invert__": _invert,
    "__and__": _dunder(bitwise_and), "__or__": _dunder(bitwise_or),
    "__xor__": _dunder(bitwise_xor), "__rand__": _dunder_r(bitwise_and),
    "__ror__": _dunder_r(bitwise_or), "__rxor__": _dunder_r(bitwise_xor),
    "__lshift__": _dunder(bitwise_left_shift), "__rshift__": _dunder(bitwise_right_shift),
    "__rlshift__": _dunder_r(bitwise_left_shift), "__rrshift__": _dunder_r(bitwise_right_shift),
    "__eq__": _dunder(eq), "__ne__": _dunder(ne), "__lt__": _dunder(lt), "__le__": _dunder(le),
    "__gt__": _dunder(gt), "__ge__": _dunder(ge),
    # in place
    "add_": _add_, "sub_": _sub_, "subtract_": _sub_, "mul_": _mul_, "multiply_": _mul_,
    "div_": _ip(div), "divide_": _ip(div), "true_divide_": _ip(div),
    "floor_divide_": _ip(floor_divide), "remainder_": _ip(remainder), "fmod_": _ip(fmod),
    "pow_": _pow_, "float_power_": _float_power_,
    "__iadd__": lambda self, other: _inplace_binary(Add, self, other, "add_"),
    "__isub__": lambda self, other: _sub_(self, other),
    "__imul__": lambda self, other: _inplace_binary(Mul, self, other, "mul_"),
    "__itruediv__": _ip(div), "__ifloordiv__": _ip(floor_divide), "__imod__": _ip(remainder),
    "__ipow__": _pow_, "__iand__": _ip(bitwise_and), "__ior__": _ip(bitwise_or),
    "__ixor__": _ip(bitwise_xor), "__ilshift__": _ip(bitwise_left_shift),
    "__irshift__": _ip(bitwise_right_shift),
    "neg_": _neg_, "negative_": _neg_, "abs_": _abs_, "absolute_": _abs_,
    "clamp_": _clamp_, "clip_": _clamp_, "clamp_min_": _ip(clamp_min),
    "clamp_max_": _ip(clamp_max), "fill_": fill_, "zero_": zero_,
    "lerp_": _ip(lerp), "addcmul_": _ip(addcmul), "addcdiv_": _ip(addcdiv),
    "copysign_": _ip(copysign), "nan_to_num_": _ip(nan_to_num),
    "logical_not_": _ip_keep(logical_not), "bitwise_not_": _ip(bitwise_not),
    "logical_and_": _ip_keep(logical_and), "logical_or_": _ip_keep(logical_or),
    "logical_xor_": _ip_keep(logical_xor),
}

# functions that are also methods, with their in-place variants where torch has them
_SAME = ["floor_divide", "remainder", "fmod", "pow", "float_power", "abs", "absolute", "sign",
         "sgn", "signbit", "sqrt", "rsqrt", "square", "exp2", "expm1", "log2", "log10", "log1p",
         "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "atan2",
         "arctan2", "sinh", "cosh", "tanh", "sigmoid", "erf", "erfc", "erfinv", "floor", "ceil",
         "round", "trunc", "fix", "frac", "clamp", "clip", "clamp_min", "clamp_max", "maximum",
         "minimum", "fmax", "fmin", "reciprocal", "lerp", "hypot", "logaddexp", "isnan",
         "isinf", "isposinf", "isneginf", "isfinite", "isreal", "nan_to_num", "logical_and",
         "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
         "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "eq", "ne", "lt", "le",
         "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "equal",
         "allclose", "isclose", "addcmul", "addcdiv", "copysign"]
_INPLACE = ["sign", "sgn", "sqrt", "rsqrt", "square", "exp", "log", "exp2", "expm1", "log2",
            "log10", "log1p", "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan",
            "arctan", "atan2", "arctan2", "sinh", "cosh", "tanh", "sigmoid", "erf", "erfc",
            "erfinv", "floor", "ceil", "round", "trunc", "fix", "frac", "reciprocal", "hypot",
            "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
            "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "eq", "ne", "lt", "le",
            "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal"]
for _n in _SAME:
    METHODS.setdefault(_n, globals()[_n])
for _n in _INPLACE:
    METHODS.setdefault(_n + "_", _ip(globals()[_n]))
del _n
