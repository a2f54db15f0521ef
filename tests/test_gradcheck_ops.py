"""suanzi.autograd.gradcheck (float64 finite differences) over the
differentiable ops: an oracle independent of torch."""
import numpy as np
import pytest

import suanzi
from suanzi.autograd import gradcheck

R = np.random.default_rng(1)


def t(*shape, low=-2.0, high=2.0):
    return suanzi.tensor(R.uniform(low, high, size=shape), dtype=suanzi.float64,
                         requires_grad=True)


def pos(*shape):
    return t(*shape, low=0.5, high=2.0)


def unit(*shape):
    return t(*shape, low=-0.9, high=0.9)


CASES = {
    # pointwise, with broadcasting
    "add": (lambda a, b: a + b, lambda: (t(2, 3), t(3))),
    "sub_alpha": (lambda a, b: suanzi.sub(a, b, alpha=2), lambda: (t(2, 3), t(2, 1))),
    "mul": (lambda a, b: a * b, lambda: (t(2, 3), t(1, 3))),
    "div": (lambda a, b: a / b, lambda: (t(2, 3), pos(3))),
    "pow": (lambda a, b: a ** b, lambda: (pos(2, 3), t(2, 3))),
    "pow_scalar": (lambda a: a ** 3, lambda: (t(4),)),
    "exp": (lambda a: a.exp(), lambda: (t(3, 2),)),
    "log": (lambda a: a.log(), lambda: (pos(3, 2),)),
    "log1p": (lambda a: a.log1p(), lambda: (pos(3),)),
    "sqrt": (lambda a: a.sqrt(), lambda: (pos(3),)),
    "rsqrt": (lambda a: a.rsqrt(), lambda: (pos(3),)),
    "sin_cos_tan": (lambda a: a.sin() + a.cos() + (a * 0.3).tan(), lambda: (t(4),)),
    "asin_acos_atan": (lambda a: a.asin() + a.acos() + a.atan(), lambda: (unit(4),)),
    "atan2": (lambda a, b: suanzi.atan2(a, b), lambda: (t(3), pos(3))),
    "sinh_cosh_tanh": (lambda a: a.sinh() + a.cosh() + a.tanh(), lambda: (t(4),)),
    "sigmoid": (lambda a: a.sigmoid(), lambda: (t(5),)),
    "erf_erfc": (lambda a: a.erf() + 2 * a.erfc(), lambda: (t(5),)),
    "abs": (lambda a: a.abs(), lambda: (pos(4),)),
    "clamp": (lambda a: a.clamp(-1.0, 1.0), lambda: (t(6),)),
    "maximum": (lambda a, b: suanzi.maximum(a, b), lambda: (t(5), t(5))),
    "lerp": (lambda a, b, w: suanzi.lerp(a, b, w), lambda: (t(3), t(3), unit(3))),
    "addcmul": (lambda a, b, c: suanzi.addcmul(a, b, c, value=0.5), lambda: (t(3), t(3), t(3))),
    "where": (lambda a, b: suanzi.where(a > 0, a, b), lambda: (t(6), t(6))),
    "hypot": (lambda a, b: suanzi.hypot(a, b), lambda: (pos(3), pos(3))),
    # reductions
    "sum_dims": (lambda a: a.sum((0, 2)), lambda: (t(2, 3, 2),)),
    "mean_keepdim": (lambda a: a.mean(1, keepdim=True), lambda: (t(3, 4),)),
    "prod": (lambda a: a.prod(1), lambda: (t(2, 3),)),
    "var": (lambda a: a.var(0), lambda: (t(4, 3),)),
    "std_correction0": (lambda a: a.std(1, correction=0), lambda: (t(3, 4),)),
    "max_dim": (lambda a: a.max(1).values, lambda: (t(3, 4),)),
    "amin": (lambda a: a.amin((0, 1)), lambda: (t(3, 4),)),
    "logsumexp": (lambda a: a.logsumexp(1), lambda: (t(3, 4),)),
    "norm": (lambda a: a.norm(), lambda: (t(3, 4),)),
    "norm_p3": (lambda a: a.norm(p=3, dim=1), lambda: (t(3, 4),)),
    "cumsum": (lambda a: a.cumsum(1), lambda: (t(3, 4),)),
    "cumprod": (lambda a: a.cumprod(0), lambda: (t(3, 4),)),
    # matmul family
    "matmul_batched": (lambda a, b: a @ b, lambda: (t(2, 1, 3, 4), t(3, 4, 2))),
    "matmul_vec": (lambda a, b: a @ b, lambda: (t(4), t(2, 4, 3))),
    "bmm": (lambda a, b: suanzi.bmm(a, b), lambda: (t(2, 3, 4), t(2, 4, 2))),
    "addmm": (lambda c, a, b: suanzi.addmm(c, a, b, beta=0.5, alpha=2.0),
              lambda: (t(3), t(2, 4), t(4, 3))),
    "einsum": (lambda a, b: suanzi.einsum("bij,bjk->bik", a, b), lambda: (t(2, 3, 4), t(2, 4, 2))),
    "einsum_trace": (lambda a: suanzi.einsum("ii->", a), lambda: (t(3, 3),)),
    "outer": (lambda a, b: suanzi.outer(a, b), lambda: (t(3), t(4))),
    # shape and indexing
    "view_t": (lambda a: a.t().reshape(6), lambda: (t(2, 3),)),
    "permute_expand": (lambda a: a.permute(1, 0).unsqueeze(0).expand(2, 3, 2), lambda: (t(2, 3),)),
    "cat_stack": (lambda a, b: suanzi.cat([a, suanzi.stack([b, b]).flatten(0, 1)]),
                  lambda: (t(2, 3), t(1, 3))),
    "split": (lambda a: a.split([1, 2], dim=1)[1] * 2, lambda: (t(3, 3),)),
    "index_repeat": (lambda a: a[[0, 0, 2], 1:], lambda: (t(3, 3),)),
    "mask": (lambda a: a[a > 0], lambda: (t(8),)),
    "gather": (lambda a: a.gather(1, suanzi.tensor([[0, 0], [1, 0]])), lambda: (t(2, 3),)),
    "scatter_add": (lambda a, s: a.scatter_add(0, suanzi.tensor([[0, 1, 0]]), s),
                    lambda: (t(2, 3), t(1, 3))),
    "masked_fill": (lambda a: a.masked_fill(a > 0, 0.5), lambda: (t(6),)),
    "flip_roll": (lambda a: a.flip(0).roll(1, 1), lambda: (t(3, 2),)),
    "repeat": (lambda a: a.repeat(2, 3), lambda: (t(2, 2),)),
    "diagonal_tril": (lambda a: a.tril().diagonal() + a.triu(1).sum(0), lambda: (t(3, 3),)),
}


def _setitem(a, v):
    y = a * 1
    y[1:, 0] = v
    return y


CASES["setitem"] = (_setitem, lambda: (t(3, 2), t(2)))


def _inplace_view(a):
    y = a * 1
    y[0].mul_(3)
    return y


CASES["inplace_on_view"] = (_inplace_view, lambda: (t(2, 3),))


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, make = CASES[name]
    assert gradcheck(fn, make(), eps=1e-6, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("name", ["mul", "div", "exp", "log", "sigmoid", "sum_dims", "matmul_batched",
                                  "logsumexp", "var", "permute_expand", "index_repeat"])
def test_gradgradcheck(name):
    fn, make = CASES[name]
    assert suanzi.autograd.gradgradcheck(fn, make(), eps=1e-6, atol=1e-5, rtol=1e-3)
