"""suanzi.nn.utils (gradient clipping, parameters <-> vector) against torch."""
import math
import warnings

import numpy as np
import pytest
import torch

import suanzi
from helpers import assert_same

RNG = np.random.default_rng(7)
SHAPES = [(3, 4), (5,), (2, 1, 3), ()]


def make_params(lib, scale=1.0, with_none=True):
    """Parameters with gradients (the last one without, when ``with_none``)."""
    params = []
    for i, shape in enumerate(SHAPES):
        data = np.asarray(np.random.default_rng(i).standard_normal(shape), np.float32)
        grad = np.asarray(np.random.default_rng(100 + i).standard_normal(shape) * scale,
                          np.float32)
        p = lib.nn.Parameter(lib.from_numpy(data.copy()))
        p.grad = lib.from_numpy(grad.copy())
        params.append(p)
    if with_none:
        params.append(lib.nn.Parameter(lib.ones(2)))
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, math.inf, -math.inf, 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    tp, sp = make_params(torch), make_params(suanzi)
    t_norm = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type=norm_type)
    s_norm = suanzi.nn.utils.clip_grad_norm_(sp, max_norm, norm_type=norm_type)
    assert_same(s_norm, t_norm, rtol=1e-6, atol=1e-6, what="total norm")
    for i, (s, t) in enumerate(zip(sp, tp)):
        if t.grad is None:
            assert s.grad is None
        else:
            assert_same(s.grad, t.grad, rtol=1e-6, atol=1e-7, what=f"grad {i}")


def test_clip_grad_norm_single_tensor_generator_and_version():
    tp, sp = make_params(torch)[0], make_params(suanzi)[0]
    v = sp.grad._version
    assert_same(suanzi.nn.utils.clip_grad_norm_(sp, 0.1), torch.nn.utils.clip_grad_norm_(tp, 0.1))
    assert_same(sp.grad, tp.grad)
    assert sp.grad._version > v
    tp, sp = make_params(torch), make_params(suanzi)
    assert_same(suanzi.nn.utils.clip_grad_norm_((p for p in sp), 1.0, 1),
                torch.nn.utils.clip_grad_norm_((p for p in tp), 1.0, 1))
    # no gradients at all: a zero norm
    assert_same(suanzi.nn.utils.clip_grad_norm_([suanzi.nn.Parameter(suanzi.ones(2))], 1.0),
                torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.ones(2))], 1.0))
    with pytest.warns(UserWarning, match="empty generator"):
        suanzi.nn.utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_float64():
    def make(lib):
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64))
        p.grad = lib.tensor([3.0, 4.0, 12.0], dtype=lib.float64)
        return p
    tp, sp = make(torch), make(suanzi)
    assert_same(suanzi.nn.utils.clip_grad_norm_([sp], 2.0),
                torch.nn.utils.clip_grad_norm_([tp], 2.0))
    assert_same(sp.grad, tp.grad, rtol=1e-12, atol=0)


def test_clip_grad_norm_nonfinite():
    def make(lib):
        ps = make_params(lib, with_none=False)
        ps[1].grad[2] = float("inf")
        return ps
    for lib in (torch, suanzi):
        with pytest.raises(RuntimeError, match="non-finite"):
            lib.nn.utils.clip_grad_norm_(make(lib), 1.0, error_if_nonfinite=True)
    tp, sp = make(torch), make(suanzi)
    assert_same(suanzi.nn.utils.clip_grad_norm_(sp, 1.0), torch.nn.utils.clip_grad_norm_(tp, 1.0))
    for s, t in zip(sp, tp):
        assert_same(s.grad, t.grad)


def test_get_total_norm_and_clip_grads_with_norm():
    tp, sp = make_params(torch), make_params(suanzi)
    t_norm = torch.nn.utils.get_total_norm([p.grad for p in tp if p.grad is not None], 3.0)
    s_norm = suanzi.nn.utils.get_total_norm([p.grad for p in sp if p.grad is not None], 3.0)
    assert_same(s_norm, t_norm)
    torch.nn.utils.clip_grads_with_norm_(tp, 0.7, t_norm)
    suanzi.nn.utils.clip_grads_with_norm_(sp, 0.7, s_norm)
    for s, t in zip(sp, tp):
        assert_same(s.grad, t.grad) if t.grad is not None else None


def test_clip_grad_norm_deprecated_alias():
    tp, sp = make_params(torch), make_params(suanzi)
    with pytest.warns(FutureWarning):
        s = suanzi.nn.utils.clip_grad_norm(sp, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.utils.clip_grad_norm(tp, 0.5)
    assert_same(s, t)


@pytest.mark.parametrize("clip_value", [0.3, 1, 10.0])
def test_clip_grad_value_matches_torch(clip_value):
    tp, sp = make_params(torch, scale=2.0), make_params(suanzi, scale=2.0)
    assert torch.nn.utils.clip_grad_value_(tp, clip_value) is None
    assert suanzi.nn.utils.clip_grad_value_(sp, clip_value) is None
    for s, t in zip(sp, tp):
        if t.grad is None:
            assert s.grad is None
        else:
            assert_same(s.grad, t.grad, rtol=0, atol=0)
    tp, sp = make_params(torch)[0], make_params(suanzi)[0]
    torch.nn.utils.clip_grad_value_(tp, 0.1)
    suanzi.nn.utils.clip_grad_value_(sp, 0.1)
    assert_same(sp.grad, tp.grad, rtol=0, atol=0)


def test_clipping_inside_training_matches_torch():
    """clip_grad_norm_ between backward and an optimizer step, 10 steps."""
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    sm = suanzi.nn.Sequential(suanzi.nn.Linear(6, 8), suanzi.nn.Tanh(), suanzi.nn.Linear(8, 2))
    sm.load_state_dict(tm.state_dict())
    t_opt = torch.optim.SGD(tm.parameters(), lr=0.5, momentum=0.9)
    s_opt = suanzi.optim.SGD(sm.parameters(), lr=0.5, momentum=0.9)
    for i in range(10):
        x = RNG.standard_normal((16, 6)).astype(np.float32)
        y = RNG.standard_normal((16, 2)).astype(np.float32) * 5
        norms = []
        for lib, m, opt in ((torch, tm, t_opt), (suanzi, sm, s_opt)):
            opt.zero_grad()
            loss = ((m(lib.from_numpy(x)) - lib.from_numpy(y)) ** 2).mean()
            loss.backward()
            norms.append(float(lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0)))
            opt.step()
        np.testing.assert_allclose(norms[1], norms[0], rtol=1e-5)
    for (k, t), s in zip(tm.state_dict().items(), sm.state_dict().values()):
        np.testing.assert_allclose(s.numpy(), t.numpy(), rtol=1e-4, atol=1e-5, err_msg=k)


def test_parameters_to_vector_and_back():
    tp, sp = make_params(torch, with_none=False), make_params(suanzi, with_none=False)
    tv = torch.nn.utils.parameters_to_vector(tp)
    sv = suanzi.nn.utils.parameters_to_vector(sp)
    assert_same(sv, tv)
    assert sv.requires_grad and tv.requires_grad
    # differentiable: gradients flow back to each parameter
    w = RNG.standard_normal(tuple(tv.shape)).astype(np.float32)
    for lib, v, ps in ((torch, tv, tp), (suanzi, sv, sp)):
        for p in ps:
            p.grad = None
        (v * lib.from_numpy(w)).sum().backward()
    for s, t in zip(sp, tp):
        assert_same(s.grad, t.grad)

    new = RNG.standard_normal(tuple(tv.shape)).astype(np.float32)
    t_new, s_new = torch.from_numpy(new.copy()), suanzi.from_numpy(new.copy())
    torch.nn.utils.vector_to_parameters(t_new, tp)
    suanzi.nn.utils.vector_to_parameters(s_new, sp)
    for s, t in zip(sp, tp):
        assert_same(s, t, rtol=0, atol=0)
        assert isinstance(s, suanzi.nn.Parameter)
    # the parameters now view the vector, as in torch
    s_new[0] = 42.0
    t_new[0] = 42.0
    assert float(sp[0][0, 0]) == float(tp[0][0, 0]) == 42.0


def test_vector_to_parameters_type_error():
    for lib in (torch, suanzi):
        with pytest.raises(TypeError, match="expected torch.Tensor"):
            lib.nn.utils.vector_to_parameters([1.0, 2.0], [lib.nn.Parameter(lib.ones(2))])
