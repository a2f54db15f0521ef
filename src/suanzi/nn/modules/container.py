"""Container modules: ``Sequential``, ``ModuleList``, ``ModuleDict``,
``ParameterList``, ``ParameterDict`` (plus the deprecated ``Container``) and
the reshaping layers ``Flatten``/``Unflatten``.

Behaviour (index rules, child names "0", "1", …, reprs and error messages)
follows torch's documented behaviour so the two libraries are interchangeable.
"""
from __future__ import annotations

import itertools
import operator
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from ..._tensor import Tensor
from ..parameter import Parameter
from .module import Module, _addindent

__all__ = ["Container", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
           "ParameterDict", "Flatten", "Unflatten"]


# ------------------------------------------------------------------ shared helpers
def _position(idx, length):
    """Turn an int-like index (negatives allowed) into 0 <= i < length.

    ``operator.index`` makes non-integers (e.g. ``s['a']``) fail with Python's
    own TypeError, the way list indexing does."""
    i = operator.index(idx)
    if i < -length or i >= length:
        raise IndexError(f"index {i} is out of range")
    return i % length  # length > 0 here: an empty container rejects every index


def _as_parameter(value):
    # Containers promote plain tensors to Parameters so they get registered;
    # anything else (ints, strings, Parameters) is stored untouched.
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _describe(key, value, type_name):
    """One line of a parameter container's repr."""
    if not isinstance(value, Tensor):
        return f"  ({key}): Object of type: {type(value).__name__}"
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    size = "x".join(str(n) for n in value.size())
    return f"  ({key}): {kind} containing: [{type_name(value)} of size {size}]"


def _pairs(items, owner):
    """Yield (key, value) from a mapping's items or a sequence of 2-item entries,
    checking each entry with the messages torch uses."""
    for n, entry in enumerate(items):
        if not isinstance(entry, Iterable):
            raise TypeError(f"{owner} update sequence element #{n} should be Iterable; "
                            f"is{type(entry).__name__}")
        if len(entry) != 2:
            raise ValueError(f"{owner} update sequence element #{n} has length "
                             f"{len(entry)}; 2 is required")
        yield entry[0], entry[1]


class Container(Module):
    """Deprecated: subclass Module instead."""

    def __init__(self, **kwargs):
        warnings.warn("`nn.Container` is deprecated. All of its functionality is now implemented "
                      "in `nn.Module`. Subclass that instead.", FutureWarning, stacklevel=2)
        super().__init__()
        for name, child in kwargs.items():
            self.add_module(name, child)


# ------------------------------------------------------------------ module sequences
class _ChildSequence:
    """List-like access to ``self._modules`` by position, shared by Sequential and
    ModuleList.  Positions (not names) are used so a Sequential built from an
    OrderedDict with custom names still indexes like a list."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def _name_at(self, idx):
        return list(self._modules)[_position(idx, len(self))]

    def __setitem__(self, idx, module):
        # goes through Module.__setattr__, which rejects non-modules
        setattr(self, self._name_at(idx), module)

    def __delitem__(self, idx):
        names = list(self._modules)
        doomed = names[idx] if isinstance(idx, slice) else [self._name_at(idx)]
        for name in doomed:
            del self._modules[name]
        self._renumber(list(self._modules.values()))

    def _renumber(self, modules):
        # After removals/insertions torch renames the children "0".."n-1" so
        # that names keep matching positions.
        self._modules.clear()
        for i, m in enumerate(modules):
            self._modules[str(i)] = m

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def pop(self, idx):
        item = self[idx]
        del self[idx]
        return item


class Sequential(_ChildSequence, Module):
    """Calls its children in order, feeding each one's output to the next.

    Built from modules (named "0", "1", …) or from one OrderedDict of name -> module."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            named = args[0].items()
        else:
            named = ((str(i), m) for i, m in enumerate(args))
        for name, module in named:
            self.add_module(name, module)

    def __getitem__(self, idx):
        if isinstance(idx, slice):  # a slice keeps the original names
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._name_at(idx)]

    def forward(self, input):
        for module in self:
            input = module(input)
        return input

    def insert(self, index, module):
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self)
        if not -n <= index <= n:  # index == n appends, like list.insert
            raise IndexError(f"Index out of range: {index}")
        modules = list(self)
        modules.insert(index, module)
        self._renumber(modules)
        return self

    def extend(self, sequential):
        for module in sequential:
            self.append(module)
        return self

    # ---- operators: + and * build new containers sharing the same children
    @staticmethod
    def _need_sequential(other):
        if not isinstance(other, Sequential):
            raise ValueError("add operator supports only objects of Sequential class, but "
                             f"{type(other)} is given.")

    def _check_factor(self, factor):
        if not isinstance(factor, int):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(factor)}")
        if factor <= 0:
            raise ValueError(f"Non-positive multiplication factor {factor} for {type(self)}")

    def __add__(self, other):
        self._need_sequential(other)
        return Sequential(*self, *other)

    def __iadd__(self, other):
        self._need_sequential(other)
        return self.extend(list(other))

    def __mul__(self, factor):
        self._check_factor(factor)
        return Sequential(*(list(self) * factor))

    __rmul__ = __mul__

    def __imul__(self, factor):
        self._check_factor(factor)
        return self.extend(list(self) * (factor - 1))


class ModuleList(_ChildSequence, Module):
    """A Python-list-like holder whose modules are registered as children."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):  # a slice is a fresh list, renumbered from 0
            return type(self)(list(self)[idx])
        return self._modules[self._name_at(idx)]

    def __add__(self, other):
        return ModuleList(itertools.chain(self, other))

    def __iadd__(self, modules):
        return self.extend(modules)

    def insert(self, index, module):
        modules = list(self)
        modules.insert(index, module)
        self._renumber(modules)

    def extend(self, modules):
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleList.extend should be called with an iterable, but got "
                            f"{type(modules).__name__}")
        for module in modules:
            self.append(module)
        return self

    def __repr__(self):
        """Like Module's repr, but runs of children with identical reprs are
        collapsed into one entry: ``(0-2): 3 x Linear(...)``."""
        if not len(self):
            return self._get_name() + "()"
        entries = []
        indexed = enumerate(repr(m) for m in self)
        for text, run in itertools.groupby(indexed, key=lambda pair: pair[1]):
            positions = [i for i, _ in run]
            first, last = positions[0], positions[-1]
            if first == last:
                head = f"({first}):"
            else:
                head = f"({first}-{last}): {len(positions)} x"
            entries.append(_addindent(f"{head} {text}", 2))
        return self._get_name() + "(\n  " + "\n  ".join(entries) + "\n)"


class ModuleDict(Module):
    """An insertion-ordered dict of modules, registered as children by key."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)  # validates the key and the module

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def clear(self):
        self._modules.clear()

    def pop(self, key):
        return self._modules.pop(key)

    def update(self, modules):
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleDict.update should be called with an iterable of key/value "
                            f"pairs, but got {type(modules).__name__}")
        # mappings (incl. ModuleDict) keep their own order here
        source = modules.items() if isinstance(modules, (Mapping, ModuleDict)) else \
            _pairs(modules, "ModuleDict")
        for key, module in source:
            self[key] = module


# ------------------------------------------------------------------ parameter holders
class ParameterList(Module):
    """A list of parameters. Tensors become Parameters (registered as "0", "1",
    …); other objects are kept as plain attributes so they are not saved."""

    def __init__(self, values=None):
        super().__init__()
        # the count is kept separately because non-tensor entries live in
        # __dict__, not in _parameters
        self._length = 0
        if values is not None:
            self.extend(values)

    def __len__(self):
        return self._length

    def __iter__(self):
        return (getattr(self, str(i)) for i in range(self._length))

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self)[idx])
        return getattr(self, str(_position(idx, self._length)))

    def __setitem__(self, idx, value):
        setattr(self, str(_position(idx, self._length)), _as_parameter(value))

    def append(self, value):
        setattr(self, str(self._length), _as_parameter(value))
        self._length += 1
        return self

    def extend(self, values):
        # a Tensor is iterable, but extending by its rows is almost surely a bug
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError("ParameterList.extend should be called with an iterable, but got "
                            f"{type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def __iadd__(self, values):
        return self.extend(values)

    def extra_repr(self):
        return "\n".join(_describe(i, v, lambda t: str(t.dtype)) for i, v in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """An insertion-ordered dict of parameters keyed by strings. Tensors become
    Parameters; other values are kept as plain attributes."""

    def __init__(self, parameters=None):
        super().__init__()
        # the values live as attributes; this dict only remembers key order
        self._order = {}
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _check_key(key):
        # keys double as attribute names, so they must be strings
        if not isinstance(key, str):
            raise TypeError("Index given to ParameterDict cannot be used as a key as it is not a "
                            f"string (type is '{type(key).__name__}'). Open an issue on github if "
                            "you need non-string keys.")
        return key

    def __getitem__(self, key):
        return getattr(self, self._check_key(key))

    def __setitem__(self, key, value):
        setattr(self, self._check_key(key), _as_parameter(value))
        self._order[key] = None

    def __delitem__(self, key):
        delattr(self, self._check_key(key))
        del self._order[key]

    def __len__(self):
        return len(self._order)

    def __iter__(self):
        return iter(self._order)

    def __reversed__(self):
        return reversed(self._order)

    def __contains__(self, key):
        return key in self._order

    def keys(self):
        return self._order.keys()

    def values(self):
        return (self[k] for k in self._order)

    def items(self):
        return ((k, self[k]) for k in self._order)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key):
        value = self[key]
        del self[key]
        return value

    def popitem(self):
        if not self._order:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self._order))  # last inserted, like dict.popitem
        return key, self.pop(key)

    def clear(self):
        for key in list(self._order):
            del self[key]

    def copy(self):
        return ParameterDict(OrderedDict(self.items()))

    def fromkeys(self, keys, default=None):
        return ParameterDict((k, default) for k in keys)

    def update(self, parameters):
        if not isinstance(parameters, Iterable):
            raise TypeError("ParametersDict.update should be called with an iterable of "
                            f"key/value pairs, but got {type(parameters).__name__}")
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            source = parameters.items()  # explicitly ordered: keep it
        elif isinstance(parameters, Mapping):
            source = sorted(parameters.items())  # plain dicts are added in key order
        else:
            source = _pairs(parameters, "ParameterDict")
        for key, value in source:
            self[key] = value

    def __or__(self, other):
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other):
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other):
        self.update(other)
        return self

    def extra_repr(self):
        return "\n".join(_describe(k, v, lambda t: t.type()) for k, v in self.items())

    def __call__(self, input):
        raise RuntimeError("ParameterDict should not be called.")


# ------------------------------------------------------------------ reshaping layers
class Flatten(Module):
    """``input.flatten(start_dim, end_dim)``; start_dim defaults to 1 so the batch
    dimension survives."""

    __constants__ = ["start_dim", "end_dim"]

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """``input.unflatten(dim, unflattened_size)``."""

    __constants__ = ["dim", "unflattened_size"]

    def __init__(self, dim, unflattened_size):
        super().__init__()
        # validate eagerly so a bad size fails at construction, not in forward
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError("unflattened_size must be a tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        for pos, n in enumerate(unflattened_size):
            if not isinstance(n, int):
                raise TypeError("unflattened_size must be tuple of ints, but found element "
                                f"of type {type(n).__name__} at pos {pos}")
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
