"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``StackDataset``,
``ConcatDataset``, ``ChainDataset``, ``Subset`` and ``random_split`` (torch's API
and rules)."""
from __future__ import annotations

import bisect
import itertools
import math
import warnings

from ...random import Generator, default_generator, randperm

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]


class Dataset:
    """A map-style dataset: subclasses implement ``__getitem__`` (and usually
    ``__len__``); they may add ``__getitems__(indices)`` to fetch a whole batch."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])

    def __class_getitem__(cls, item):  # Dataset[int] in type hints, as with torch's Generic
        return cls


class IterableDataset(Dataset):
    """A stream of samples: subclasses implement ``__iter__``."""

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are ``tuple(t[i] for t in tensors)``; every tensor must have the
    same first dimension. A DataLoader with the default collate batches it by
    indexing every tensor once per batch."""

    def __init__(self, *tensors):
        n = tensors[0].size(0)
        if not all(t.size(0) == n for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].size(0)


class StackDataset(Dataset):
    """Zip datasets of equal length: ``StackDataset(a, b)[i] == (a[i], b[i])``,
    ``StackDataset(x=a, y=b)[i] == {'x': a[i], 'y': b[i]}``."""

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) "
                "like input/output, but both types are given.")
        if not (args or kwargs):
            raise ValueError("At least one dataset should be passed")
        # the container passed in decides the sample type: tuple or dict
        self.datasets = args or kwargs
        members = args or tuple(kwargs.values())
        lengths = {len(d) for d in members}
        if len(lengths) != 1:
            raise ValueError("Size mismatch between datasets")
        (self._length,) = lengths

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {name: d[index] for name, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """The datasets one after the other. ``cumulative_sizes[k]`` is the number
    of samples in datasets ``0..k``; an index is located by bisecting it."""

    @staticmethod
    def cumsum(sequence):
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets):
        super().__init__()
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        if any(isinstance(d, IterableDataset) for d in self.datasets):
            raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        total = len(self)
        if idx < 0:
            if idx < -total:
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += total
        # the first dataset whose running total exceeds idx holds it
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset):
    """Iterable datasets one after the other (checked lazily, when used)."""

    def __init__(self, datasets):
        super().__init__()
        self.datasets = datasets

    def _members(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield d

    def __iter__(self):
        for d in self._members():
            yield from d

    def __len__(self):
        return sum(len(d) for d in self._members())


_SUBSET_OVERRIDE_MSG = (
    "{name} overrides __getitem__ but not __getitems__. When subclassing Subset and "
    "overriding __getitem__, you must also override __getitems__ to ensure DataLoader works "
    "correctly with your custom logic. A simple implementation:\n\n"
    "def __getitems__(self, indices):\n"
    "    return [self.__getitem__(idx) for idx in indices]")


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset, indices):
        # The DataLoader fetches whole batches through __getitems__, which would
        # silently bypass a subclass's custom __getitem__; refuse that early.
        cls = type(self)
        if cls.__getitem__ is not Subset.__getitem__ and cls.__getitems__ is Subset.__getitems__:
            raise NotImplementedError(_SUBSET_OVERRIDE_MSG.format(name=cls.__name__))
        self.dataset = dataset
        self.indices = indices

    def _outer(self, positions):
        return [self.indices[p] for p in positions]

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[self._outer(idx)]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        fetch_many = getattr(self.dataset, "__getitems__", None)
        if callable(fetch_many):
            return fetch_many(self._outer(indices))
        return [self.dataset[i] for i in self._outer(indices)]

    def __len__(self):
        return len(self.indices)


def _lengths_from_fractions(fractions, total):
    """Whole lengths for fractions summing to 1: floor each share, then give
    the samples left over one each to the splits in turn, from the first."""
    for i, frac in enumerate(fractions):
        if not 0 <= frac <= 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
    lengths = [math.floor(total * frac) for frac in fractions]
    for k in range(total - sum(lengths)):
        lengths[k % len(lengths)] += 1
    for i, n in enumerate(lengths):
        if n == 0:
            warnings.warn(f"Length of split at index {i} is 0. "
                          f"This might result in an empty dataset.", stacklevel=3)
    return lengths


def random_split(dataset, lengths, generator=default_generator):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given
    ``lengths`` (or fractions summing to 1). The same seeded ``generator``
    gives the same split."""
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(lengths, len(dataset))
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"generator must be a suanzi.Generator, not {type(generator).__name__}")
    order = randperm(sum(lengths), generator=generator).tolist()
    ends = list(itertools.accumulate(lengths))
    return [Subset(dataset, order[end - n:end]) for end, n in zip(ends, lengths)]
