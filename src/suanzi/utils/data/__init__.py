"""``suanzi.utils.data``: datasets, samplers and the DataLoader, with torch's API.

``import suanzi as torch`` code such as ::

    ds = torch.utils.data.TensorDataset(x, y)
    train, test = torch.utils.data.random_split(ds, [0.8, 0.2],
                                                generator=torch.Generator().manual_seed(0))
    for xb, yb in torch.utils.data.DataLoader(train, batch_size=64, shuffle=True):
        ...

runs unchanged. Shuffling draws from ``suanzi.Generator``: the same seed
gives the same order every run (not torch's order). Loading happens in the
main process even with ``num_workers > 0`` (see ``dataloader``).
"""
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset,
                      Subset, TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)
from .dataloader import DataLoader, get_worker_info
from ._utils.collate import default_collate, default_convert
from . import _utils  # noqa: F401

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset",
           "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler",
           "default_collate", "default_convert", "get_worker_info", "random_split"]
