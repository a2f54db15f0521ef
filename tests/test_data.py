"""suanzi.utils.data against torch.utils.data: collation (values, dtypes and
container types), batching, drop_last, len, samplers, random_split, Subset,
ConcatDataset, and shuffling that a seed makes reproducible."""
from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import suanzi
import suanzi.utils.data as sdata
from helpers import assert_same

Point = collections.namedtuple("Point", ["x", "y"])


def same_structure(s, t, path="batch"):
    """A collated suanzi batch equals torch's: container types, keys, tensor
    values and dtypes, and untouched leaves."""
    if isinstance(t, torch.Tensor):
        assert_same(s, t, rtol=0, atol=0, what=path)
    elif isinstance(t, dict):
        assert type(s) is type(t), f"{path}: {type(s).__name__} != {type(t).__name__}"
        assert list(s) == list(t), f"{path}: keys {list(s)} != {list(t)}"
        for k in t:
            same_structure(s[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert type(s) is type(t), f"{path}: {type(s).__name__} != {type(t).__name__}"
        assert len(s) == len(t), f"{path}: length {len(s)} != {len(t)}"
        for i, (a, b) in enumerate(zip(s, t)):
            same_structure(a, b, f"{path}[{i}]")
    elif isinstance(t, np.ndarray):
        assert isinstance(s, np.ndarray) and s.dtype == t.dtype
        np.testing.assert_array_equal(s, t)
    else:
        assert type(s) is type(t) and s == t, f"{path}: {s!r} != {t!r}"


RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 2, 3)).astype(np.float32)
I = RNG.integers(-5, 5, (4, 3))

# each case builds a batch (a list of samples) with the tensors of ``lib``
COLLATE_CASES = {
    "float32 tensors": lambda lib: [lib.from_numpy(A[i].copy()) for i in range(4)],
    "int64 tensors": lambda lib: [lib.from_numpy(I[i].copy()) for i in range(4)],
    "bool tensors": lambda lib: [lib.from_numpy(I[i] > 0) for i in range(4)],
    "0-d tensors": lambda lib: [lib.tensor(1.5), lib.tensor(-2.0)],
    "mixed dtype tensors": lambda lib: [lib.tensor([1, 2]), lib.tensor([1.5, 2.5])],
    "float32 arrays": lambda lib: [A[i] for i in range(4)],
    "float64 arrays": lambda lib: [A[i].astype(np.float64) for i in range(4)],
    "int32 arrays": lambda lib: [I[i].astype(np.int32) for i in range(4)],
    "uint8 arrays": lambda lib: [np.abs(I[i]).astype(np.uint8) for i in range(4)],
    "0-d arrays": lambda lib: [np.array(1.5), np.array(2.5)],
    "ints": lambda lib: [0, 1, -7, 2 ** 40],
    "floats": lambda lib: [0.5, -1.25, 3.0],
    "bools": lambda lib: [True, False, True],
    "int then bool": lambda lib: [1, True],
    "int then float": lambda lib: [1, 2.5],
    "numpy float32 scalars": lambda lib: [np.float32(1.5), np.float32(-2)],
    "numpy int16 scalars": lambda lib: [np.int16(3), np.int16(-4)],
    "numpy bool scalars": lambda lib: [np.bool_(True), np.bool_(False)],
    "numpy float64 scalars": lambda lib: [np.float64(1.5), np.float64(2)],
    "strings": lambda lib: ["a", "bc", "d"],
    "bytes": lambda lib: [b"a", b"bc"],
    "tuples": lambda lib: [(lib.from_numpy(A[i].copy()), int(I[i, 0])) for i in range(4)],
    "lists": lambda lib: [[float(i), i, "s"] for i in range(3)],
    "dicts": lambda lib: [{"img": A[i], "label": i, "name": f"n{i}"} for i in range(4)],
    "ordered dicts": lambda lib: [collections.OrderedDict(b=i, a=float(i)) for i in range(3)],
    "namedtuples": lambda lib: [Point(lib.tensor([i, i]), 0.5 * i) for i in range(3)],
    "nested": lambda lib: [{"x": (A[i], [i, i + 1]), "y": {"z": lib.tensor(i)}}
                           for i in range(3)],
}


@pytest.mark.parametrize("case", list(COLLATE_CASES))
def test_default_collate_matches_torch(case):
    make = COLLATE_CASES[case]
    t = tdata.default_collate(make(torch))
    s = sdata.default_collate(make(suanzi))
    same_structure(s, t)


CONVERT_CASES = {
    "array": lambda lib: np.arange(4, dtype=np.int32),
    "numpy scalar": lambda lib: np.float32(2.5),
    "int": lambda lib: 3,
    "tuple of arrays": lambda lib: (A[0], A[1]),
    "dict": lambda lib: {"a": A[0], "b": "text", "c": 2},
    "namedtuple": lambda lib: Point(np.array(0), np.array([1.5])),
    "string array": lambda lib: np.array(["a", "b"]),
    "tensor": lambda lib: lib.tensor([1.0, 2.0]),
}


@pytest.mark.parametrize("case", list(CONVERT_CASES))
def test_default_convert_matches_torch(case):
    make = CONVERT_CASES[case]
    same_structure(sdata.default_convert(make(suanzi)), tdata.default_convert(make(torch)))


@pytest.mark.parametrize("batch", [
    lambda lib: [[1, 2], [3]],                        # unequal lengths
    lambda lib: [object(), object()],                 # unknown type
    lambda lib: [np.array(["a"]), np.array(["b"])],   # string arrays
    lambda lib: [np.array([None]), np.array([None])],  # object arrays
    lambda lib: [lib.zeros(2), lib.zeros(3)],         # shapes differ
])
def test_default_collate_errors_match_torch(batch):
    with pytest.raises(Exception) as te:
        tdata.default_collate(batch(torch))
    with pytest.raises(type(te.value)):
        sdata.default_collate(batch(suanzi))


def test_collate_keeps_autograd():
    xs = [suanzi.randn(3, requires_grad=True) for _ in range(2)]
    out = sdata.default_collate(xs)
    assert out.requires_grad
    out.sum().backward()
    assert all(np.all(x.grad._data == 1) for x in xs)


# ----------------------------------------------------------------------- DataLoader
def datasets(n=10):
    x = RNG.standard_normal((n, 3)).astype(np.float32)
    y = np.arange(n)
    return (sdata.TensorDataset(suanzi.from_numpy(x.copy()), suanzi.from_numpy(y.copy())),
            tdata.TensorDataset(torch.from_numpy(x.copy()), torch.from_numpy(y.copy())))


@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (3, False), (3, True), (5, True),
                                                  (10, False), (12, False), (12, True)])
def test_sequential_batches_match_torch(batch_size, drop_last):
    sds, tds = datasets()
    sl = sdata.DataLoader(sds, batch_size=batch_size, drop_last=drop_last)
    tl = tdata.DataLoader(tds, batch_size=batch_size, drop_last=drop_last)
    assert len(sl) == len(tl)
    s_batches, t_batches = list(sl), list(tl)
    assert len(s_batches) == len(t_batches) == len(sl)
    for s, t in zip(s_batches, t_batches):
        same_structure(s, t)


def test_tensor_dataset_fast_path_equals_general_path():
    sds, _ = datasets(23)
    for shuffle in (False, True):
        fast = sdata.DataLoader(sds, batch_size=4, shuffle=shuffle,
                                generator=suanzi.Generator().manual_seed(5))
        slow = sdata.DataLoader(sds, batch_size=4, shuffle=shuffle,
                                generator=suanzi.Generator().manual_seed(5),
                                collate_fn=lambda b: sdata.default_collate(b))
        n = 0
        for (fx, fy), (sx, sy) in zip(fast, slow):
            for f, s in ((fx, sx), (fy, sy)):
                assert f.dtype == s.dtype and f.shape == s.shape
                np.testing.assert_array_equal(f._data, s._data)
            n += 1
        assert n == len(fast) == 6


def test_subset_of_tensor_dataset_fast_path():
    sds, tds = datasets(12)
    idx = [11, 0, 5, 3, 3, 7, -1]
    s_sub, t_sub = sdata.Subset(sds, idx), tdata.Subset(tds, idx)
    s_sub2, t_sub2 = sdata.Subset(s_sub, [6, 0, 2]), tdata.Subset(t_sub, [6, 0, 2])
    for s_ds, t_ds in ((s_sub, t_sub), (s_sub2, t_sub2)):
        for s, t in zip(sdata.DataLoader(s_ds, batch_size=3), tdata.DataLoader(t_ds, batch_size=3)):
            same_structure(s, t)


def seeded_order(seed, epochs=1, n=50, bs=7):
    sds, _ = datasets(n)
    loader = sdata.DataLoader(sds, batch_size=bs, shuffle=True,
                              generator=suanzi.Generator().manual_seed(seed))
    return [[int(v) for b in loader for v in b[1]._data] for _ in range(epochs)]


def test_shuffle_reproducible_with_seed():
    a, b = seeded_order(0, epochs=3), seeded_order(0, epochs=3)
    assert a == b                                   # same seed, same orders
    assert all(sorted(e) == list(range(50)) for e in a)  # each epoch a permutation
    assert a[0] != a[1] != a[2]                     # a new order every epoch
    assert seeded_order(1) != seeded_order(0)       # different seeds differ
    assert a[0] != list(range(50))


def test_shuffle_without_generator_follows_manual_seed():
    sds, _ = datasets(30)
    orders = []
    for _ in range(2):
        suanzi.manual_seed(123)
        orders.append([int(v) for _, y in sdata.DataLoader(sds, batch_size=4, shuffle=True)
                       for v in y._data])
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(30))


def test_shuffle_drop_last_and_len():
    sds, _ = datasets(10)
    loader = sdata.DataLoader(sds, batch_size=3, shuffle=True, drop_last=True,
                              generator=suanzi.Generator().manual_seed(0))
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert all(b[0].shape == (3, 3) for b in batches)
    seen = [int(v) for b in batches for v in b[1]._data]
    assert len(set(seen)) == 9


class DictDataset:
    """A plain map-style dataset (not a Dataset subclass, as torch allows)."""

    def __init__(self, lib, n=7):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": self.lib.full((2,), float(i)), "y": i, "w": np.float32(i / 2),
                "tag": f"s{i}"}


@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                    dict(batch_size=None), dict(batch_size=2, num_workers=2)])
def test_generic_dataset_matches_torch(kwargs):
    s = list(sdata.DataLoader(DictDataset(suanzi), **kwargs))
    t = list(tdata.DataLoader(DictDataset(torch), **kwargs))
    assert len(s) == len(t)
    for a, b in zip(s, t):
        same_structure(a, b)


def test_batch_sampler_and_sampler_options():
    sds, tds = datasets(10)
    for lib_data, ds in ((sdata, sds), (tdata, tds)):
        bs = lib_data.BatchSampler(lib_data.SequentialSampler(ds), 4, False)
        assert list(bs) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
        assert len(lib_data.BatchSampler(range(10), 4, True)) == 2
    s = [b[1] for b in sdata.DataLoader(sds, batch_sampler=[[3, 1], [0]])]
    t = [b[1] for b in tdata.DataLoader(tds, batch_sampler=[[3, 1], [0]])]
    for a, b in zip(s, t):
        assert_same(a, b)
    s = [b[1] for b in sdata.DataLoader(sds, sampler=[9, 8, 7], batch_size=2)]
    t = [b[1] for b in tdata.DataLoader(tds, sampler=[9, 8, 7], batch_size=2)]
    for a, b in zip(s, t):
        assert_same(a, b)


@pytest.mark.parametrize("kwargs", [
    dict(shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True),
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(persistent_workers=True),
    dict(multiprocessing_context="spawn"),
])
def test_loader_argument_errors_match_torch(kwargs):
    sds, tds = datasets(4)
    with pytest.raises(Exception) as te:
        tdata.DataLoader(tds, **kwargs)
    with pytest.raises(type(te.value)):
        sdata.DataLoader(sds, **kwargs)


def test_loader_attributes_frozen():
    sds, _ = datasets(4)
    loader = sdata.DataLoader(sds, batch_size=2)
    with pytest.raises(ValueError):
        loader.batch_size = 3


def test_random_sampler_options():
    g = suanzi.Generator().manual_seed(0)
    s = sdata.RandomSampler(range(5), replacement=True, num_samples=40, generator=g)
    draws = list(s)
    assert len(s) == len(draws) == 40 and set(draws) <= set(range(5))
    s = sdata.RandomSampler(range(5), num_samples=12, generator=g)
    draws = list(s)
    assert len(draws) == 12 and sorted(draws[:10]) == sorted(list(range(5)) * 2)
    with pytest.raises(ValueError):
        sdata.RandomSampler(range(5), num_samples=0)
    with pytest.raises(TypeError):
        sdata.RandomSampler(range(5), replacement=1)
    w = sdata.WeightedRandomSampler([0.0, 1.0, 0.0], 6, generator=g)
    assert list(w) == [1] * 6
    sub = list(sdata.SubsetRandomSampler([4, 8, 15], generator=g))
    assert sorted(sub) == [4, 8, 15]


class Stream(sdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TStream(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("bs,drop_last", [(3, False), (3, True), (None, False), (5, False)])
def test_iterable_dataset_matches_torch(bs, drop_last):
    sl = sdata.DataLoader(Stream(10), batch_size=bs, drop_last=drop_last)
    tl = tdata.DataLoader(TStream(10), batch_size=bs, drop_last=drop_last)
    assert len(sl) == len(tl)
    s, t = list(sl), list(tl)
    assert len(s) == len(t)
    for a, b in zip(s, t):
        same_structure(a, b)
    with pytest.raises(ValueError):
        sdata.DataLoader(Stream(3), shuffle=True)


# ----------------------------------------------------------------------- datasets
@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.5], [1 / 3, 1 / 3, 1 / 3],
                                     [0.25, 0.25, 0.25, 0.25], [10, 0]])
def test_random_split_lengths_match_torch(lengths):
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        t = tdata.random_split(range(10), lengths, generator=torch.Generator().manual_seed(0))
    with warnings.catch_warnings(record=True) as sw:
        warnings.simplefilter("always")
        s = sdata.random_split(range(10), lengths, generator=suanzi.Generator().manual_seed(0))
    assert [len(x) for x in s] == [len(x) for x in t]
    assert len(sw) == len(tw)  # the same "Length of split ... is 0" warnings
    items = [v for part in s for v in part]
    assert sorted(items) == list(range(10))  # disjoint and covering
    assert all(isinstance(p, sdata.Subset) for p in s)


def test_random_split_reproducible_and_errors():
    def split(seed):
        parts = sdata.random_split(range(20), [0.8, 0.2],
                                   generator=suanzi.Generator().manual_seed(seed))
        return [list(p.indices) for p in parts]
    assert split(0) == split(0) and split(0) != split(1)
    for bad in ([3, 3], [0.5, 0.6], [-0.5, 1.5]):
        with pytest.raises(ValueError):
            tdata.random_split(range(10), bad)
        with pytest.raises(ValueError):
            sdata.random_split(range(10), bad)


def test_subset_concat_stack_datasets_match_torch():
    sds, tds = datasets(6)
    for (s_ds, t_ds) in [
        (sdata.Subset(sds, [5, 1, 1]), tdata.Subset(tds, [5, 1, 1])),
        (sdata.ConcatDataset([sds, sdata.Subset(sds, [0, 2])]),
         tdata.ConcatDataset([tds, tdata.Subset(tds, [0, 2])])),
        (sds + sds, tds + tds),
        (sdata.StackDataset(sds, sds), tdata.StackDataset(tds, tds)),
        (sdata.StackDataset(a=sds, b=sds), tdata.StackDataset(a=tds, b=tds)),
    ]:
        assert len(s_ds) == len(t_ds)
        for i in list(range(len(t_ds))) + [-1]:
            same_structure(s_ds[i], t_ds[i], f"{type(t_ds).__name__}[{i}]")
        for s, t in zip(sdata.DataLoader(s_ds, batch_size=4), tdata.DataLoader(t_ds, batch_size=4)):
            same_structure(s, t)
    sub = sdata.Subset(sds, [4, 0])
    assert [int(v) for v in sub.__getitems__([1, 0])[0][1:]] == [0]
    with pytest.raises(AssertionError):
        sdata.TensorDataset(suanzi.zeros(3), suanzi.zeros(4))


def test_namespace_like_torch():
    assert suanzi.utils.data.DataLoader is sdata.DataLoader
    for name in ("Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
                 "random_split", "SequentialSampler", "RandomSampler", "BatchSampler",
                 "DataLoader", "default_collate", "default_convert", "get_worker_info"):
        assert hasattr(sdata, name) and hasattr(tdata, name), name
    from suanzi.utils.data._utils.collate import collate, default_collate_fn_map
    assert collate([1, 2], collate_fn_map=default_collate_fn_map).tolist() == [1, 2]
