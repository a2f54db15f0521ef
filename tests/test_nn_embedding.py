"""Embedding against torch: lookup values, weight gradients with repeated
indices, padding_idx (negative included), max_norm renormalizing the weight
in place, scale_grad_by_freq, from_pretrained, init, reprs and errors."""
import numpy as np
import pytest
import torch

import suanzi
from helpers import assert_same, check, check_module, check_raises, to_suanzi, to_torch

RNG = np.random.default_rng(11)


def _w(n=10, d=4, dtype=np.float32):
    return RNG.standard_normal((n, d)).astype(dtype)


IDX = [np.array([[1, 2, 4, 5], [4, 3, 2, 9]]), np.array([3, 3, 3, 0, 9, 3]),
       np.array(7), np.zeros((0, 2), np.int64), RNG.integers(0, 10, size=(5, 200))]


@pytest.mark.parametrize("i", range(len(IDX)))
@pytest.mark.parametrize("idt", [np.int64, np.int32])
def test_functional_values_and_grads(i, idt):
    idx = IDX[i].astype(idt)
    check(lambda lib, w, ix: lib.nn.functional.embedding(ix, w), _w(), idx)


@pytest.mark.parametrize("padding_idx", [0, 3, -1, -7])
@pytest.mark.parametrize("scale", [False, True])
def test_padding_and_scale_grad(padding_idx, scale):
    idx = np.array([[3, 3, 0, 9, 9, 9], [1, 3, 2, 0, 9, 3]])
    check(lambda lib, w, ix: lib.nn.functional.embedding(ix, w, padding_idx=padding_idx,
                                                         scale_grad_by_freq=scale), _w(), idx)
    big = RNG.integers(0, 10, size=(50, 40))
    check(lambda lib, w, ix: lib.nn.functional.embedding(ix, w, padding_idx=padding_idx,
                                                         scale_grad_by_freq=scale), _w(), big)


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (0.5, 1.0), (1.5, 3.0),
                                                (0.3, float("inf")), (100.0, 2.0)])
def test_max_norm_renormalizes_weight_in_place(max_norm, norm_type):
    w = _w(8, 5) * 2
    idx = np.array([[1, 1, 3], [6, 3, 0]])
    tw, sw = to_torch(w), to_suanzi(w)
    tw.requires_grad_(True)
    sw.requires_grad_(True)
    tout = torch.nn.functional.embedding(to_torch(idx), tw, max_norm=max_norm,
                                         norm_type=norm_type)
    sout = suanzi.nn.functional.embedding(to_suanzi(idx), sw, max_norm=max_norm,
                                          norm_type=norm_type)
    assert_same(sout, tout)
    assert_same(sw.detach(), tw.detach(), what="weight after renorm")  # rows 2,4,5,7 untouched
    tout.sum().backward()
    sout.sum().backward()
    assert_same(sw.grad, tw.grad)


def test_max_norm_spec_example():
    w = suanzi.tensor([[3.0, 4.0], [3.0, 4.0]])
    suanzi.nn.functional.embedding(suanzi.tensor([0]), w, max_norm=1.0)
    np.testing.assert_allclose(w.numpy(), [[0.6, 0.8], [3.0, 4.0]], rtol=1e-6)
    w = suanzi.tensor([[3.0, 4.0]])
    suanzi.nn.functional.embedding(suanzi.tensor([0, 0]), w, max_norm=1.0, norm_type=1.0)
    np.testing.assert_allclose(w.numpy(), [[3 / 7, 4 / 7]], rtol=1e-6)


def test_max_norm_bumps_version():
    # torch: a differentiable use of weight before the call then fails at backward
    def fn(lib):
        w = lib.tensor([[3.0, 4.0], [1.0, 0.0]], requires_grad=True)
        v = w * 1
        y = v * v
        lib.nn.functional.embedding(lib.tensor([0]), v, max_norm=1.0)
        y.sum().backward()
    check_raises(fn)


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"padding_idx": -1},
                                {"max_norm": 1.0}, {"scale_grad_by_freq": True},
                                {"max_norm": 2.0, "norm_type": 1.0, "padding_idx": 0}])
def test_module_parity(kw):
    idx = np.array([[0, 2, 2, 5], [4, 3, 2, 9]])
    check_module(lambda lib: lib.nn.Embedding(10, 3, **kw), idx, call=None)
    sm = suanzi.nn.Embedding(10, 3, **kw)
    tm = torch.nn.Embedding(10, 3, **kw)
    assert repr(sm) == repr(tm)
    assert list(sm.state_dict()) == ["weight"]


def test_module_reprs():
    for args, kw in [((5, 2), {}), ((5, 2), {"padding_idx": 1, "max_norm": 1.0,
                                            "norm_type": 1.0, "scale_grad_by_freq": True}),
                     ((5, 2), {"sparse": True})]:
        assert repr(suanzi.nn.Embedding(*args, **kw)) == repr(torch.nn.Embedding(*args, **kw))


def test_module_weight_grad_with_repeated_indices_and_padding():
    tm = torch.nn.Embedding(6, 3, padding_idx=1)
    sm = suanzi.nn.Embedding(6, 3, padding_idx=1)
    sm.load_state_dict(tm.state_dict())
    idx = np.array([1, 1, 2, 2, 2, 5, 0])
    to, so = tm(to_torch(idx)), sm(to_suanzi(idx))
    g = RNG.standard_normal(tuple(to.shape)).astype(np.float32)
    to.backward(to_torch(g))
    so.backward(to_suanzi(g))
    assert_same(sm.weight.grad, tm.weight.grad)
    assert not np.any(sm.weight.grad.numpy()[1])


def test_init_distribution_and_padding_zero():
    suanzi.manual_seed(0)
    m = suanzi.nn.Embedding(2000, 50, padding_idx=-3)
    w = m.weight.detach().numpy()
    assert m.padding_idx == 1997 and not np.any(w[1997])
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    assert m.weight.requires_grad and m.weight.dtype == suanzi.float32
    assert suanzi.nn.Embedding(3, 2, dtype=suanzi.float64).weight.dtype == suanzi.float64
    assert not suanzi.nn.Embedding(3, 2, _freeze=True).weight.requires_grad


def test_weight_arg():
    w = suanzi.ones(4, 2)
    m = suanzi.nn.Embedding(4, 2, _weight=w)
    assert np.shares_memory(m.weight.detach().numpy(), w.numpy())
    with pytest.raises(AssertionError):
        suanzi.nn.Embedding(3, 2, _weight=w)
    with pytest.raises(AssertionError):
        torch.nn.Embedding(3, 2, _weight=torch.ones(4, 2))


@pytest.mark.parametrize("kw", [{}, {"freeze": False}, {"padding_idx": 0},
                                {"max_norm": 1.0, "freeze": False}])
def test_from_pretrained(kw):
    w = np.array([[1, 2.3, 3], [4, 5.1, 6.3]], np.float32)
    tw, sw = to_torch(w), to_suanzi(w)
    tm = torch.nn.Embedding.from_pretrained(tw, **kw)
    sm = suanzi.nn.Embedding.from_pretrained(sw, **kw)
    assert repr(sm) == repr(tm)
    assert sm.weight.requires_grad == tm.weight.requires_grad
    assert np.shares_memory(sm.weight.detach().numpy(), sw.numpy())
    idx = np.array([1, 0, 1])
    to, so = tm(to_torch(idx)), sm(to_suanzi(idx))
    assert_same(so, to)
    assert_same(sm.weight.detach(), tm.weight.detach())  # padding row not zeroed
    if tm.weight.requires_grad:
        to.sum().backward()
        so.sum().backward()
        assert_same(sm.weight.grad, tm.weight.grad)


def test_from_pretrained_not_2d():
    with pytest.raises(AssertionError):
        torch.nn.Embedding.from_pretrained(torch.ones(3))
    with pytest.raises(AssertionError):
        suanzi.nn.Embedding.from_pretrained(suanzi.ones(3))
    with pytest.raises(ValueError):
        suanzi.nn.Embedding.from_pretrained(suanzi.ones(2, 2, 2))


def test_errors():
    w = _w(5, 3)
    check_raises(lambda lib, w, i: lib.nn.functional.embedding(i, w), w,
                 np.array([0.0, 1.0], np.float32))
    check_raises(lambda lib, w, i: lib.nn.functional.embedding(i, w), w, np.array([0, 5]))
    check_raises(lambda lib, w, i: lib.nn.functional.embedding(i, w), w, np.array([-1, 2]))
    check_raises(lambda lib, w, i: lib.nn.functional.embedding(i, w, padding_idx=5), w,
                 np.array([0]))
    check_raises(lambda lib, w, i: lib.nn.functional.embedding(i, w, padding_idx=-6), w,
                 np.array([0]))
    check_raises(lambda lib: lib.nn.Embedding(5, 3, padding_idx=5))
    check_raises(lambda lib: lib.nn.Embedding(5, 3, padding_idx=-6))
    for bad in (5, -6):
        with pytest.raises(ValueError):
            suanzi.nn.Embedding(5, 3, padding_idx=bad)
    check_raises(lambda lib, i: lib.nn.Embedding(5, 3)(i), np.array([[0, 7]]))


def test_embedding_float64_gradcheck():
    w = suanzi.tensor(RNG.standard_normal((6, 3)), requires_grad=True)
    idx = suanzi.tensor([[0, 5, 5], [2, 0, 5]])
    assert suanzi.autograd.gradcheck(
        lambda w: suanzi.nn.functional.embedding(idx, w), (w,))


def test_sparse_raises_not_implemented():
    m = suanzi.nn.Embedding(5, 3, sparse=True)
    with pytest.raises(NotImplementedError):
        m(suanzi.tensor([0, 1]))


def test_lesson_block_12():
    # the lesson's §12 code, with torch's initial weights loaded where it draws them
    nn_s, nn_t = suanzi.nn, torch.nn

    def run(lib, nn, sync):
        out = {}
        embedding = sync(nn.Embedding(10, 3))
        input = lib.LongTensor([[1, 2, 4, 5], [4, 3, 2, 9]])
        out["a"] = embedding(input)
        embedding = sync(nn.Embedding(10, 3, padding_idx=0))
        input = lib.LongTensor([[0, 2, 0, 5]])
        out["b"] = embedding(input)
        padding_idx = 0
        embedding = sync(nn.Embedding(3, 3, padding_idx=padding_idx))
        out["c"] = embedding.weight.clone()
        with lib.no_grad():
            embedding.weight[padding_idx] = lib.ones(3)
        out["d"] = embedding.weight
        weight = lib.FloatTensor([[1, 2.3, 3], [4, 5.1, 6.3]])
        embedding = nn.Embedding.from_pretrained(weight)
        input = lib.LongTensor([1])
        out["e"] = embedding(input)
        return out

    made = []

    def record(m):
        made.append({k: v.clone() for k, v in m.state_dict().items()})
        return m

    def replay(m):
        m.load_state_dict(made.pop(0))
        return m
    t = run(torch, nn_t, record)
    s = run(suanzi, nn_s, replay)
    for k in t:
        assert_same(s[k], t[k], what=k)
        assert repr(s[k]) == repr(t[k]), k
