"""``default_collate`` / ``default_convert``: turn a list of samples into a batch.

Behaviour (torch's documented rules):

* tensors are stacked along a new first dimension; NumPy arrays are turned
  into tensors first, except text/object arrays, which are refused;
* NumPy scalars give one tensor of their dtype, Python ``int``/``bool`` an
  int64/bool tensor and Python ``float`` a **float64** tensor;
* ``str``/``bytes`` batches are handed back as the list they came in;
* mappings, named tuples and sequences are collated field by field
  (a plain tuple of fields gives a *list* of batches, as in torch).

Leaves are handled by a small dispatch table, ``default_collate_fn_map``
(type -> handler), which ``collate(batch, collate_fn_map=...)`` accepts so
users can plug in their own element types. Containers are walked by
``collate`` itself.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence

import numpy as np

from ...._tensor import Tensor
from .... import _dtype as D
from ....ops.creation import as_tensor, tensor
from ....ops.shape import stack

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map",
           "default_collate_err_msg_format"]

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}")


# --------------------------------------------------------------------- helpers
def _is_text_or_object(dtype):
    """Bytes, unicode and object dtypes have no tensor equivalent."""
    return dtype.kind in "SUO"


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _rebuild(original, values):
    """Put ``values`` (a dict for mappings, a list for sequences) back into a
    container shaped like ``original``.

    Mutable containers are shallow-copied and refilled, so subclasses keep
    their type and any extra state; immutable ones are rebuilt through their
    constructor. Should either fail (a constructor with a different
    signature), a plain dict/list is the honest fallback.
    """
    is_map = isinstance(original, Mapping)
    try:
        if isinstance(original, (MutableMapping, MutableSequence)):
            out = copy.copy(original)
            if is_map:
                out.update(values)
            else:
                for i, v in enumerate(values):
                    out[i] = v
            return out
        return type(original)(values)
    except TypeError:
        return dict(values) if is_map else list(values)


def _map_container(data, fn):
    """Apply ``fn`` to every child of a container, keeping the container kind.
    Returns ``NotImplemented`` for anything that is not a container."""
    if isinstance(data, Mapping):
        return _rebuild(data, {k: fn(data[k]) for k in data})
    if _is_namedtuple(data):
        return type(data)(*map(fn, data))
    if isinstance(data, tuple):
        return [fn(v) for v in data]  # torch turns plain tuples into lists
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [fn(v) for v in data])
    return NotImplemented


# -------------------------------------------------------------- default_convert
def default_convert(data):
    """Convert NumPy arrays and scalars (also inside mappings and sequences)
    to tensors; everything else is returned unchanged. The collate function
    of a DataLoader with ``batch_size=None``."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        if isinstance(data, (np.str_, np.bytes_)):
            return data
        if isinstance(data, np.ndarray) and _is_text_or_object(data.dtype):
            return data
        return as_tensor(data)
    converted = _map_container(data, default_convert)
    return data if converted is NotImplemented else converted


# ------------------------------------------------------------ leaf handlers
def _stack_tensors(batch, *, collate_fn_map=None):
    # Plain tensors of one shape and dtype: a single np.stack, no autograd
    # bookkeeping. Anything else (grad, mixed dtypes, shape mismatch) goes
    # through suanzi.stack, which promotes dtypes, records the graph and
    # raises torch's error for ragged shapes.
    first = batch[0]
    if all(isinstance(t, Tensor) and not t.requires_grad
           and t.shape == first.shape and t.dtype == first.dtype for t in batch):
        return Tensor._make(np.stack([t._data for t in batch]))
    return stack(list(batch), 0)


def _collate_arrays(batch, *, collate_fn_map=None):
    if _is_text_or_object(batch[0].dtype):
        raise TypeError(default_collate_err_msg_format.format(batch[0].dtype))
    # Re-enter collate so a user-registered Tensor handler is honoured.
    return collate([as_tensor(a) for a in batch], collate_fn_map=collate_fn_map)


def _collate_numpy_scalars(batch, *, collate_fn_map=None):
    return as_tensor(batch)  # keeps the scalars' own dtype


def _collate_floats(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=D.float64)  # Python floats are doubles


def _collate_ints(batch, *, collate_fn_map=None):
    return tensor(batch)  # int64, or bool when every item is a bool


def _collate_text(batch, *, collate_fn_map=None):
    return batch


# torch's names for the handlers, for code that builds its own collate_fn_map
collate_tensor_fn = _stack_tensors
collate_numpy_array_fn = _collate_arrays
collate_numpy_scalar_fn = _collate_numpy_scalars
collate_float_fn = _collate_floats
collate_int_fn = _collate_ints
collate_str_fn = _collate_text

# Order matters only for the isinstance fallback: the first matching entry wins.
default_collate_fn_map = {
    Tensor: _stack_tensors,
    np.ndarray: _collate_arrays,
    (np.bool_, np.number, np.object_): _collate_numpy_scalars,
    float: _collate_floats,
    int: _collate_ints,
    str: _collate_text,
    bytes: _collate_text,
}


def _find_handler(collate_fn_map, elem):
    """Exact type first (cheap and unambiguous), then the first ``isinstance`` match."""
    if not collate_fn_map:
        return None
    handler = collate_fn_map.get(type(elem))
    if handler is not None:
        return handler
    for kind, candidate in collate_fn_map.items():
        if isinstance(elem, kind):
            return candidate
    return None


# -------------------------------------------------------------------- collate
def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a list of samples). The first sample decides: a leaf
    type found in ``collate_fn_map`` goes to its handler; a container is
    transposed and each field collated recursively."""
    first = batch[0]
    handler = _find_handler(collate_fn_map, first)
    if handler is not None:
        return handler(batch, collate_fn_map=collate_fn_map)

    def again(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(first, Mapping):
        return _rebuild(first, {k: again([sample[k] for sample in batch]) for k in first})
    if _is_namedtuple(first):
        return type(first)(*(again(field) for field in zip(*batch)))
    if isinstance(first, Sequence):
        # zip would silently truncate ragged samples; refuse them instead.
        if len({len(sample) for sample in batch}) > 1:
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [again(field) for field in zip(*batch)]
        return fields if isinstance(first, tuple) else _rebuild(first, fields)
    raise TypeError(default_collate_err_msg_format.format(type(first)))


def default_collate(batch):
    """Stack a list of samples into a batch with torch's rules (see the module
    docstring): ``default_collate([0, 1])`` is ``tensor([0, 1])``,
    ``default_collate([(x0, y0), (x1, y1)])`` is ``[stack([x0, x1]), stack([y0, y1])]``."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
