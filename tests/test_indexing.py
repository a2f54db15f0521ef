"""``__getitem__`` / ``__setitem__`` / ``index_put_`` against torch (spec §6
"Indexing and slicing"): torch's int-before-advanced placement, views vs
copies, gradient accumulation for repeated indices, errors."""
import warnings

import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_raises, randn as _randn

LIBS = [torch, suanzi]
warnings.filterwarnings("ignore", message=".*non-tuple sequence.*")
warnings.filterwarnings("ignore", message=".*uint8.*")


def randn(*shape):
    return np.asarray(_randn(*shape))


def x234():
    return randn(2, 3, 4)


def T(lib, v, dtype=None):
    return lib.tensor(v) if dtype is None else lib.tensor(v, dtype=getattr(lib, dtype))


# every index is a function of lib (so tensors are built with the right library)
GETITEM_CASES = [
    lambda lib: 0, lambda lib: -1, lambda lib: (1, 2), lambda lib: (0, -1, 3),
    lambda lib: slice(None), lambda lib: slice(1, None), lambda lib: slice(None, None, 2),
    lambda lib: slice(1, 10), lambda lib: slice(-2, None), lambda lib: slice(5, 1),
    lambda lib: (slice(None), 1), lambda lib: (Ellipsis, 2), lambda lib: (0, Ellipsis),
    lambda lib: (None,), lambda lib: (None, 0, None), lambda lib: (Ellipsis, None),
    lambda lib: (slice(None), None, slice(1, 3)), lambda lib: (1, slice(None, None, 3), None),
    lambda lib: Ellipsis, lambda lib: (0, 0, 0), lambda lib: (0, 0, 0, Ellipsis),
    lambda lib: T(lib, 1), lambda lib: (T(lib, 1), slice(None), T(lib, -1)),
    lambda lib: np.int64(1), lambda lib: (slice(None), np.int32(2)),
    # advanced
    lambda lib: [0, 1, 1], lambda lib: [[0, 1], [1, 1]], lambda lib: T(lib, [1, 0, 1]),
    lambda lib: np.array([1, 1]), lambda lib: [], lambda lib: [-1, -2],
    lambda lib: (slice(None), [0, 2, 2]), lambda lib: (Ellipsis, [3, 0, 3]),
    lambda lib: ([0, 1], [1, 2]), lambda lib: ([0, 1], [1, 2], [3, 3]),
    lambda lib: (0, slice(None), [1, 2]), lambda lib: (T(lib, 0), slice(None), [1, 2]),
    lambda lib: ([0, 1], None, [0, 1]), lambda lib: ([0, 1], slice(None), None, [0, 1]),
    lambda lib: (0, Ellipsis, [1, 2], None), lambda lib: (Ellipsis, [1, 2], 0),
    lambda lib: ([1, 0], Ellipsis, [1, 2]), lambda lib: (slice(None), [[0], [1]], [1, 2]),
    lambda lib: (None, 0, None, [0, 1], None), lambda lib: ([0, 1], 0, [0, 1]),
    lambda lib: ([0, 1], slice(1, None), [0, 1]), lambda lib: ([0, 1], [[0], [1]], slice(1, None)),
    lambda lib: (slice(1, None), [0, 1], 0), lambda lib: (slice(None), 1, [0, 1]),
    lambda lib: (slice(None), 0, [[0, 1]]), lambda lib: (T(lib, [[0, 1]]), T(lib, [[0], [2]])),
    lambda lib: (T(lib, 0), T(lib, [0, 1]), T(lib, 1)), lambda lib: (0, [0, 1], 1),
    lambda lib: (T(lib, [0, 1], "int32"), slice(None, 2)),
    lambda lib: (slice(None), T(lib, [[2, 1], [0, 0]]), slice(None, None, 2)),
    # booleans
    lambda lib: True, lambda lib: False, lambda lib: ([0, 1], True), lambda lib: (slice(None), True, [0, 1]),
    lambda lib: T(lib, True), lambda lib: T(lib, False), lambda lib: (None, True, 0),
    lambda lib: [True, False], lambda lib: T(lib, [True, False]),
    lambda lib: T(lib, [[True, False, True], [False, False, True]]),
    lambda lib: T(lib, np.zeros((2, 3, 4), bool)), lambda lib: T(lib, np.ones((2, 3, 4), bool)),
    lambda lib: (slice(None), T(lib, [True, True, False])),
    lambda lib: (slice(None), T(lib, [True, False, True]), [0, 3]),
    lambda lib: (T(lib, [True, False]), 1, T(lib, [True, False, True, False])),
    lambda lib: (Ellipsis, T(lib, [False, True, True, False])),
    lambda lib: T(lib, [[1, 0, 1], [0, 0, 1]], "uint8"),
    lambda lib: [0, [1, 0]], lambda lib: [[0, 1]],
    lambda lib: (Ellipsis, Ellipsis), lambda lib: (Ellipsis, 0, Ellipsis),
]


@pytest.mark.parametrize("case", range(len(GETITEM_CASES)))
def test_getitem(case):
    idx = GETITEM_CASES[case]
    check(lambda lib, a: a[idx(lib)], x234())
    # non-contiguous input
    check(lambda lib, a: a.permute(2, 0, 1).contiguous().permute(1, 2, 0)[idx(lib)], x234())


@pytest.mark.parametrize("case", range(len(GETITEM_CASES)))
def test_getitem_views_match_torch(case):
    idx = GETITEM_CASES[case]
    shared = []
    for lib in LIBS:
        a = lib.zeros(2, 3, 4)
        r = a[idx(lib)]
        shared.append(r._base is not None)
        if r.numel():
            r.add_(1) if r._base is not None else None
        shared.append(a.sum().item())
    assert shared[0::2] == shared[1::2] if False else (shared[0] == shared[2] and
                                                       shared[1] == shared[3])


def test_getitem_0d():
    check(lambda lib, a: a[None], randn())
    check(lambda lib, a: a[...], randn())
    check(lambda lib, a: a[True], randn())
    check(lambda lib, a: a[lib.tensor(False)], randn())
    check(lambda lib, a: a[None, ..., None], randn())
    check_raises(lambda lib, a: a[0], randn())
    check_raises(lambda lib, a: a[:], randn())


def test_getitem_empty_and_dtypes():
    check(lambda lib, a: a[1:, [0]], randn(0, 3))
    check(lambda lib, a: a[a > 0], randn(0, 3))
    check(lambda lib, a: a[:, 1], np.arange(12).reshape(3, 4))
    check(lambda lib, a: a[[0, 0, 2]], np.arange(12).reshape(3, 4))
    check(lambda lib, a: a[a > 5], np.arange(12).reshape(3, 4))
    check(lambda lib, a: a[a], np.array([True, False, True]))
    check(lambda lib, a: a[1:3], randn(5).astype(np.float64))


def test_getitem_grad_accumulates_repeated():
    check(lambda lib, a: a[[0, 0, 1]], randn(3))
    check(lambda lib, a: a[[0, 0, 1]].sum(), randn(3))
    check(lambda lib, a: a[[[0, 0], [2, 0]], [1, 1]], randn(3, 2))
    check(lambda lib, a: a[:, [1, 1, 1]] * a[[2, 2]].sum(), randn(3, 2))
    for lib in LIBS:
        z = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        z[[0, 0, 1]].sum().backward()
        assert z.grad.tolist() == [2.0, 1.0, 0.0]


def test_getitem_double_backward():
    res = []
    for lib in LIBS:
        a = lib.tensor(np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3), requires_grad=True)
        y = a[[0, 0, 1], 1:] * a[[0, 0, 1], 1:]
        (g,) = lib.autograd.grad(y.sum(), a, create_graph=True)
        (gg,) = lib.autograd.grad((g * g)[:, [0, 2]].sum(), a)
        res.append(gg.detach().numpy().copy())
    np.testing.assert_allclose(res[0], res[1])


GETITEM_ERRORS = [
    lambda lib: (slice(None, None, -1),), lambda lib: (Ellipsis, slice(None, None, -2)),
    lambda lib: slice(None, None, 0), lambda lib: (0, 0, 0, 0), lambda lib: 5, lambda lib: -3,
    lambda lib: (0, 3), lambda lib: [0, 5], lambda lib: [-3], lambda lib: ([0, 1], [0, 1, 2]),
    lambda lib: T(lib, 1.0), lambda lib: T(lib, [0.5]), lambda lib: 1.0,
    lambda lib: [True, False, True], lambda lib: T(lib, [True, False, True]),
    lambda lib: T(lib, np.zeros((2, 4), bool)), lambda lib: ([0, 1], False),
    lambda lib: (slice(None),) * 4, lambda lib: "a",
    lambda lib: T(lib, [5]), lambda lib: (slice(None), T(lib, [[3]])),
]


@pytest.mark.parametrize("case", range(len(GETITEM_ERRORS)))
def test_getitem_errors(case):
    idx = GETITEM_ERRORS[case]
    check_raises(lambda lib, a: a[idx(lib)], x234())


# ------------------------------------------------------------------ setitem
SETITEM_CASES = [
    (lambda lib: 0, (3, 4)), (lambda lib: 0, (4,)), (lambda lib: 0, ()), (lambda lib: 0, (1, 4)),
    (lambda lib: (slice(None), 1), (2, 4)), (lambda lib: (Ellipsis, 0), (3,)),
    (lambda lib: (slice(None), slice(1, None), None), (1, 4)),
    (lambda lib: [0, 1], (3, 4)), (lambda lib: ([1, 0], [2, 2]), (2, 4)),
    (lambda lib: (0, slice(None), [1, 2]), (3, 2)), (lambda lib: (0, slice(None), [1, 2]), (2,)),
    (lambda lib: (slice(None), [[0], [2]], [1, 3]), (2, 2, 2)),
    (lambda lib: T(lib, [[True, False, True], [False, False, True]]), ()),
    (lambda lib: T(lib, [[True, False, True], [False, False, True]]), (3, 4)),
    (lambda lib: T(lib, [[True, False, True], [False, False, True]]), (4,)),
    (lambda lib: (Ellipsis, T(lib, [True, False, False, True])), (2, 3, 2)),
    (lambda lib: True, (2, 3, 4)), (lambda lib: (T(lib, 1), 2), (4,)),
    (lambda lib: slice(None, None, 2), (1, 1, 1)),
]


@pytest.mark.parametrize("case", range(len(SETITEM_CASES)))
def test_setitem_tensor_value(case):
    idx, vshape = SETITEM_CASES[case]

    def f(lib, x, w):
        y = x * 1
        y[idx(lib)] = w
        return y
    check(f, x234(), randn(*vshape))

    def g(lib, x, w):  # value from a graph, then reused
        y = x.clone()
        y[idx(lib)] = w * 2
        return y * y
    check(g, x234(), randn(*vshape))


@pytest.mark.parametrize("case", range(len(SETITEM_CASES)))
def test_setitem_scalar_and_nograd(case):
    idx, _ = SETITEM_CASES[case]

    def f(lib, x):
        y = x * 1
        y[idx(lib)] = 2.5
        return y
    check(f, x234())

    def g(lib, x):
        x[idx(lib)] = -7
        return x
    check(g, np.arange(24).reshape(2, 3, 4))


def test_setitem_duplicate_indices_last_wins():
    def f(lib, x, w):
        y = x * 1
        y[[0, 1, 2]] = w
        return y
    check(f, randn(3, 2), randn(3, 2))
    check(lambda lib, x: x.index_put_((lib.tensor([0, 0, 2]),), lib.tensor([1, 2, 3]),
                                      accumulate=True), np.arange(4))


def test_setitem_dtype_cast_and_wrap():
    def f(lib, x, w):
        x[0] = w
        return x
    check(f, np.zeros((2, 3), np.int64), randn(3) * 4)
    check(f, np.zeros((2, 3), np.float32), np.arange(3), grad=False)
    check(f, np.zeros((2, 3), np.float64), randn(3), requires_grad=[False, True])
    check(f, np.zeros((2, 3), np.float16), randn(3), requires_grad=[False, True])

    def g(lib, x):
        x[1] = 100
        x[0, 1] = 3.7
        x[0, 2] = -128
        x[x > 50] = True
        return x
    check(g, np.zeros((2, 3), np.int8))

    def h(lib, x):
        x[0] = -1
        x[1, 1] = -255
        return x
    check(h, np.zeros((2, 3), np.uint8))

    def bad(v):
        def f(lib, x):
            x[0] = v
        return f
    check_raises(bad(200), np.zeros((2, 3), np.int8))
    check_raises(bad(-256), np.zeros((2, 3), np.uint8))
    check_raises(bad(1e300), np.zeros((2, 3), np.float32))
    check(lambda lib, x: x.__setitem__(0, float("inf")) or x, np.zeros((2, 3), np.float32),
          grad=False)


def test_setitem_value_types():
    def f(lib, x):
        x[0] = np.float64(1.5)
        x[1, :2] = lib.tensor([4.0, 5.0], dtype=lib.float64)
        x[1, 2] = lib.tensor(7)
        return x
    check(f, np.zeros((2, 3), np.float32), grad=False)

    def bad(v):
        def g(lib, x):
            x[0] = v
        return g
    check_raises(bad([1.0, 2.0, 3.0]), np.zeros((2, 3), np.float32))
    check_raises(bad(np.ones(3, np.float32)), np.zeros((2, 3), np.float32))
    check_raises(bad((1.0, 2.0, 3.0)), np.zeros((2, 3), np.float32))


def test_setitem_mask_from_self():
    def f(lib, x):
        y = x * 1
        y[y > 0] = 0.0
        return y
    check(f, randn(3, 4))

    def g(lib, x, w):
        y = x * 1
        y[y < 0] = w
        return y
    check(g, randn(4), randn())


def test_setitem_errors():
    def put(idx, v):
        def f(lib, x):
            x[idx(lib)] = v(lib) if callable(v) else v
        return f
    check_raises(put(lambda lib: 0, lambda lib: lib.ones(2, 4)), randn(2, 3, 4))
    check_raises(put(lambda lib: [0, 1], lambda lib: lib.ones(3)), randn(2, 3, 4))
    check_raises(put(lambda lib: 5, 1.0), randn(2, 3, 4))
    check_raises(put(lambda lib: slice(None, None, -1), 1.0), randn(2, 3, 4))
    check_raises(put(lambda lib: (0, 0, 0, 0), 1.0), randn(2, 3, 4))
    check_raises(put(lambda lib: lib.tensor([0.0]), 1.0), randn(2, 3, 4))

    for lib in LIBS:  # leaf requiring grad
        x = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError):
            x[0] = 2.0
        with pytest.raises(RuntimeError):
            x[1:][0] = 2.0
        with lib.no_grad():
            x[0] = 5.0
        assert x.tolist() == [5.0, 1.0, 1.0]


def test_setitem_version_and_views():
    out = []
    for lib in LIBS:
        a = lib.zeros(3, 4)
        v = a[1]
        v0 = a._version
        v[2] = 5.0
        a[0, ::2] = 1.0
        a[a > 4] = 2.0
        t = a.t()
        t[3] = 9.0
        a[[2, 2], [0, 1]] = lib.tensor([3.0, 4.0])
        out.append((a.tolist(), v.tolist(), a._version - v0, v._version == a._version))
    assert out[0] == out[1]


def test_setitem_through_view_grad():
    def f(lib, x, w):
        y = x * 1
        v = y[1:]
        v[0, [0, 2]] = w
        return y
    check(f, randn(3, 4), randn(2))

    def g(lib, x, w):
        y = x * 1
        v = y.t()
        v[1] = w
        v[0] *= 3
        return y * 1, v.sum(0)
    check(g, randn(3, 4), randn(3))

    def h(lib, x, w):
        y = x.clone()
        y[0] = w
        return y
    check(h, randn(3, 4), randn(4))


def test_inplace_on_slice_of_view():
    def f(lib, x):
        y = x * 1
        v = y[1:]
        v.mul_(2)
        return y
    check(f, randn(3, 4))

    def g(lib, x, w):
        y = x * 1
        y[:, 1:3].add_(w)
        y[0].mul_(y[1].detach().clone())
        return y
    check(g, randn(3, 4), randn(2))


# ------------------------------------------------------------------ index_put
@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(accumulate):
    idx = np.array([0, 2, 0])
    check(lambda lib, x, i, v: x.index_put((i,), v, accumulate=accumulate), randn(3, 4), idx,
          randn(3, 4), requires_grad=[True, False, True] if accumulate else [True, False, False])
    check(lambda lib, x, i, v: lib.index_put(x, (i, i), v, accumulate), randn(3, 4), idx,
          randn(3), requires_grad=[True, False, True] if accumulate else [True, False, False])
    check(lambda lib, x, i, v: (x * 1).index_put_([i], v, accumulate=accumulate), randn(3, 4),
          idx, randn(), requires_grad=[True, False, True] if accumulate else None)
    check(lambda lib, x, m, v: x.index_put((m,), v, accumulate), randn(3, 4),
          np.array([[True, False, True, False]] * 3), randn())
    check(lambda lib, x, i, v: x.index_put_((i,), v, accumulate), np.zeros(5, np.int64),
          np.array([1, 1, 3]), np.array([1, 2, 3]))


def test_index_put_errors():
    check_raises(lambda lib, x, i, v: x.index_put_((i,), v), randn(3, 4), np.array([0]),
                 randn(4).astype(np.float64))
    check_raises(lambda lib, x, i, v: x.index_put_((i,), v), randn(3, 4), np.array([5]),
                 randn(4))
    check_raises(lambda lib, x, i, v: x.index_put_((None, i), v), randn(3, 4), np.array([0]),
                 randn(3))


# ------------------------------------------------------------------ random index combinations
from hypothesis import given, settings, strategies as st  # noqa: E402


@st.composite
def _index(draw):
    shape = (2, 3, 4)
    n = draw(st.integers(1, 4))
    parts = []
    dim = 0
    used_ell = False
    for _ in range(n):
        kind = draw(st.sampled_from(["int", "slice", "none", "ell", "list", "mask", "t0"]))
        size = shape[dim] if dim < 3 else None
        if kind in ("int", "slice", "list", "mask", "t0") and size is None:
            kind = "none"
        if kind == "ell" and used_ell:
            kind = "none"
        if kind == "int":
            parts.append(("int", draw(st.integers(-size, size - 1))))
            dim += 1
        elif kind == "t0":
            parts.append(("t0", draw(st.integers(-size, size - 1))))
            dim += 1
        elif kind == "slice":
            a = draw(st.one_of(st.none(), st.integers(-5, 5)))
            b = draw(st.one_of(st.none(), st.integers(-5, 5)))
            c = draw(st.one_of(st.none(), st.integers(1, 3)))
            parts.append(("slice", slice(a, b, c)))
            dim += 1
        elif kind == "none":
            parts.append(("none", None))
        elif kind == "ell":
            parts.append(("ell", Ellipsis))
            used_ell = True
            dim = 3 - sum(1 for k, _ in parts if k in ("int", "slice", "list", "mask", "t0"))
            dim = max(dim, 0) + sum(1 for k, _ in parts[:-1] if k in ("int", "slice", "list", "mask", "t0"))
        elif kind == "list":
            parts.append(("list", draw(st.lists(st.integers(-size, size - 1), min_size=1,
                                                max_size=3))))
            dim += 1
        else:
            parts.append(("mask", draw(st.lists(st.booleans(), min_size=size, max_size=size))))
            dim += 1
    return parts


def _build(lib, parts):
    out = []
    for k, v in parts:
        if k == "t0":
            out.append(lib.tensor(v))
        elif k == "mask":
            out.append(lib.tensor(v))
        else:
            out.append(v)
    return tuple(out)


@settings(max_examples=150, deadline=None)
@given(_index())
def test_getitem_random_combinations(parts):
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    try:
        torch.zeros(2, 3, 4)[_build(torch, parts)]
    except Exception:
        check_raises(lambda lib, x: x[_build(lib, parts)], a)
        return
    check(lambda lib, x: x[_build(lib, parts)], a)

    def setit(lib, x, w):
        y = x * 1
        y[_build(lib, parts)] = w
        return y
    check(setit, a, np.asarray(randn()))


def test_setitem_value_aliases_self():
    def f(lib, x):
        y = x * 1
        y[1:] = y[:-1]
        return y
    check_raises(f, randn(4, 3))

    def f2(lib, x):
        y = x * 1
        y[1:] = y[:-1].clone()
        y[0] = y[0]
        y[:, 1] = y[:, 0]
        return y
    check(f2, randn(4, 3))

    def g(lib, x):
        y = x * 1
        m = y > 0
        y[m] = y[m] * 2
        y[:, 0] += y[:, 1]
        return y
    check(g, randn(4, 3))
