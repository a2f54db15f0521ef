"""Attach the op functions to Tensor as methods and operators.

Each op module lists its methods in a ``METHODS`` dict (name → function whose
first argument is the tensor); this is the one place that binds them.
"""
from . import random
from ._tensor import Tensor
from .ops import conversion, creation, indexing, linalg, pointwise, reduction, shape

_MODULES = [conversion, creation, pointwise, reduction, shape, indexing, linalg, random]


def bind():
    for mod in _MODULES:
        for name, fn in mod.METHODS.items():
            setattr(Tensor, name, fn)
