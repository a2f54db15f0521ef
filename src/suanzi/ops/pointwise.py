"""Pointwise ops with broadcasting and torch's type promotion.

Pattern: the public function promotes its operands (``_util.promote``), then
applies a Function whose forward is one NumPy call on same-dtype arrays.
Backward returns gradients of the *broadcast* shape: the engine reduces them
to each input's shape (one place for all ops).
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from .._tensor import Tensor
from ._util import check_broadcast, promote, to_tensor_operand

_make = Tensor._make

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
           "negative", "exp", "log"]


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
def _binary(fn_cls, a, b, **params):
    """Promote a and b to their torch result type and apply ``fn_cls``."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.dtype == b._data.dtype:
        check = a._data.shape != b._data.shape
        if check:
            check_broadcast(a._data.shape, b._data.shape)
        return fn_cls.apply(a, b, **params)
    (a, b), _ = promote(a, b)
    if a._data.shape != b._data.shape:
        check_broadcast(a._data.shape, b._data.shape)
    return fn_cls.apply(a, b, **params)


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


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
               "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
               "complex128": "ComplexDouble"}


def _type_name(dt):
    return _TYPE_NAMES[dt.name]


def _float_input(t: Tensor) -> Tensor:
    """Unary float functions on int/bool inputs compute in the default float type."""
    if t._data.dtype.kind in "biu":
        return cast(t, D.get_default_dtype())
    return t


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
        return g * b, g * a


class Div(Function):
    save_inputs = (0, 1)

    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.saved_tensors
        gb = None
        if self.next_functions[1] is not None:
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


def _check_no_bool_sub(a, b):
    if (getattr(a, "dtype", None) is D.bool_ or isinstance(a, bool)) and \
            (getattr(b, "dtype", None) is D.bool_ or isinstance(b, bool)):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead.")


def add(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Add, input, other)


def sub(input, other, *, alpha=1, out=None):
    _check_no_bool_sub(input, other)
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Sub, input, other)


subtract = sub


def mul(input, other, *, out=None):
    return _binary(Mul, input, other)


multiply = mul


def _true_div_operands(a, b):
    (a, b), dt = promote(a, b)
    if dt.category <= D.INT:
        f = D.get_default_dtype()
        a, b = cast(a, f), cast(b, f)
    return a, b


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        a, b = _true_div_operands(input, other)
        if a._data.shape != b._data.shape:
            check_broadcast(a._data.shape, b._data.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            return Div.apply(a, b)
    from . import pointwise as P  # rounding modes live with floor_divide

    return P._div_rounding(input, other, rounding_mode)


divide = div
true_divide = div


def neg(input):
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return Neg.apply(input)


negative = neg


def exp(input):
    return Exp.apply(_float_input(input))


def log(input):
    with np.errstate(divide="ignore", invalid="ignore"):
        return Log.apply(_float_input(input))


def _div_rounding(input, other, rounding_mode):  # completed by the pointwise module owner
    raise NotImplementedError(f"div(rounding_mode={rounding_mode!r}) is not implemented yet")


# ------------------------------------------------------------------ Tensor methods
def _radd(self, other):
    return add(other, self)


def _rsub(self, other):
    return sub(other, self)


def _rmul(self, other):
    return mul(other, self)


def _rtruediv(self, other):
    return div(other, self)


METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "neg": neg, "negative": neg, "exp": exp, "log": log,
    "__add__": add, "__radd__": _radd, "__sub__": sub, "__rsub__": _rsub, "__mul__": mul,
    "__rmul__": _rmul, "__truediv__": div, "__rtruediv__": _rtruediv, "__neg__": neg,
    "add_": lambda self, other, *, alpha=1: _inplace_binary(
        Add, self, other if alpha == 1 else mul(other, alpha), "add_"),
    "sub_": lambda self, other, *, alpha=1: _inplace_binary(
        Sub, self, other if alpha == 1 else mul(other, alpha), "sub_"),
    "mul_": lambda self, other: _inplace_binary(Mul, self, other, "mul_"),
    "__iadd__": lambda self, other: _inplace_binary(Add, self, other, "add_"),
    "__isub__": lambda self, other: _inplace_binary(Sub, self, other, "sub_"),
    "__imul__": lambda self, other: _inplace_binary(Mul, self, other, "mul_"),
}
