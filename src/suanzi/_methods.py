"""Attach the op functions to Tensor as methods and operators.

Each op module lists its methods in a ``METHODS`` dict (name → function whose
first argument is the tensor); this is the one place that binds them.
"""
from . import random
from ._tensor import Tensor
from .ops import (activation, conversion, creation, dropout, embedding, indexing, linalg,
                  pointwise, reduction, shape)

_MODULES = [conversion, creation, pointwise, reduction, shape, indexing, linalg, random,
            activation]
# functions under ``suanzi.*`` whose torch signature differs from F's
# (``torch.softmax`` requires ``dim``; ``torch.embedding(weight, input)``)
_TORCH_FUNCTION_MODULES = [activation, dropout, embedding]


def torch_functions():
    out = {}
    for mod in _TORCH_FUNCTION_MODULES:
        out.update(mod.TORCH_FUNCTIONS)
    return out


def bind():
    for mod in _MODULES:
        for name, fn in mod.METHODS.items():
            setattr(Tensor, name, fn)
