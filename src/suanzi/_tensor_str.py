"""Tensor printing, character for character as torch prints.

The layout rules (torch/_tensor_str.py, restated here and implemented on the
NumPy array directly):

* One formatter per tensor decides the style from the finite nonzero values:
  *int mode* when they are all integers (``1.``, ``-3.``), *scientific* when
  max/min > 1000, max > 1e8 or min < 1e-4 (unless ``sci_mode`` is forced),
  else fixed point with ``precision`` decimals. Every element is
  right-aligned to the widest formatted value.
* Above ``threshold`` elements the tensor is summarized: ``edgeitems``
  leading and trailing entries of each dim, ``...`` between; the formatter
  then only looks at the entries shown.
* Rows wrap at ``linewidth``; nested dims are separated by ``ndim - 1``
  newlines and indented under their opening bracket.
* Suffixes: ``dtype=`` unless the dtype is the default float/complex, int64
  or bool (an empty tensor shows any non-default dtype and its size when not
  1-D), then ``grad_fn=<...>`` or ``requires_grad=True``; a suffix that would
  pass the line width goes on a new line.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

from . import _dtype as D


class _PrintOptions:
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """torch.set_printoptions. ``profile``: 'default', 'short' or 'full'.
    ``sci_mode`` is always set (None restores automatic choice)."""
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, 1000
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
        elif profile == "short":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 2, 1000
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 80
        elif profile == "full":
            PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, math.inf
            PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return {k: getattr(PRINT_OPTS, k) for k in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ------------------------------------------------------------------ formatting
class _Formatter:
    """Chooses one style and width for every element of a (summarized) array."""

    def __init__(self, arr):
        self.floating = arr.dtype.kind in "fV"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        prec = PRINT_OPTS.precision
        if not self.floating:
            if arr.size:
                if arr.dtype.kind == "b":
                    self.max_width = 5 if not arr.all() else 4
                else:
                    self.max_width = max(len(str(arr.max())), len(str(arr.min())), 1)
            return
        v = arr.astype(np.float64).ravel()
        nz = v[np.isfinite(v) & (v != 0)]
        if nz.size == 0:
            return
        absv = np.abs(nz)
        lo, hi = absv.min(), absv.max()
        self.int_mode = bool(np.all(nz == np.ceil(nz)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        vals = nz.tolist()
        if self.sci_mode:
            fmt = f"{{:.{prec}e}}"
            self.max_width = max(len(fmt.format(x)) for x in vals)
        elif self.int_mode:
            self.max_width = max(len(f"{x:.0f}") for x in vals) + 1
        else:
            fmt = f"{{:.{prec}f}}"
            self.max_width = max(len(fmt.format(x)) for x in vals)

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = str(value)
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(val, f1, f2):
    real_str = f1.format(val.real)
    imag_str = (f2.format(val.imag) + "j").lstrip()
    if imag_str[0] == "+" or imag_str[0] == "-":  # handles negative numbers, +0.0, -0.0
        return real_str + imag_str
    return real_str + "+" + imag_str


def _pylist(a):
    """Python scalars of a 1-D array (floats for the NumPy-less bfloat16)."""
    if a.dtype.kind == "V":
        a = a.astype(np.float64)
    return a.tolist()


def _vector_str(a, indent, summarize, f1, f2=None):
    element_length = f1.width() + 2
    if f2 is not None:
        element_length += f2.width() + 1
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    if f2 is None:
        fmt = f1.format
    else:
        def fmt(v):
            return _complex_str(v, f1, f2)
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = ([fmt(v) for v in _pylist(a[:e])] + [" ..."]
                + [fmt(v) for v in _pylist(a[-e:])])
    else:
        data = [fmt(v) for v in _pylist(a)]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a, indent, summarize, f1, f2=None):
    if a.ndim == 0:
        v = _pylist(a.reshape(1))[0]
        return f1.format(v) if f2 is None else _complex_str(v, f1, f2)
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, f1, f2)
    e = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * e:
        slices = ([_nested_str(a[i], indent + 1, summarize, f1, f2) for i in range(e)] + ["..."]
                  + [_nested_str(a[i], indent + 1, summarize, f1, f2) for i in range(n - e, n)])
    else:
        slices = [_nested_str(a[i], indent + 1, summarize, f1, f2) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(a):
    """The entries a summarized print shows (what the formatter looks at)."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:e], a[-e:])) if a.shape[0] > 2 * e else a
    if not e:
        return a[(slice(0, 0),) * a.ndim]
    for ax, n in enumerate(a.shape):
        if n > 2 * e:
            a = np.take(a, np.r_[0:e, n - e:n], axis=ax)
    return a


def _tensor_str(a, indent):
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    if a.dtype.kind == "c":
        re, im = a.real, a.imag
        f1 = _Formatter(_summarized(re) if summarize else re)
        f2 = _Formatter(_summarized(im) if summarize else im)
        return _nested_str(a, indent, summarize, f1, f2)
    f = _Formatter(_summarized(a) if summarize else a)
    return _nested_str(a, indent, summarize, f)


def _add_suffixes(tensor_str, suffixes, indent, force_newline=False):
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        n = len(suffix)
        if force_newline or last_line_len + n + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + n
            force_newline = False
        else:
            parts.append(", " + suffix)
            last_line_len += n + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t, tensor_contents=None):
    """``repr(t)`` exactly as torch prints the same tensor."""
    from ._tensor import Tensor

    cls = type(t)
    prefix = "tensor(" if cls is Tensor or cls.__name__ == "Parameter" else f"{cls.__name__}("
    indent = len(prefix)
    a = t._data
    dt = D._FROM_NP[a.dtype]
    default = D._default_float[0]
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        if dt is not default:
            suffixes.append(f"dtype={dt!r}")
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(a.shape)))
        default_complex = D.complex128 if default is D.float64 else D.complex64
        if dt is not default and dt is not default_complex and dt is not D.int64 \
                and dt is not D.bool_:
            suffixes.append(f"dtype={dt!r}")
        tensor_str = _tensor_str(a, indent)
    if tensor_contents is not None:
        tensor_str = tensor_contents
    fn = t.grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{getattr(fn, 'name', type(fn).__name__)}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + tensor_str, suffixes, indent)
