"""Samplers: which indices a DataLoader fetches, and in which order (torch's API).

Random samplers draw from a ``suanzi.Generator``: the same seed gives the
same order (the orders are not torch's, whose generator cannot be matched).
"""
from __future__ import annotations

import numpy as np

from ...random import Generator, _rng, default_generator, multinomial
from ...ops.creation import as_tensor
from ... import _dtype as D

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]


def _positive_int(value):
    # bool is an int subclass, but ``batch_size=True`` is surely a mistake.
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class Sampler:
    """Base class: subclasses implement ``__iter__`` (and usually ``__len__``)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError

    def __class_getitem__(cls, item):  # Sampler[int] in type hints
        return cls


class SequentialSampler(Sampler):
    """0, 1, …, len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self)))

    def __len__(self):
        return len(self.data_source)


def _epoch_rng(generator):
    """The NumPy RNG for one pass. Without an explicit generator a fresh one is
    seeded from the default generator, so ``suanzi.manual_seed`` fixes the
    order while consecutive epochs still differ."""
    if generator is None:
        seed = int(default_generator._rng.integers(0, 1 << 63))
        generator = Generator().manual_seed(seed)
    return _rng(generator)


class RandomSampler(Sampler):
    """A random permutation (more permutations, cut to ``num_samples``, when
    that exceeds the dataset), or ``num_samples`` uniform draws with
    ``replacement=True``."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        n = self.num_samples
        if not isinstance(n, int) or n <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={n}")

    @property
    def num_samples(self):
        # read lazily: the data source may grow between construction and use
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, wanted = len(self.data_source), self.num_samples
        rng = _epoch_rng(self.generator)
        if self.replacement:
            order = rng.integers(0, n, size=wanted)
        else:
            rounds = -(-wanted // n)  # ceil: enough whole permutations to cover ``wanted``
            order = np.concatenate([rng.permutation(n) for _ in range(rounds)])[:wanted]
        return iter(order.tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        shuffled = _rng(self.generator).permutation(len(self.indices))
        return (self.indices[i] for i in shuffled.tolist())

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not _positive_int(num_samples):
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        w = as_tensor(weights, dtype=D.float64)
        if w.dim() != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        drawn = multinomial(self.weights, self.num_samples, self.replacement,
                            generator=self.generator)
        return iter(drawn.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``; a short
    final list is kept unless ``drop_last``."""

    def __init__(self, sampler, batch_size, drop_last):
        if not _positive_int(batch_size):
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        full, rest = divmod(len(self.sampler), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)
