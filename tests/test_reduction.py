"""Reductions vs torch: values, shapes, dtypes, gradients, errors."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import suanzi
from suanzi.ops import linalg as _L
from helpers import check, check_raises, randn

F64 = np.float64


def T(lib, a):
    """A transposed (non-contiguous) view of the last two dims."""
    return a.mT if lib is torch else _L._mT(a)


def fd_check(fn, x, eps=1e-6, rtol=1e-5, atol=1e-7):
    """float64 finite-difference check of d sum(fn(x) * w) / dx."""
    rng = np.random.default_rng(1)
    xs = suanzi.from_numpy(x.copy()).requires_grad_()
    out = fn(xs)
    w = rng.standard_normal(out.shape)
    (out * suanzi.from_numpy(w)).sum().backward()
    g = xs.grad._data
    num = np.zeros_like(x)
    flat = x.reshape(-1)
    for i in range(flat.size):
        xp, xm = flat.copy(), flat.copy()
        xp[i] += eps
        xm[i] -= eps
        fp = (fn(suanzi.from_numpy(xp.reshape(x.shape)))._data * w).sum()
        fm = (fn(suanzi.from_numpy(xm.reshape(x.shape)))._data * w).sum()
        num.reshape(-1)[i] = (fp - fm) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=rtol, atol=atol)


SHAPES_DIMS = [((), None), ((), 0), ((), -1), ((5,), 0), ((3, 4), None), ((3, 4), 1), ((3, 4), -2),
               ((2, 3, 4), (0, 2)), ((2, 3, 4), [1]), ((2, 3, 4), ()), ((0, 3), 1), ((0, 3), 0),
               ((2, 0, 3), (1,))]


# ------------------------------------------------------------------ sum / mean
@pytest.mark.parametrize("shape,dim", SHAPES_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_mean(shape, dim, keepdim):
    x = randn(*shape)
    if dim is None:
        check(lambda lib, a: (a.sum(), lib.sum(a), a.mean(), lib.mean(a)), x)
        check(lambda lib, a: lib.sum(a, dim=None, keepdim=keepdim), x)
    else:
        check(lambda lib, a: (a.sum(dim, keepdim), lib.mean(a, dim, keepdim=keepdim)), x)


@pytest.mark.parametrize("dt", [np.int32, np.int64, np.uint8, np.bool_, np.int8])
def test_sum_int_bool_gives_int64(dt):
    x = (randn(3, 4) * 4).astype(dt)
    check(lambda lib, a: (a.sum(), a.sum(1), a.sum(0, keepdim=True), lib.nansum(a),
                          a.prod(1), a.cumsum(0), a.cumprod(1)), x)


def test_sum_dtype_kw():
    check(lambda lib, a: (a.sum(dtype=lib.float64), a.sum(1, dtype=lib.float32),
                          a.mean(dtype=lib.float64), a.cumsum(1, dtype=lib.float64)),
          np.arange(12).reshape(3, 4))
    check(lambda lib, a: a.sum(0, dtype=lib.float64), randn(3, 4))


def test_sum_non_contiguous():
    check(lambda lib, a: (T(lib, a).sum(0), T(lib, a).mean(1, True), T(lib, a).prod(0)),
          randn(3, 4, 5))


def test_mean_int_raises():
    check_raises(lambda lib, a: a.mean(), np.arange(3))
    check_raises(lambda lib, a: lib.mean(a, 0), np.array([True, False]))
    check_raises(lambda lib, a: lib.nanmean(a), np.arange(3))


def test_mean_float16():
    check(lambda lib, a: (a.mean(), a.sum(0), a.mean(1)), randn(4, 50, dtype=np.float16),
          rtol=1e-3, atol=1e-3, grad=False)


def test_empty_sum_mean():
    check(lambda lib, a: (a.sum(), a.mean(), a.sum(0), a.mean(0), a.prod(0)), randn(0, 3))


def test_sum_dim_errors():
    check_raises(lambda lib, a: a.sum(2), randn(3, 4))
    check_raises(lambda lib, a: a.sum((0, 0)), randn(3, 4))
    check_raises(lambda lib, a: a.sum((0, -2)), randn(3, 4))
    check_raises(lambda lib, a: a.mean(1), randn())
    check_raises(lambda lib, a: a.sum(1.5), randn(3))


def test_sum_double_backward():
    check(lambda lib, a: lib.autograd.grad((a * a).sum(1).sum(), a, create_graph=True)[0] * a,
          randn(3, 4, dtype=F64))


def test_nansum_nanmean():
    x = randn(3, 4)
    x[0, 1] = np.nan
    x[2, :] = np.nan
    check(lambda lib, a: (lib.nansum(a), lib.nansum(a, 1), lib.nanmean(a, 0),
                          lib.nanmean(a, 1, keepdim=True)), x)


# ------------------------------------------------------------------ prod
@pytest.mark.parametrize("zeros", [[], [(0, 1)], [(0, 1), (0, 3)], [(0, 1), (1, 2)],
                                   [(0, 0), (1, 1), (2, 2)]])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_prod_with_zeros(zeros, dim):
    x = randn(3, 4, dtype=F64)
    for z in zeros:
        x[z] = 0
    if dim is None:
        check(lambda lib, a: a.prod(), x)
    else:
        check(lambda lib, a: (a.prod(dim), lib.prod(a, dim, keepdim=True)), x)


def test_prod_fd_and_double_backward():
    x = randn(3, 4, dtype=F64)
    fd_check(lambda a: a.prod(1), x)
    x[1, 2] = 0
    fd_check(lambda a: a.prod(1), x)
    fd_check(lambda a: a.prod(), x)
    check(lambda lib, a: lib.autograd.grad(a.prod(1).sum(), a, create_graph=True)[0],
          randn(3, 4, dtype=F64))


def test_prod_tuple_dim_typeerror():
    check_raises(lambda lib, a: a.prod((0, 1)), randn(3, 4))


# ------------------------------------------------------------------ var / std
@pytest.mark.parametrize("fn", ["var", "std"])
@pytest.mark.parametrize("args,kw", [((), {}), ((1,), {}), ((1, False), {}), ((0, True, True), {}),
                                     ((), {"dim": (0, 1), "correction": 0}),
                                     ((), {"dim": 1, "correction": 2, "keepdim": True}),
                                     ((False,), {}), ((), {"unbiased": False}),
                                     ((-1,), {"keepdim": True})])
def test_var_std(fn, args, kw):
    check(lambda lib, a: getattr(a, fn)(*args, **kw), randn(3, 5))
    check(lambda lib, a: getattr(lib, fn)(a, *args, **kw), randn(3, 5, dtype=F64))


@pytest.mark.parametrize("fn", ["var_mean", "std_mean"])
def test_var_mean(fn):
    check(lambda lib, a: getattr(lib, fn)(a), randn(3, 5))
    check(lambda lib, a: getattr(lib, fn)(a, 1, keepdim=True), randn(3, 5))
    check(lambda lib, a: getattr(lib, fn)(a, dim=0, correction=0), randn(3, 5))


def test_var_degenerate():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, a: (a.var(), a.std(0)), randn(1), grad=False)
        check(lambda lib, a: (a.var(correction=3), a.var(1, correction=4)), randn(2, 3),
              grad=False)
        check(lambda lib, a: a.var(0), randn(0, 3), grad=False)
        check(lambda lib, a: (a.var(0, correction=3), a.std(0, correction=3), a.std(0, correction=2),
                              a.var()), randn(2, 3))
        check(lambda lib, a: (a.std(), a.std(1), a.var(1)), np.ones((2, 3), np.float32))
    with pytest.warns(UserWarning):
        suanzi.ones(1).var()


def test_var_fd():
    fd_check(lambda a: a.var(1), randn(3, 4, dtype=F64))
    fd_check(lambda a: a.std(0, correction=0), randn(3, 4, dtype=F64))
    check(lambda lib, a: lib.autograd.grad(a.var(1).sum(), a, create_graph=True)[0],
          randn(3, 4, dtype=F64))


def test_var_int_raises():
    check_raises(lambda lib, a: a.var(), np.arange(4))
    check_raises(lambda lib, a: lib.std(a, 0), np.arange(4))


def test_lesson_snippets():
    a = [[0.2035, 1.2959, 1.8101, -0.4644], [1.5027, -0.3270, 0.5905, 0.6538],
         [-1.5745, 1.3330, -0.5596, -0.6548], [0.1264, -0.5080, 1.6420, 0.1992]]
    check(lambda lib, x: (lib.mean(x, 1), lib.mean(x, 1, True), lib.sum(x, 1), lib.max(x, 1),
                          lib.min(x, 1)), randn(4, 4))
    check(lambda lib: lib.var(lib.tensor(a), dim=1, keepdim=True))
    check(lambda lib: lib.sum(lib.arange(4 * 5 * 6).view(4, 5, 6), (2, 1)))


# ------------------------------------------------------------------ max / min
TIES = np.array([[1., 3., 3., 0.], [2., 2., 2., 2.], [5., -1., 5., 4.]], dtype=np.float32)
NANS = np.array([[1., np.nan, 3., np.nan], [2., 0., 2., 1.], [np.nan, 1., 0., 1.]],
                dtype=np.float32)


@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("x", [TIES, NANS, randn(3, 4)], ids=["ties", "nan", "rand"])
def test_max_min(fn, x):
    check(lambda lib, a: getattr(lib, fn)(a), x)
    for d in (0, 1, -1):
        check(lambda lib, a: getattr(lib, fn)(a, d), x)
        check(lambda lib, a: getattr(a, fn)(dim=d, keepdim=True), x)


@pytest.mark.parametrize("fn", ["argmax", "argmin"])
@pytest.mark.parametrize("x", [TIES, NANS, randn(3, 4)], ids=["ties", "nan", "rand"])
def test_argmax(fn, x):
    check(lambda lib, a: (getattr(lib, fn)(a), getattr(a, fn)(keepdim=True),
                          getattr(a, fn)(0), getattr(a, fn)(1, True), getattr(a, fn)(-1)), x)


@pytest.mark.parametrize("fn", ["amax", "amin"])
@pytest.mark.parametrize("x", [TIES, randn(3, 4)], ids=["ties", "rand"])
def test_amax(fn, x):
    x3 = np.stack([x, x[::-1]])
    check(lambda lib, a: (getattr(lib, fn)(a), getattr(a, fn)(0), getattr(a, fn)((0, 2), True),
                          getattr(a, fn)([-1])), x3)


def test_amax_nan():
    check(lambda lib, a: (a.amax(1), a.amin(0)), NANS)


def test_max_named_tuple():
    x = suanzi.from_numpy(TIES)
    r = suanzi.max(x, 1)
    assert isinstance(r, suanzi.return_types.max) and isinstance(r, tuple)
    v, i = r
    assert v is r.values and i is r.indices and r[0] is v
    assert i.dtype == suanzi.int64
    tr = torch.max(torch.from_numpy(TIES), 1)
    assert repr(r) == repr(tr)
    assert repr(suanzi.sort(x, 1)) == repr(torch.sort(torch.from_numpy(TIES), dim=1, stable=True))
    assert repr(suanzi.aminmax(x)) == repr(torch.aminmax(torch.from_numpy(TIES)))
    import suanzi.return_types as rt
    assert rt.min is type(suanzi.min(x, 0))


@pytest.mark.parametrize("dt", [np.int64, np.int32, np.bool_, np.uint8])
def test_max_int_dtypes(dt):
    x = (randn(3, 4) * 3).astype(dt)
    check(lambda lib, a: (a.max(), a.min(1), lib.max(a, 0, True), a.amax(1), lib.aminmax(a),
                          a.sort(1), a.cummax(0), a.prod(0), a.logsumexp(1)), x)
    if dt is np.bool_:
        for f in (lambda lib, a: a.argmax(), lambda lib, a: a.argmin(0),
                  lambda lib, a: a.median(), lambda lib, a: a.topk(1),
                  lambda lib, a: a.kthvalue(1)):
            check_raises(f, x)
    else:
        check(lambda lib, a: (a.argmax(), a.argmin(1)), x)
        perm = np.random.default_rng(3).permutation(12).reshape(3, 4).astype(dt)
        check(lambda lib, a: (a.median(1), a.topk(2), a.kthvalue(2)), perm)


def test_max_0d_and_empty():
    check(lambda lib, a: (a.max(), a.max(0), a.min(-1, True), a.argmax(0), a.amax(0),
                          a.argmax()), randn())
    check(lambda lib, a: (a.max(0), a.amax(0), a.argmax(0)), randn(3, 0))
    check_raises(lambda lib, a: a.max(1), randn(3, 0))
    check_raises(lambda lib, a: a.max(), randn(3, 0))
    check_raises(lambda lib, a: a.min(), randn(0))
    check_raises(lambda lib, a: a.amax(), randn(0, 2))
    check_raises(lambda lib, a: a.amax(0), randn(0, 2))
    check_raises(lambda lib, a: a.argmax(), randn(0, 2))
    check_raises(lambda lib, a: a.argmin(0), randn(0, 2))
    check_raises(lambda lib, a: lib.aminmax(a), randn(0))
    check_raises(lambda lib, a: a.max(2), randn(3, 4))


def test_aminmax():
    check(lambda lib, a: (lib.aminmax(a), lib.aminmax(a, dim=1), lib.aminmax(a, dim=0,
                                                                            keepdim=True)),
          TIES, grad=False)
    check(lambda lib, a: lib.aminmax(a, dim=1), randn(3, 4))


def test_max_binary():
    check(lambda lib, a, b: (lib.max(a, b), lib.min(a, b)), randn(3, 4), randn(4))


def test_max_double_backward():
    check(lambda lib, a: lib.autograd.grad((a.max(1).values ** 2).sum(), a,
                                           create_graph=True)[0] * a, randn(3, 4, dtype=F64))


# ------------------------------------------------------------------ logsumexp
@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), ((0, 1), False), (-1, False)])
def test_logsumexp(dim, keepdim):
    check(lambda lib, a: lib.logsumexp(a, dim, keepdim), randn(3, 4))
    big = randn(3, 4) * 100 + 1000
    check(lambda lib, a: a.logsumexp(dim, keepdim), big, rtol=1e-5)
    x = randn(3, 4)
    x[0, :] = -np.inf
    x[1, 1] = np.inf
    check(lambda lib, a: lib.logsumexp(a, dim, keepdim), x, grad=False)


def test_logsumexp_int_and_fd():
    check(lambda lib, a: lib.logsumexp(a, 0), np.arange(6).reshape(2, 3))
    fd_check(lambda a: a.logsumexp(1), randn(3, 4, dtype=F64))


# ------------------------------------------------------------------ norm
@pytest.mark.parametrize("p", [2, "fro", 1, 3, 0.5, 1.5, float("inf"), -float("inf"), 0])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), (0, True), ((0, 1), False)])
def test_norm(p, dim, keepdim):
    if p == "fro" and dim is not None and not isinstance(dim, tuple):
        dim = (dim,)
    check(lambda lib, a: lib.norm(a, p, dim, keepdim), randn(3, 4, dtype=F64))
    check(lambda lib, a: a.norm(p=p, dim=dim, keepdim=keepdim), randn(3, 4))


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, float("inf")])
def test_norm_zeros(p):
    x = randn(3, 4, dtype=F64)
    x[0] = 0
    x[1, 2] = 0
    check(lambda lib, a: lib.norm(a, p, 1), x)
    check(lambda lib, a: lib.norm(a, p), np.zeros((2, 2)))


def test_norm_default_and_errors():
    check(lambda lib, a: (a.norm(), lib.norm(a), a.norm(dim=1)), randn(3, 4))
    check_raises(lambda lib, a: a.norm(), np.arange(3))
    fd_check(lambda a: a.norm(3, 1), randn(3, 4, dtype=F64))
    fd_check(lambda a: a.norm(), randn(3, 4, dtype=F64))
    check(lambda lib, a: lib.autograd.grad(a.norm(dim=1).sum(), a, create_graph=True)[0],
          randn(3, 4, dtype=F64))


# ------------------------------------------------------------------ all / any / count_nonzero
@pytest.mark.parametrize("dt", [np.bool_, np.float32, np.int64, np.uint8])
def test_all_any(dt):
    x = (np.arange(12).reshape(3, 4) % 3).astype(dt)
    check(lambda lib, a: (a.all(), a.any(), lib.all(a, 1), lib.any(a, 0, True), a.all(dim=(0, 1)),
                          lib.count_nonzero(a), lib.count_nonzero(a, 1),
                          lib.count_nonzero(a, (0, 1))), x, grad=False)


def test_all_any_empty():
    check(lambda lib, a: (a.all(), a.any(), a.all(0), a.any(1)), np.zeros((0, 3), bool))


# ------------------------------------------------------------------ cumulative
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_cumprod(dim):
    check(lambda lib, a: (a.cumsum(dim), lib.cumprod(a, dim)), randn(3, 4))
    check(lambda lib, a: (a.cumsum(0), a.cumprod(0)), randn())
    check(lambda lib, a: (a.cumsum(dim), a.cumprod(dim)), randn(0, 3))


@pytest.mark.parametrize("zeros", [[(0, 1)], [(0, 1), (0, 3)], [(1, 0), (2, 3)], [(0, 0)],
                                   [(0, 3)]])
def test_cumprod_with_zeros(zeros):
    x = randn(3, 5, dtype=F64)
    for z in zeros:
        x[z] = 0
    check(lambda lib, a: (a.cumprod(1), a.cumprod(0)), x)
    fd_check(lambda a: a.cumprod(1), x)


def test_cum_double_backward():
    check(lambda lib, a: lib.autograd.grad((a.cumprod(1) ** 2).sum(), a, create_graph=True)[0],
          randn(3, 4, dtype=F64))
    check(lambda lib, a: lib.autograd.grad((a.cumsum(0) * a).sum(), a, create_graph=True)[0],
          randn(3, 4, dtype=F64))


@pytest.mark.parametrize("fn", ["cummax", "cummin"])
def test_cummax(fn):
    x = np.array([[1., 1., 3., 3., 2., np.nan, 5.], [0., -1., -1., 4., 4., 0., -2.]], np.float32)
    check(lambda lib, a: (getattr(lib, fn)(a, 1), getattr(a, fn)(0)), x)
    check(lambda lib, a: getattr(lib, fn)(a, -1), randn(3, 6))
    check(lambda lib, a: getattr(lib, fn)(a, 0), np.array([3, 1, 3, 2, 5]))


def test_cum_errors():
    check_raises(lambda lib, a: a.cumsum(2), randn(3, 4))
    check_raises(lambda lib, a: a.cumsum(), randn(3, 4))


# ------------------------------------------------------------------ sort & co
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_sort_stable(descending, dim):
    x = np.array([[3., 1., 3., 2., 1.], [0., 0., np.nan, 0., -1.], [2., 2., 2., 2., 2.]],
                 np.float32)
    check(lambda lib, a: (lib.sort(a, dim=dim, descending=descending, stable=True),
                          lib.argsort(a, dim=dim, descending=descending, stable=True)), x)
    check(lambda lib, a: a.sort(dim=dim, descending=descending), randn(3, 5))


def test_sort_int_and_0d():
    check(lambda lib, a: (a.sort(), a.sort(0, True), a.argsort(1)),
          np.array([[3, 1, 2, 1], [0, 5, 5, 1]]))
    check(lambda lib, a: (a.sort(), a.argsort(), a.topk(1), a.kthvalue(1)), randn())
    check(lambda lib, a: lib.msort(a), randn(3, 4))


@pytest.mark.parametrize("k", [0, 1, 3, 5])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(k, largest):
    check(lambda lib, a: lib.topk(a, k, 1, largest), randn(3, 5))
    check(lambda lib, a: a.topk(min(k, 3), dim=0, largest=largest), randn(3, 5))


@pytest.mark.parametrize("k", [1, 2, 5])
def test_kthvalue(k):
    check(lambda lib, a: (lib.kthvalue(a, k), a.kthvalue(k, 1, True)), randn(3, 5))


def test_topk_kthvalue_errors():
    check_raises(lambda lib, a: a.topk(6), randn(3, 5))
    check_raises(lambda lib, a: a.kthvalue(0), randn(3, 5))
    check_raises(lambda lib, a: a.kthvalue(6), randn(3, 5))


def test_median():
    check(lambda lib, a: (a.median(), lib.median(a, 1), a.median(0, True)), randn(4, 5))
    check(lambda lib, a: (a.median(), a.median(0)), np.array([3., 1, 1, 3, 2, 2], np.float32))
    check(lambda lib, a: (a.median(), a.median(1)), NANS)
    check(lambda lib, a: (lib.nanmedian(a), lib.nanmedian(a, 1)), NANS, grad=False)
    check(lambda lib, a: (lib.nanmedian(a), lib.nanmedian(a, 1)), np.array([[1., np.nan, 3, 2], [np.nan, 0, 0, np.nan]]))
    check(lambda lib, a: a.median(1), np.array([[3, 1, 2], [4, 4, 0]]))
    check(lambda lib, a: a.median(), randn(0))


def test_mode():
    check(lambda lib, a: (lib.mode(a), a.mode(0)), np.array([[3, 1, 1, 3, 2, 2], [0, 5, 5, 1, 5, 0]]))
    check(lambda lib, a: a.mode(1, True), np.array([[3., 1, 1, 3, 2, 2], [0, 5, 5, 1, 5, 0]],
                                                  np.float32))


# ------------------------------------------------------------------ hypothesis sweep
@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       data=st.data())
def test_reductions_hypothesis(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    keepdim = data.draw(st.booleans())
    x = randn(*shape, dtype=F64)
    check(lambda lib, a: (a.sum(dim, keepdim), a.mean(dim, keepdim), a.max(dim, keepdim),
                          a.amin(dim, keepdim), a.logsumexp(dim, keepdim),
                          a.norm(dim=dim, keepdim=keepdim), a.prod(dim, keepdim),
                          a.cumsum(dim), a.argmin(dim, keepdim)), x)


MISC = [
    ("non_contiguous", lambda lib, a: (T(lib, a).max(0), T(lib, a).argmax(1), T(lib, a).amax(1),
                                       T(lib, a).cumsum(0), T(lib, a).sort(0), T(lib, a).norm(dim=0),
                                       T(lib, a).var(0), T(lib, a).logsumexp(0)), randn(3, 4)),
    ("sort_empty", lambda lib, a: (a.sort(0), a.sort(1), a.argsort(0), a.topk(0, 0)), randn(0, 3)),
    ("std_double_backward", lambda lib, a: lib.autograd.grad(a.std(1).sum(), a,
                                                             create_graph=True)[0],
     randn(3, 4, dtype=F64)),
    ("norm_dtype", lambda lib, a: a.norm(dtype=lib.float64), randn(3, 4)),
    ("norm_list_dim", lambda lib, a: lib.norm(a, p=2, dim=[0, 1], keepdim=True), randn(3, 4)),
    ("zero_dim", lambda lib, a: (a.mean(0), a.mean(-1, True), a.var(0, correction=0), a.std(),
                                 a.logsumexp(0), a.norm(dim=0), a.prod(0), a.all(0), a.amax(0),
                                 a.nansum(0)), randn()),
    ("cumsum_int32", lambda lib, a: (a.cumsum(0), a.cumsum(0, dtype=lib.int32)),
     np.arange(5, dtype=np.int32)),
    ("sum_none_keepdim", lambda lib, a: a.sum(None, True), randn(2, 3)),
    ("logsumexp_all_neginf", lambda lib, a: a.logsumexp(1), np.full((2, 3), -np.inf, np.float32)),
    ("prod_dtype", lambda lib, a: a.prod(dtype=lib.float64), randn(3, 4)),
    ("mode_float", lambda lib, a: a.mode(0), np.array([[1., 2], [1, 3], [2, 3]], np.float32)),
    ("median_even", lambda lib, a: a.median(1), np.array([[1., 2, 3, 4], [4, 3, 3, 1]])),
    ("count_nonzero_neg_dim", lambda lib, a: lib.count_nonzero(a, -1), np.array([[0, 1], [2, 3]])),
]


@pytest.mark.parametrize("name,fn,x", MISC, ids=[m[0] for m in MISC])
def test_misc(name, fn, x):
    check(fn, x)


def test_half_precision_reductions():
    check(lambda lib, a: (a.var(1), a.std(), a.norm(), a.sum(1), a.mean(), a.logsumexp(1),
                          a.max(1), a.amax(0), a.prod(1), a.cumsum(1)),
          randn(3, 40, dtype=np.float16, low=0.9, high=1.1), rtol=2e-3, atol=2e-3, grad=False)
