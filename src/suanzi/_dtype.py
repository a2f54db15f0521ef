"""dtypes with torch's names, and torch's type-promotion algorithm.

NumPy chooses result dtypes by its own rules (NEP 50): ``int64 array + 1.5``
is float64 there but float32 in torch. Every op in suanzi therefore asks
:func:`result_type` for the dtype first, casts its operands, and only then
calls NumPy, so NumPy never picks a dtype on its own.
"""
from __future__ import annotations

import numpy as np

try:  # bfloat16 is not a NumPy dtype; ml_dtypes provides one when installed.
    import ml_dtypes as _ml_dtypes

    _BF16 = np.dtype(_ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - exercised only without the extra
    _ml_dtypes = None
    _BF16 = None

# Categories, ordered as torch orders them for promotion.
BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type. ``repr`` is torch's (``torch.float32``) so that
    printed results compare equal to PyTorch's output."""

    __slots__ = ("name", "np", "category", "is_floating_point", "is_complex",
                 "is_signed", "itemsize")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np_dtype
        self.category = category
        self.is_floating_point = category == FLOAT
        self.is_complex = category == COMPLEX
        self.is_signed = category != BOOL and name != "uint8"
        self.itemsize = np_dtype.itemsize if np_dtype is not None else 2

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):  # dtypes are singletons, also through pickle/copy
        return (_by_name, (self.name,))

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        return {"float32": complex64, "float64": complex128}.get(self.name, self)


bool_ = dtype("bool", np.dtype(np.bool_), BOOL)
uint8 = dtype("uint8", np.dtype(np.uint8), INT)
int8 = dtype("int8", np.dtype(np.int8), INT)
int16 = dtype("int16", np.dtype(np.int16), INT)
int32 = dtype("int32", np.dtype(np.int32), INT)
int64 = dtype("int64", np.dtype(np.int64), INT)
float16 = dtype("float16", np.dtype(np.float16), FLOAT)
bfloat16 = dtype("bfloat16", _BF16, FLOAT)
float32 = dtype("float32", np.dtype(np.float32), FLOAT)
float64 = dtype("float64", np.dtype(np.float64), FLOAT)
complex64 = dtype("complex64", np.dtype(np.complex64), COMPLEX)
complex128 = dtype("complex128", np.dtype(np.complex128), COMPLEX)

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16,
              float32, float64, complex64, complex128)
_BY_NAME = {d.name: d for d in ALL_DTYPES}
_FROM_NP = {d.np: d for d in ALL_DTYPES if d.np is not None}


def _by_name(name):
    return _BY_NAME[name]


def _bfloat16_unavailable():
    return TypeError("bfloat16 needs the 'ml_dtypes' package: pip install 'suanzi[bf16]'")


def from_numpy_dtype(np_dtype) -> dtype:
    """The suanzi dtype of a NumPy dtype; TypeError for types torch lacks."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _FROM_NP:
        return _FROM_NP[np_dtype]
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.")


def to_dtype(d) -> dtype:
    """Accept a suanzi dtype, a NumPy dtype/type, a Python type or a torch dtype."""
    if isinstance(d, dtype):
        if d.np is None:
            raise _bfloat16_unavailable()
        return d
    if d is float:
        return _default_float[0]
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return complex64 if _default_float[0] is float32 else complex128
    if isinstance(getattr(d, "dtype", None), dtype):  # legacy classes: suanzi.DoubleTensor
        return d.dtype
    name = getattr(d, "__module__", None)
    if name == "torch":  # a torch.dtype: map by name (tests pass them around)
        return _BY_NAME[str(d).split(".")[-1]]
    if isinstance(d, str):
        d = d.replace("torch.", "")
        if d in _BY_NAME:
            return to_dtype(_BY_NAME[d])
    return from_numpy_dtype(np.dtype(d))


# ---------------------------------------------------------------- default dtype
_default_float = [float32]


def set_default_dtype(d):
    d = to_dtype(d)
    if d not in (float32, float64, float16, bfloat16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float[0] = d


def get_default_dtype() -> dtype:
    return _default_float[0]


# ---------------------------------------------------------------- promotion
def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype that both a and b fit into,
    the higher category winning (int64 with float16 gives float16)."""
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == COMPLEX and lo.category == FLOAT and lo is float64:
            return complex128
        return hi
    if a is bfloat16 or b is bfloat16:  # bf16 with fp16 meets in float32
        other = b if a is bfloat16 else a
        return float32 if other is float16 else other
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _scalar_category(x):
    if isinstance(x, (bool, np.bool_)):
        return BOOL
    if isinstance(x, (int, np.integer)):
        return INT
    if isinstance(x, (float, np.floating)):
        return FLOAT
    if isinstance(x, (complex, np.complexfloating)):
        return COMPLEX
    raise TypeError(f"unsupported operand type {type(x).__name__}")


def _default_for_category(cat):
    if cat == FLOAT:
        return _default_float[0]
    if cat == INT:
        return int64
    if cat == BOOL:
        return bool_
    return complex64 if _default_float[0] is not float64 else complex128


def result_type(*operands) -> dtype:
    """torch.result_type over tensors (``.dtype``/``.ndim``) and Python scalars.

    Dimensioned tensors take precedence over 0-dim tensors, which take
    precedence over Python scalars, unless a lower-priority operand is of a
    higher category (spec §0.2).
    """
    dim_t = zero_t = None
    scalar_cat = -1
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:
                dim_t = d if dim_t is None else promote_types(dim_t, d)
            else:
                zero_t = d if zero_t is None else promote_types(zero_t, d)
        else:
            c = _scalar_category(x)
            if c > scalar_cat:
                scalar_cat = c
    result = dim_t
    if zero_t is not None and (result is None or zero_t.category > result.category):
        if result is not None and zero_t.category == COMPLEX and result.category == FLOAT:
            result = _complex_of(result)  # torch keeps the float operand's precision
        else:
            result = zero_t
    if scalar_cat >= 0 and (result is None or scalar_cat > result.category):
        if result is not None and scalar_cat == COMPLEX and result.category == FLOAT:
            return _complex_of(result)
        return _default_for_category(scalar_cat)
    return result


def _complex_of(d):
    """The complex dtype torch pairs with float dtype ``d`` in promotion
    (float16 → complex32 in torch, which suanzi lacks: complex64 here)."""
    return complex128 if d is float64 else complex64


def can_cast(frm: dtype, to: dtype) -> bool:
    """torch.can_cast: whether an in-place op may store a ``frm`` result in a
    ``to`` tensor (only a lower-or-equal category may be stored)."""
    return frm.category <= to.category
