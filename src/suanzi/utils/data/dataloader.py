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

import math
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
    def __iter__(self):
        while True:
            yield None


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
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError("multiprocessing_context can only be used with multi-process "
                             f"loading (num_workers > 0), but got num_workers={num_workers}")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"generator must be a suanzi.Generator, not "
                            f"{type(generator).__name__}")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._iterable = True
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._iterable = False

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True

    __initialized = False

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                           "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else \
                    math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def __iter__(self):
        if self.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=2)
        if self._iterable:
            return self._iter_iterable()
        return self._iter_map()

    # ---------------------------------------------------------------- map-style
    def _iter_map(self):
        dataset, collate_fn = self.dataset, self.collate_fn
        if not self._auto_collation:
            for idx in self.sampler:
                yield collate_fn(dataset[idx])
            return
        fast = _tensor_source(dataset) if collate_fn is default_collate else None
        getitems = getattr(dataset, "__getitems__", None)
        for indices in self.batch_sampler:
            if fast is not None and len(indices):
                yield self._fast_batch(fast, indices)
                continue
            if getitems:
                data = getitems(indices)
            else:
                data = [dataset[i] for i in indices]
            yield collate_fn(data)

    @staticmethod
    def _fast_batch(source, indices):
        """``default_collate([dataset[i] for i in indices])`` for a TensorDataset:
        a list with one gathered tensor per dataset tensor."""
        tensors, index_maps = source
        idx = np.asarray(indices)
        if idx.dtype.kind not in "iu":  # e.g. indices that are 0-dim tensors
            idx = np.asarray([int(i) for i in indices], dtype=np.intp)
        for m in index_maps:  # outermost Subset first
            idx = m[idx]
        return [Tensor._make(t._data[idx]) for t in tensors]

    # ---------------------------------------------------------------- iterable
    def _iter_iterable(self):
        collate_fn = self.collate_fn
        it = iter(self.dataset)
        if not self._auto_collation:
            for item in it:
                yield collate_fn(item)
            return
        bs = self.batch_size
        while True:
            batch = []
            for item in it:
                batch.append(item)
                if len(batch) == bs:
                    break
            if not batch or (self.drop_last and len(batch) < bs):
                return
            yield collate_fn(batch)
            if len(batch) < bs:
                return

    def check_worker_number_rationality(self):
        pass
