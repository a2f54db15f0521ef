"""Matrix products vs torch: values, shapes, dtypes, gradients, errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import suanzi
from suanzi.ops import linalg as _L
from helpers import check, check_raises, randn

F64 = np.float64
R = dict(rtol=1e-4, atol=1e-5)


def T(lib, a):
    """A transposed (non-contiguous) view of the last two dims."""
    return a.mT if lib is torch else _L._mT(a)


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 1, 4, 3), (5, 3, 6)),
    ((5, 2, 3), (3,)), ((3,), (5, 3, 2)), ((4, 2, 3), (3, 5)), ((2, 3), (4, 3, 5)),
    ((2, 4, 2, 3), (4, 3, 2)), ((1, 2, 3), (4, 3, 2)), ((2, 0), (0, 3)), ((0, 3), (3, 2)),
    ((2, 3), (3, 0)), ((0,), (0,)), ((3, 2, 0), (0, 4)), ((1, 3), (3, 1)), ((1,), (1, 4)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_shapes(sa, sb):
    check(lambda lib, a, b: (lib.matmul(a, b), a @ b, a.matmul(b)), randn(*sa), randn(*sb), **R)
    check(lambda lib, a, b: a @ b, randn(*sa, dtype=F64), randn(*sb, dtype=F64))


def test_matmul_non_contiguous():
    check(lambda lib, a, b: T(lib, a) @ b, randn(2, 3, 4), randn(3, 5), **R)
    check(lambda lib, a, b: a @ T(lib, b), randn(2, 3, 4), randn(2, 5, 4), **R)
    check(lambda lib, a, b: T(lib, a) @ T(lib, b), randn(4, 3), randn(5, 4), **R)


@pytest.mark.parametrize("dt", [np.int64, np.int32, np.int16, np.uint8])
def test_matmul_int_keeps_dtype(dt):
    a = (randn(2, 3, 4) * 3).astype(dt)
    b = (randn(4, 2) * 3).astype(dt)
    check(lambda lib, a, b: (a @ b, lib.mm(a[0], b), lib.bmm(a, a.transpose(1, 2)) if lib is torch
                             else lib.bmm(a, T(lib, a))), a, b)


def test_matmul_half():
    check(lambda lib, a, b: a @ b, randn(2, 3, 8, dtype=np.float16), randn(8, 4, dtype=np.float16),
          rtol=1e-2, atol=1e-2, grad=False)


def test_matmul_fd_and_double_backward():
    from test_reduction import fd_check

    b = randn(4, 3, 2, dtype=F64)
    fd_check(lambda a: a @ suanzi.from_numpy(b), randn(2, 1, 5, 3, dtype=F64))
    v = suanzi.from_numpy(randn(3, dtype=F64))
    fd_check(lambda a: v @ a, randn(2, 3, 4, dtype=F64))
    check(lambda lib, a, b: lib.autograd.grad((a @ b).pow(2).sum() if lib is torch else
                                              ((a @ b) * (a @ b)).sum(), a,
                                              create_graph=True)[0] * b.sum(),
          randn(2, 3, dtype=F64), randn(3, 4, dtype=F64))


def test_matmul_errors():
    check_raises(lambda lib, a, b: a @ b, randn(), randn(3))
    check_raises(lambda lib, a, b: a @ b, randn(3), randn())
    check_raises(lambda lib, a, b: a @ b, randn(3), randn(4))
    check_raises(lambda lib, a, b: a @ b, randn(2, 3), randn(4, 5))
    check_raises(lambda lib, a, b: a @ b, randn(2, 3, 4), randn(2, 5, 6))
    check_raises(lambda lib, a, b: a @ b, randn(2, 3, 4), randn(3, 4, 5))
    check_raises(lambda lib, a, b: a @ b, randn(4, 3), randn(5))
    check_raises(lambda lib, a, b: a @ b, randn(4), randn(5, 6))
    check_raises(lambda lib, a, b: a @ b, randn(2, 3), randn(3, 4, dtype=F64))
    check_raises(lambda lib, a, b: a @ b, randn(2, 3), np.ones((3, 4), np.int64))
    check_raises(lambda lib, a, b: a @ b, np.ones((2, 2), bool), np.ones((2, 2), bool))
    e, _ = check_raises(lambda lib, a, b: lib.matmul(a, b), randn(2, 3), randn(4, 5))
    assert "2x3" in str(e) and "4x5" in str(e)
    e, _ = check_raises(lambda lib, a, b: lib.matmul(a, b), randn(), randn(3))
    assert "0D and 1D" in str(e)


def test_rmatmul_imatmul():
    x = suanzi.from_numpy(randn(2, 3))
    y = suanzi.from_numpy(randn(3, 4))
    assert (x.__rmatmul__(suanzi.from_numpy(randn(5, 2)))).shape == (5, 3)
    z = x
    z @= y
    assert z.shape == (2, 4) and x.shape == (2, 3)


def test_mm_bmm_mv_dot():
    check(lambda lib, a, b: (lib.mm(a, b), a.mm(b)), randn(2, 3), randn(3, 4), **R)
    check(lambda lib, a, b: lib.mm(T(lib, a), b), randn(3, 2), randn(3, 4), **R)
    check(lambda lib, a, b: (lib.bmm(a, b), a.bmm(b)), randn(5, 2, 3), randn(5, 3, 4), **R)
    check(lambda lib, a, b: lib.bmm(a, b), randn(2, 0, 3), randn(2, 3, 4), **R)
    check(lambda lib, a, b: (lib.mv(a, b), a.mv(b)), randn(2, 3), randn(3), **R)
    check(lambda lib, a, b: (lib.dot(a, b), a.dot(b), lib.vdot(a, b), lib.inner(a, b)),
          randn(3), randn(3), **R)
    check(lambda lib, a, b: lib.dot(a, b), np.arange(3), np.arange(3))


def test_mm_bmm_errors():
    check_raises(lambda lib, a, b: lib.mm(a, b), randn(2, 3, 1), randn(3, 4))
    check_raises(lambda lib, a, b: lib.mm(a, b), randn(2, 3), randn(3))
    check_raises(lambda lib, a, b: lib.mm(a, b), randn(2, 3), randn(4, 4))
    check_raises(lambda lib, a, b: lib.mm(a, b), randn(2, 3), randn(3, 4, dtype=F64))
    check_raises(lambda lib, a, b: lib.bmm(a, b), randn(2, 3), randn(2, 3, 3))
    check_raises(lambda lib, a, b: lib.bmm(a, b), randn(2, 2, 3), randn(3, 3))
    check_raises(lambda lib, a, b: lib.bmm(a, b), randn(1, 2, 3), randn(2, 3, 3))
    check_raises(lambda lib, a, b: lib.bmm(a, b), randn(2, 2, 3), randn(2, 4, 3))
    check_raises(lambda lib, a, b: lib.bmm(a, b), randn(2, 2, 2), randn(2, 2, 2, dtype=F64))
    check_raises(lambda lib, a, b: lib.mv(a, b), randn(2, 3), randn(4))
    check_raises(lambda lib, a, b: lib.mv(a, b), randn(3), randn(3))
    check_raises(lambda lib, a, b: lib.mv(a, b), randn(2, 3), randn(3, dtype=F64))
    check_raises(lambda lib, a, b: lib.dot(a, b), randn(2, 3), randn(3))
    check_raises(lambda lib, a, b: lib.dot(a, b), randn(3), randn(3, dtype=F64))
    check_raises(lambda lib, a, b: lib.dot(a, b), randn(3), randn(4))
    e, _ = check_raises(lambda lib, a, b: lib.bmm(a, b), randn(2, 3), randn(2, 3, 3))
    assert "batch1 must be a 3D tensor" in str(e)
    e, _ = check_raises(lambda lib, a, b: lib.mm(a, b), randn(2, 3, 1), randn(3, 4))
    assert "self must be a matrix" in str(e)


def test_inner_outer_kron():
    check(lambda lib, a, b: lib.inner(a, b), randn(2, 3), randn(4, 3), **R)
    check(lambda lib, a, b: lib.inner(a, b), randn(), randn(4, 3), **R)
    check(lambda lib, a, b: (lib.outer(a, b), lib.ger(a, b), a.outer(b)), randn(3), randn(4), **R)
    check(lambda lib, a, b: lib.outer(a, b), np.arange(3), randn(4), **R)
    check(lambda lib, a, b: lib.kron(a, b), randn(2, 3), randn(4), **R)
    check(lambda lib, a, b: lib.kron(a, b), randn(2, 1, 3), randn(2, 2), **R)
    check_raises(lambda lib, a, b: lib.outer(a, b), randn(3, 2), randn(3))
    check_raises(lambda lib, a, b: lib.inner(a, b), randn(2, 3), randn(4, 2))
    check_raises(lambda lib, a, b: lib.inner(a, b), randn(3), randn(3, dtype=F64))


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1), (0, 3), (2, 0)])
def test_addmm_family(beta, alpha):
    kw = dict(beta=beta, alpha=alpha)
    check(lambda lib, c, a, b: lib.addmm(c, a, b, **kw), randn(2, 4), randn(2, 3), randn(3, 4), **R)
    check(lambda lib, c, a, b: c.addmm(a, b, **kw), randn(4), randn(2, 3), randn(3, 4), **R)
    check(lambda lib, c, a, b: lib.addmv(c, a, b, **kw), randn(2), randn(2, 3), randn(3), **R)
    check(lambda lib, c, a, b: lib.addbmm(c, a, b, **kw), randn(2, 4), randn(5, 2, 3),
          randn(5, 3, 4), **R)
    check(lambda lib, c, a, b: lib.baddbmm(c, a, b, **kw), randn(5, 2, 4), randn(5, 2, 3),
          randn(5, 3, 4), **R)
    check(lambda lib, c, a, b: lib.baddbmm(c, a, b, **kw), randn(1, 4), randn(5, 2, 3),
          randn(5, 3, 4), **R)


def test_addmm_beta0_ignores_nan():
    c = np.full((2, 4), np.nan, np.float32)
    check(lambda lib, c, a, b: lib.addmm(c, a, b, beta=0), c, randn(2, 3), randn(3, 4), **R)
    check(lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=0, alpha=2), np.full((3, 2, 4), np.inf,
                                                                            np.float32),
          randn(3, 2, 3), randn(3, 3, 4), **R)


def test_addmm_errors():
    check_raises(lambda lib, c, a, b: lib.addmm(c, a, b), randn(3, 2), randn(2, 3), randn(3, 2))
    check_raises(lambda lib, c, a, b: lib.addmm(c, a, b), randn(2, 2, dtype=F64), randn(2, 3),
                 randn(3, 2))
    check_raises(lambda lib, c, a, b: lib.addmm(c, a, b), randn(2, 2), randn(2, 3), randn(4, 2))


# ------------------------------------------------------------------ einsum
EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,i->", [(3,), (3,)]), ("i,j->ij", [(3,), (4,)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("iij->ij", [(3, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]), ("i...,i->...", [(3, 2, 2), (3,)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("ij,kl->", [(2, 3), (4, 5)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]), ("Ab,bC->AC", [(2, 3), (3, 4)]), ("ba", [(2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("...->...", [(2, 3)]),
    ("i, j -> j", [(3,), (4,)]), ("ijk,jil->kl", [(2, 3, 4), (3, 2, 5)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES)
def test_einsum(eq, shapes):
    arrs = [randn(*s, dtype=F64) for s in shapes]
    check(lambda lib, *ops: lib.einsum(eq, *ops), *arrs)
    check(lambda lib, *ops: lib.einsum(eq, list(ops)), *[a.astype(np.float32) for a in arrs], **R)


def test_einsum_double_backward():
    check(lambda lib, a, b: lib.autograd.grad((lib.einsum("ij,jk->ik", a, b) ** 2).sum()
                                              if lib is torch else
                                              (lib.einsum("ij,jk->ik", a, b)
                                               * lib.einsum("ij,jk->ik", a, b)).sum(),
                                              a, create_graph=True)[0].sum() * b,
          randn(2, 3, dtype=F64), randn(3, 4, dtype=F64))


def test_einsum_errors():
    check_raises(lambda lib, a: lib.einsum("i,i", a), randn(3))
    check_raises(lambda lib, a, b: lib.einsum("i", a, b), randn(3), randn(3))
    check_raises(lambda lib, a, b: lib.einsum("ij,j", a, b), randn(3), randn(3))
    check_raises(lambda lib, a, b: lib.einsum("ij,jk", a, b), randn(3, 2), randn(3, 3))
    check_raises(lambda lib, a, b: lib.einsum("i,i", a, b), randn(3), randn(3, dtype=F64))
    check_raises(lambda lib, a: lib.einsum("ij->ii", a), randn(3, 3))
    check_raises(lambda lib, a: lib.einsum("ij->k", a), randn(3, 3))


def test_tensordot():
    check(lambda lib, a, b: lib.tensordot(a, b), randn(2, 3, 4), randn(3, 4, 5), **R)
    check(lambda lib, a, b: lib.tensordot(a, b, 1), randn(2, 3, 4), randn(4, 5), **R)
    check(lambda lib, a, b: lib.tensordot(a, b, 0), randn(2, 3), randn(4), **R)
    check(lambda lib, a, b: lib.tensordot(a, b, ([0, 2], [1, 0])), randn(2, 3, 4), randn(4, 2, 5),
          **R)
    check(lambda lib, a, b: lib.tensordot(a, b, dims=([1], [0])), randn(2, 3), randn(3, 4), **R)
    check_raises(lambda lib, a, b: lib.tensordot(a, b, ([0], [0])), randn(2, 3), randn(3, 4))
    check_raises(lambda lib, a, b: lib.tensordot(a, b), randn(2, 3), randn(3, 4, dtype=F64))


def test_lesson_snippets():
    check(lambda lib, a, b: lib.matmul(a, b).size(), randn(10, 3, 4), randn(10, 4, 5))
    check(lambda lib, a, b: lib.mm(a, b), randn(2, 3), randn(3, 3), **R)
    check(lambda lib, a, b: lib.bmm(a, b).size(), randn(10, 3, 4), randn(10, 4, 5))
    r = suanzi.matmul(suanzi.randn(10, 3, 4), suanzi.randn(10, 4, 5))
    assert r.size() == (10, 3, 5)


@settings(max_examples=30, deadline=None)
@given(batch_a=st.lists(st.integers(1, 3), max_size=2), batch_b=st.lists(st.integers(1, 3),
                                                                          max_size=2),
       n=st.integers(0, 3), k=st.integers(0, 3), p=st.integers(0, 3),
       vec_a=st.booleans(), vec_b=st.booleans())
def test_matmul_hypothesis(batch_a, batch_b, n, k, p, vec_a, vec_b):
    # make batch dims broadcastable by using 1 where they differ
    la, lb = len(batch_a), len(batch_b)
    for i in range(1, min(la, lb) + 1):
        if batch_a[-i] != batch_b[-i]:
            batch_b[-i] = 1
    sa = (k,) if vec_a else tuple(batch_a) + (n, k)
    sb = (k,) if vec_b else tuple(batch_b) + (k, p)
    check(lambda lib, a, b: a @ b, randn(*sa, dtype=F64), randn(*sb, dtype=F64))


# ------------------------------------------------------------------ torch.linalg norms
@pytest.mark.parametrize("ord", [2, 1, float("inf"), -float("inf"), 3, 0])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, True), ((0, 2), False)])
def test_linalg_vector_norm(ord, dim, keepdim):
    check(lambda lib, a: lib.linalg.vector_norm(a, ord, dim, keepdim), randn(2, 3, 4, dtype=F64))


@pytest.mark.parametrize("ord", ["fro", 1, -1, float("inf"), -float("inf")])
def test_linalg_matrix_norm(ord):
    check(lambda lib, a: (lib.linalg.matrix_norm(a, ord), lib.linalg.norm(a[0], ord),
                          lib.linalg.matrix_norm(a, ord, dim=(0, 2), keepdim=True)),
          randn(2, 3, 4, dtype=F64))


def test_linalg_misc():
    check(lambda lib, a: (lib.linalg.norm(a), lib.linalg.norm(a, dim=1),
                          lib.linalg.norm(a, dim=(0, 1))), randn(3, 4, dtype=F64))
    check(lambda lib, a, b: lib.linalg.vecdot(a, b), randn(2, 3), randn(3), **R)
    check(lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), randn(3), randn(3, 4), randn(4),
          **R)
    check(lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), randn(2, 3), randn(3, 4),
          randn(4, 5), **R)
    check_raises(lambda lib, a: lib.linalg.vector_norm(a), np.arange(3))
    check_raises(lambda lib, a: lib.linalg.norm(a, 2), randn(2, 2, 2))
