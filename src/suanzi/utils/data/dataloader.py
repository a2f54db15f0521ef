"""``DataLoader``: batches of samples from a dataset, with torch's signature and rules.

Loading always happens in the calling process. ``num_workers > 0`` is
accepted (so code written for torch runs unchanged) but loads in-process
too: NumPy already does the heavy lifting of a batch in one call, and
worker processes would only add copying. ``worker_init_fn`` is then not
called and ``get_worker_info()`` returns None. ``pin_memory`` has no effect
(there is no accelerator).

Fast path: a ``TensorDataset`` (or a ``Subset`` of one) with the default
collate is batched by indexing each tensor once with the batch's indices,
instead of stacking single samples; the batch is the same as
``default_collate`` would give.
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np

from ..._tensor import Tensor
from ...random import Generator
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler
from ._utils.collate import default_collate, default_convert

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]


def get_worker_info():
    """None: suanzi loads data in the main process (see the module docstring)."""
    return None


class _InfiniteConstantSampler:
    """The sampler slot of a loader over an IterableDataset: the stream picks
    its own samples, so this only yields placeholders."""

    def __iter__(self):
        return itertools.repeat(None)


def _tensor_source(dataset):
    """``(tensors, index_map)`` when ``dataset`` is a TensorDataset or a chain of
    Subsets of one whose items are plain ``__getitem__`` lookups; else None."""
    index_maps = []
    while type(dataset) is Subset:
        index_maps.append(dataset.indices)
        dataset = dataset.dataset
    if not isinstance(dataset, TensorDataset) or type(dataset).__getitem__ is not \
            TensorDataset.__getitem__ or hasattr(dataset, "__getitems__"):
        return None
    tensors = dataset.tensors
    if not all(type(t) is Tensor and not t.requires_grad for t in tensors):
        return None  # keep autograd and subclasses on the general path
    arrays = []
    for m in index_maps:
        if isinstance(m, Tensor):
            m = m._data
        try:
            a = np.asarray(m)
        except (TypeError, ValueError):
            return None
        if a.ndim != 1 or (a.size and a.dtype.kind not in "iu"):
            return None
        arrays.append(a.astype(np.intp, copy=False))
    return tensors, arrays


def _gather_batch(source, indices):
    """``default_collate([dataset[i] for i in indices])`` for a TensorDataset
    source: a list with one gathered tensor per dataset tensor."""
    tensors, index_maps = source
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu":  # e.g. indices that are 0-dim tensors
        idx = np.asarray([int(i) for i in indices], dtype=np.intp)
    for m in index_maps:  # outermost Subset first
        idx = m[idx]
    return [Tensor._make(t._data[idx]) for t in tensors]


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers,
                          multiprocessing_context):
    """Validate the multiprocessing knobs the way torch does, even though
    suanzi loads in-process: code that torch rejects should fail here too.
    Returns the effective ``prefetch_factor``."""
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0:
        if prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None:
            raise ValueError("multiprocessing_context can only be used with multi-process "
                             f"loading (num_workers > 0), but got num_workers={num_workers}")
        return None
    if prefetch_factor is None:
        return 2  # torch's default with workers
    if prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    return prefetch_factor


def _check_iterable_options(shuffle, sampler, batch_sampler):
    """An IterableDataset decides its own order: no sampling options apply."""
    for name, value in (("shuffle", shuffle), ("sampler", sampler),
                        ("batch_sampler", batch_sampler)):
        unset = value in (False, None) if name == "shuffle" else value is None
        if not unset:
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} "
                             f"option, but got {name}={value}")


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size``.

    ``shuffle=True`` draws a new permutation each epoch from ``generator``
    (a ``suanzi.Generator``; the default generator when None, so
    ``suanzi.manual_seed`` makes it reproducible). ``drop_last`` drops the
    final short batch. ``collate_fn`` turns a list of samples into a batch
    (``default_collate``). See the module docstring about workers.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        prefetch_factor = _check_worker_options(num_workers, timeout, prefetch_factor,
                                                persistent_workers, multiprocessing_context)
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"generator must be a suanzi.Generator, not "
                            f"{type(generator).__name__}")

        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            _check_iterable_options(shuffle, sampler, batch_sampler)
        shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            # a batch sampler already fixes batch size, order and the last batch
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()  # placeholder: the stream drives itself
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        # without batching, samples still get their NumPy parts turned into tensors
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if self._auto_collation else default_convert)
        self.__initialized = True

    __initialized = False
    # Changing these after construction would leave sampler and batch sampler
    # out of step with each other, so (as in torch) it is refused.
    _FROZEN = frozenset({"batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                         "persistent_workers"})

    def __setattr__(self, attr, val):
        if self.__initialized and attr in self._FROZEN:
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if not self._iterable:
            return len(self._index_sampler)
        n, bs = len(self.dataset), self.batch_size
        if bs is None:
            return n
        return n // bs if self.drop_last else -(-n // bs)

    def __iter__(self):
        if self.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=2)
        return self._iter_iterable() if self._iterable else self._iter_map()

    # ---------------------------------------------------------------- map-style
    def _iter_map(self):
        dataset, collate_fn = self.dataset, self.collate_fn
        if not self._auto_collation:
            for idx in self.sampler:
                yield collate_fn(dataset[idx])
            return
        fast = _tensor_source(dataset) if collate_fn is default_collate else None
        fetch_many = getattr(dataset, "__getitems__", None)
        for indices in self.batch_sampler:
            if fast is not None and len(indices):
                yield _gather_batch(fast, indices)
            elif fetch_many:
                yield collate_fn(fetch_many(indices))
            else:
                yield collate_fn([dataset[i] for i in indices])

    # ---------------------------------------------------------------- iterable
    def _iter_iterable(self):
        collate_fn, stream = self.collate_fn, iter(self.dataset)
        if not self._auto_collation:
            yield from map(collate_fn, stream)
            return
        bs = self.batch_size
        while True:
            batch = list(itertools.islice(stream, bs))
            if not batch or (self.drop_last and len(batch) < bs):
                return
            yield collate_fn(batch)
            if len(batch) < bs:  # the stream ran dry; don't ask it again
                return

    def check_worker_number_rationality(self):
        pass
