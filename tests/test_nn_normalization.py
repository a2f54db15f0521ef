"""Normalization layers and ops against torch: BatchNorm1d/2d/3d,
InstanceNorm1d/2d/3d, LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm,
F.normalize, and SwitchNorm (against a reference written from spec §4.6)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import suanzi
from helpers import assert_same, check, check_module, check_raises, randn, to_suanzi, to_torch

F_T = torch.nn.functional
F_S = suanzi.nn.functional


def _nn(lib):
    return lib.nn


def _train_steps(make, xs, eval_x=None, momentum_note=""):
    """Run both modules through several training batches, compare outputs,
    grads and state_dicts after each, then compare in eval mode."""
    tm, sm = make(torch), make(suanzi)
    sm.load_state_dict(tm.state_dict())
    for x in xs:
        tm.train(), sm.train()
        check(lambda lib, a: (tm if lib is torch else sm)(a), x)
        for k, v in tm.state_dict().items():
            assert_same(sm.state_dict()[k], v, what=f"{k} {momentum_note}")
    if eval_x is not None:
        tm.eval(), sm.eval()
        check(lambda lib, a: (tm if lib is torch else sm)(a), eval_x)
    return sm, tm


# ================================================================= BatchNorm
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("track", [True, False])
@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, None])
def test_batchnorm2d_train_eval(affine, track, momentum):
    xs = [randn(4, 3, 5, 6) * 2 + 1 for _ in range(3)]
    _train_steps(lambda lib: lib.nn.BatchNorm2d(3, momentum=momentum, affine=affine,
                                                track_running_stats=track),
                 xs, eval_x=randn(2, 3, 5, 6), momentum_note=str(momentum))


@pytest.mark.parametrize("shape", [(6, 4), (5, 4, 7)])
@pytest.mark.parametrize("train", [True, False])
def test_batchnorm1d(shape, train):
    check_module(lambda lib: lib.nn.BatchNorm1d(4), randn(*shape), train=train)


def test_batchnorm1d_cumulative_2d():
    xs = [randn(8, 4) + i for i in range(3)]
    _train_steps(lambda lib: lib.nn.BatchNorm1d(4, momentum=None), xs, eval_x=randn(3, 4))


def test_batchnorm3d_and_bias_false():
    check_module(lambda lib: lib.nn.BatchNorm3d(3), randn(2, 3, 4, 3, 5))
    check_module(lambda lib: lib.nn.BatchNorm3d(3, bias=False), randn(2, 3, 4, 3, 5),
                 train=False)


def test_batchnorm_float64_and_nontrivial_params():
    def make(lib):
        m = lib.nn.BatchNorm2d(3, dtype=lib.float64)
        with lib.no_grad():
            m.weight.copy_(lib.tensor([0.5, -2.0, 1.5], dtype=lib.float64))
            m.bias.copy_(lib.tensor([0.1, 0.2, -0.3], dtype=lib.float64))
        return m
    for train in (True, False):
        sm, tm, so, to = check_module(make, randn(3, 3, 4, 4, dtype=np.float64), train=train,
                                      rtol=1e-10, atol=1e-12)
        assert so.dtype == suanzi.float64


def test_batchnorm_eval_with_trained_stats_grads():
    tm, sm = torch.nn.BatchNorm2d(3), suanzi.nn.BatchNorm2d(3)
    for _ in range(2):
        x = randn(4, 3, 3, 3) * 3 + 2
        tm(to_torch(x)), sm(to_suanzi(x))
    with torch.no_grad():
        tm.weight.mul_(2)
        tm.bias.add_(0.5)
    sm.load_state_dict(tm.state_dict())
    tm.eval(), sm.eval()
    check(lambda lib, a: (tm if lib is torch else sm)(a), randn(2, 3, 3, 3))
    assert_same(sm.weight.grad, tm.weight.grad, rtol=1e-4, atol=1e-5)
    assert_same(sm.bias.grad, tm.bias.grad)
    assert int(sm.num_batches_tracked) == int(tm.num_batches_tracked) == 2


def test_batchnorm_state_dict_layout_and_repr():
    for cls, args in [("BatchNorm1d", (5,)), ("BatchNorm2d", (100,)), ("BatchNorm3d", (4,))]:
        for kw in [{}, {"affine": False}, {"track_running_stats": False}, {"momentum": None},
                   {"eps": 1e-3, "bias": False}]:
            t, s = getattr(torch.nn, cls)(*args, **kw), getattr(suanzi.nn, cls)(*args, **kw)
            assert repr(s) == repr(t)
            assert list(s.state_dict()) == list(t.state_dict())
            assert [n for n, _ in s.named_parameters()] == [n for n, _ in t.named_parameters()]
            assert [n for n, _ in s.named_buffers()] == [n for n, _ in t.named_buffers()]
            for k, v in t.state_dict().items():
                assert_same(s.state_dict()[k], v, what=k)
    assert suanzi.nn.BatchNorm2d(3).num_batches_tracked.dtype == suanzi.int64


def test_batchnorm_load_old_checkpoint_without_num_batches_tracked():
    from collections import OrderedDict
    t = torch.nn.BatchNorm2d(3)
    sd = t.state_dict()
    del sd["num_batches_tracked"]
    sd = OrderedDict(sd)  # an old checkpoint: no version metadata
    torch.nn.BatchNorm2d(3).load_state_dict(sd)  # torch accepts it
    s = suanzi.nn.BatchNorm2d(3)
    s.num_batches_tracked.fill_(5)
    res = s.load_state_dict(sd)
    assert not res.missing_keys and not res.unexpected_keys
    assert "num_batches_tracked" not in sd  # the caller's dict is left alone
    assert int(s.num_batches_tracked) == 5  # torch keeps the module's own value
    # a suanzi state_dict loads too
    s2 = suanzi.nn.BatchNorm2d(3)
    s2.load_state_dict(s.state_dict())
    with pytest.raises(RuntimeError):
        s2.load_state_dict({"weight": sd["weight"]})
    # with version-2 metadata the key is required, as in torch
    sd3 = t.state_dict()
    del sd3["num_batches_tracked"]
    with pytest.raises(RuntimeError):
        torch.nn.BatchNorm2d(3).load_state_dict(sd3)
    with pytest.raises(RuntimeError):
        suanzi.nn.BatchNorm2d(3).load_state_dict(sd3)


def test_batchnorm_errors():
    check_raises(lambda lib, x: lib.nn.BatchNorm2d(3)(x), randn(2, 3, 4))
    e, _ = check_raises(lambda lib, x: lib.nn.BatchNorm2d(3)(x), randn(2, 3, 4))
    assert "expected 4D input (got 3D input)" in str(e)
    check_raises(lambda lib, x: lib.nn.BatchNorm1d(3)(x), randn(2, 3, 4, 4))
    check_raises(lambda lib, x: lib.nn.BatchNorm3d(3)(x), randn(2, 3, 4, 4))
    e, t = check_raises(lambda lib, x: lib.nn.BatchNorm1d(3)(x), randn(1, 3))
    assert isinstance(e, ValueError) and str(e) == str(t)
    check_raises(lambda lib, x: lib.nn.BatchNorm2d(3)(x), randn(1, 3, 1, 1))
    # eval accepts one value per channel
    check_module(lambda lib: lib.nn.BatchNorm1d(3), randn(1, 3), train=False)
    # channel mismatch
    check_raises(lambda lib, x: lib.nn.BatchNorm2d(2)(x), randn(2, 3, 4, 4))
    check_raises(lambda lib, x: lib.nn.BatchNorm2d(2).eval()(x), randn(2, 3, 4, 4))


def test_batch_norm_functional():
    x = randn(4, 3, 5)
    rm, rv = randn(3), randn(3, low=0.5, high=2.0)
    w, b = randn(3), randn(3)
    check(lambda lib, a, m, v, w, b: lib.nn.functional.batch_norm(a, m, v, w, b), x, rm, rv, w, b,
          requires_grad=[True, False, False, True, True])
    check(lambda lib, a, w, b: lib.nn.functional.batch_norm(a, None, None, w, b, True), x, w, b)

    def upd(lib, a, m, v):
        lib.nn.functional.batch_norm(a, m, v, training=True, momentum=0.3)
        return m, v
    check(upd, x, rm, rv, grad=False)
    check(lambda lib, a: lib.nn.functional.batch_norm(a, None, None, training=True, eps=1e-3),
          randn(6, 2))


def test_batch_norm_functional_errors():
    x = randn(4, 3, 5)
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    fb = lambda lib: lib.nn.functional.batch_norm  # noqa: E731
    check_raises(lambda lib, a: fb(lib)(a, None, None), x)
    check_raises(lambda lib, a, m: fb(lib)(a, m, None), x, rm)
    check_raises(lambda lib, a, v: fb(lib)(a, None, v, training=True), x, rv)
    check_raises(lambda lib, a: fb(lib)(a, lib.zeros(2), lib.ones(2)), x)
    check_raises(lambda lib, a: fb(lib)(a, None, None, lib.ones(2), training=True), x)
    check_raises(lambda lib, a: fb(lib)(a, None, None, None, lib.ones(2), training=True), x)
    check_raises(lambda lib, a, m, v: fb(lib)(a, m, v, training=True, eps=0), x, rm, rv)
    check_raises(lambda lib, a, m, v: fb(lib)(a, m, v, eps=-1.0), x, rm, rv)
    check_raises(lambda lib, a: fb(lib)(a, None, None, training=True), randn(1, 3, 1))
    # no dtype promotion
    check_raises(lambda lib, a, m, v: fb(lib)(a.double(), m, v), x, rm, rv)
    check_raises(lambda lib, a, m, v: fb(lib)(a, m.double(), v.double()), x, rm, rv)
    check_raises(lambda lib, a, m, v: fb(lib)(a, m, v, lib.ones(3, dtype=lib.float64)), x, rm, rv)
    check_raises(lambda lib, a, m, v: fb(lib)(a.long(), m, v), x, rm, rv)


def test_batch_norm_half_input_float_params():
    x = randn(4, 3, 5)
    check(lambda lib, a: lib.nn.functional.batch_norm(a.half(), lib.zeros(3), lib.ones(3), None,
                                                       None, True), x, grad=False, rtol=2e-3,
          atol=2e-3)


def test_batchnorm_gradcheck():
    from suanzi.autograd import gradcheck
    rng = np.random.default_rng(1)
    x = suanzi.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    w = suanzi.tensor(rng.standard_normal(2), requires_grad=True)
    b = suanzi.tensor(rng.standard_normal(2), requires_grad=True)
    assert gradcheck(lambda a, w, b: F_S.batch_norm(a, None, None, w, b, True), (x, w, b))
    rm = suanzi.tensor(rng.standard_normal(2))
    rv = suanzi.tensor(rng.uniform(0.5, 2, 2))
    assert gradcheck(lambda a, w, b: F_S.batch_norm(a, rm, rv, w, b, False), (x, w, b))
    x2 = suanzi.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    assert gradcheck(lambda a: F_S.batch_norm(a, None, None, None, None, True), (x2,))


def test_batchnorm_grad_of_broadcast_cotangent():
    # .sum().backward() hands the kernel a stride-0 gradient
    # the sum of normalized values is 0 up to rounding: compare it with an absolute tolerance
    check(lambda lib, a: lib.nn.functional.batch_norm(a, None, None, training=True).sum() * 1.0,
          randn(3, 2, 4), atol=1e-5)
    check(lambda lib, a: (lib.nn.functional.batch_norm(a, None, None, training=True) ** 2).sum(),
          randn(3, 2, 4))


def test_batchnorm_blocked_path_large():
    # several blocks along N (block = 64K elements)
    check_module(lambda lib: lib.nn.BatchNorm2d(8), randn(6, 8, 40, 40), rtol=1e-4, atol=1e-5)
    check_module(lambda lib: lib.nn.BatchNorm2d(8), randn(6, 8, 40, 40), train=False)


# ============================================================== InstanceNorm
@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (3, 4, 6)), ("InstanceNorm1d", (4, 6)),
                                       ("InstanceNorm2d", (2, 4, 5, 3)),
                                       ("InstanceNorm2d", (4, 5, 3)),
                                       ("InstanceNorm3d", (2, 4, 3, 2, 3)),
                                       ("InstanceNorm3d", (4, 3, 2, 3))])
@pytest.mark.parametrize("affine", [False, True])
def test_instancenorm(cls, shape, affine):
    for train in (True, False):
        check_module(lambda lib: getattr(lib.nn, cls)(4, affine=affine), randn(*shape),
                     train=train)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_instancenorm_running_stats(momentum):
    xs = [randn(3, 4, 5, 5) * 2 + 1 for _ in range(3)]
    _train_steps(lambda lib: lib.nn.InstanceNorm2d(4, affine=True, track_running_stats=True,
                                                   momentum=momentum), xs,
                 eval_x=randn(2, 4, 5, 5))


def test_instancenorm_repr_state_dict():
    for kw in [{}, {"affine": True}, {"track_running_stats": True}]:
        t, s = torch.nn.InstanceNorm2d(7, **kw), suanzi.nn.InstanceNorm2d(7, **kw)
        assert repr(s) == repr(t)
        assert list(s.state_dict()) == list(t.state_dict())


def test_instancenorm_errors_and_warning():
    check_raises(lambda lib, x: lib.nn.InstanceNorm2d(3)(x), randn(3, 4))
    check_raises(lambda lib, x: lib.nn.InstanceNorm1d(3)(x), randn(3, 4, 5, 6))
    check_raises(lambda lib, x: lib.nn.InstanceNorm2d(5, affine=True)(x), randn(2, 3, 4, 4))
    check_raises(lambda lib, x: lib.nn.InstanceNorm2d(3)(x), randn(2, 3, 1, 1))
    check_raises(lambda lib, x: lib.nn.functional.instance_norm(x, use_input_stats=False),
                 randn(2, 3, 4))
    check_raises(lambda lib, x: lib.nn.functional.instance_norm(x, lib.zeros(3)), randn(2, 3, 4))
    check_raises(lambda lib, x: lib.nn.functional.instance_norm(x, weight=lib.ones(2)),
                 randn(2, 3, 4))
    check_raises(lambda lib, x: lib.nn.functional.instance_norm(x.long()), randn(2, 3, 4))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = suanzi.nn.InstanceNorm2d(5)(suanzi.randn(2, 3, 4, 4))
    assert any("does not match num_features" in str(x.message) for x in w)
    assert tuple(out.shape) == (2, 3, 4, 4)


def test_instance_norm_functional():
    x = randn(2, 3, 6)
    rm, rv = randn(3), randn(3, low=0.5, high=2)
    check(lambda lib, a, w, b: lib.nn.functional.instance_norm(a, None, None, w, b), x, randn(3),
          randn(3))

    def upd(lib, a, m, v):
        out = lib.nn.functional.instance_norm(a, m, v, momentum=0.4)
        return out, m, v
    check(upd, x, rm, rv, grad=False)
    check(lambda lib, a, m, v: lib.nn.functional.instance_norm(a, m, v, use_input_stats=False),
          x, rm, rv, requires_grad=[True, False, False])


def test_instancenorm_gradcheck():
    from suanzi.autograd import gradcheck
    rng = np.random.default_rng(2)
    x = suanzi.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    w = suanzi.tensor(rng.standard_normal(3), requires_grad=True)
    b = suanzi.tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda a, w, b: F_S.instance_norm(a, weight=w, bias=b), (x, w, b))


# ================================================================= LayerNorm
@pytest.mark.parametrize("shape,ns", [((4, 6), 6), ((2, 3, 5), [5]), ((2, 3, 5), (3, 5)),
                                      ((2, 3, 4, 5), [3, 4, 5]), ((7,), [7])])
@pytest.mark.parametrize("kw", [{}, {"elementwise_affine": False}, {"bias": False},
                                {"eps": 1e-3}])
def test_layernorm(shape, ns, kw):
    def make(lib):
        m = lib.nn.LayerNorm(ns, **kw)
        if m.weight is not None:
            with lib.no_grad():
                m.weight.copy_(lib.linspace(0.5, 2.0, m.weight.numel()).reshape(m.weight.shape))
        return m
    for train in (True, False):
        check_module(make, randn(*shape), train=train)


def test_layernorm_single_element():
    # x̂ is 0 (torch: rounding-level values): outputs and input grads agree
    check(lambda lib, a: lib.nn.functional.layer_norm(a, [1]), randn(3, 1), atol=1e-4)


def test_layernorm_float64_large_blocks_repr():
    check_module(lambda lib: lib.nn.LayerNorm(48, dtype=lib.float64),
                 randn(3, 700, 48, dtype=np.float64), rtol=1e-10, atol=1e-12)
    check_module(lambda lib: lib.nn.LayerNorm([7, 48]), randn(600, 7, 48), rtol=1e-4, atol=1e-5)
    for args, kw in [((10,), {}), (([3, 4],), {"bias": False}),
                     ((5,), {"elementwise_affine": False, "eps": 1e-6})]:
        assert repr(suanzi.nn.LayerNorm(*args, **kw)) == repr(torch.nn.LayerNorm(*args, **kw))
    assert suanzi.nn.LayerNorm(4).normalized_shape == (4,)


def test_layer_norm_functional_and_errors():
    x = randn(2, 3, 4)
    check(lambda lib, a, w, b: lib.nn.functional.layer_norm(a, (3, 4), w, b), x, randn(3, 4),
          randn(3, 4))
    check(lambda lib, a, w: lib.nn.functional.layer_norm(a, [4], w), x, randn(4))
    check(lambda lib, a: lib.nn.functional.layer_norm(a, lib.Size([4])), x)
    fl = lambda lib: lib.nn.functional.layer_norm  # noqa: E731
    check_raises(lambda lib, a: fl(lib)(a, (3, 5)), x)
    check_raises(lambda lib, a: fl(lib)(a, (5, 2, 3, 4)), x)
    check_raises(lambda lib, a: fl(lib)(a, ()), x)
    check_raises(lambda lib, a: fl(lib)(a, 4), x)
    check_raises(lambda lib, a: fl(lib)(a, (4,), lib.ones(3)), x)
    check_raises(lambda lib, a: fl(lib)(a, (4,), None, lib.ones(3)), x)
    check_raises(lambda lib, a: fl(lib)(a, (4,), lib.ones(4, dtype=lib.float64)), x)
    check_raises(lambda lib, a: fl(lib)(a.double(), (4,), lib.ones(4)), x)
    check_raises(lambda lib, a: fl(lib)(a.long(), (4,)), x)
    check_raises(lambda lib, a: lib.nn.LayerNorm(5)(a), x)
    e, t = check_raises(lambda lib, a: fl(lib)(a, (3, 5)), x)
    assert str(e) == str(t)


def test_layernorm_gradcheck():
    from suanzi.autograd import gradcheck
    rng = np.random.default_rng(3)
    x = suanzi.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    w = suanzi.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    b = suanzi.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    assert gradcheck(lambda a, w, b: F_S.layer_norm(a, (2, 4), w, b), (x, w, b))
    assert gradcheck(lambda a: F_S.layer_norm(a, (4,)), (x,))


# ================================================================= GroupNorm
# groups of >= 4 values: with 3, a near-tie makes the float32 gradient ill-conditioned
@pytest.mark.parametrize("G,C,shape", [(3, 6, (2, 6, 4, 4)), (6, 6, (2, 6, 4)), (1, 6, (2, 6, 5)),
                                       (2, 8, (3, 8)), (2, 4, (2, 4, 2, 3, 2))])
@pytest.mark.parametrize("kw", [{}, {"affine": False}, {"bias": False}])
def test_groupnorm(G, C, shape, kw):
    def make(lib):
        m = lib.nn.GroupNorm(G, C, **kw)
        if m.weight is not None:
            with lib.no_grad():
                m.weight.copy_(lib.linspace(0.5, 2.0, C))
        return m
    for train in (True, False):
        check_module(make, randn(*shape), train=train)


def test_groupnorm_float64_repr_errors():
    check_module(lambda lib: lib.nn.GroupNorm(2, 4, dtype=lib.float64),
                 randn(3, 4, 5, dtype=np.float64), rtol=1e-10, atol=1e-12)
    for args, kw in [((3, 6), {}), ((2, 4), {"affine": False}), ((1, 3), {"bias": False})]:
        assert repr(suanzi.nn.GroupNorm(*args, **kw)) == repr(torch.nn.GroupNorm(*args, **kw))
        assert list(suanzi.nn.GroupNorm(*args, **kw).state_dict()) == \
            list(torch.nn.GroupNorm(*args, **kw).state_dict())
    check_raises(lambda lib: lib.nn.GroupNorm(3, 4))
    e, _ = check_raises(lambda lib: lib.nn.GroupNorm(3, 4))
    assert "divisible" in str(e)
    fg = lambda lib: lib.nn.functional.group_norm  # noqa: E731
    x = randn(2, 4, 3)
    check_raises(lambda lib, a: fg(lib)(a, 3), x)
    check_raises(lambda lib, a: fg(lib)(a, 2, lib.ones(3)), x)
    check_raises(lambda lib, a: fg(lib)(a, 2, None, lib.ones(3)), x)
    check_raises(lambda lib, a: fg(lib)(a, 1), randn(4))
    check_raises(lambda lib, a: fg(lib)(a, 3), randn(1, 3))
    check_raises(lambda lib, a: fg(lib)(a, 3).sum(), randn(1, 3, 1))
    check_raises(lambda lib, a: fg(lib)(a, -1), x)
    check_raises(lambda lib, a: fg(lib)(a, 2, lib.ones(4, dtype=lib.float64)), x)
    check_raises(lambda lib, a: fg(lib)(a.long(), 2), x)
    # the one-value-per-group error is raised in eval too
    check_raises(lambda lib, a: lib.nn.GroupNorm(3, 3).eval()(a), randn(1, 3))


def test_groupnorm_gradcheck():
    from suanzi.autograd import gradcheck
    rng = np.random.default_rng(4)
    x = suanzi.tensor(rng.standard_normal((2, 4, 3)), requires_grad=True)
    w = suanzi.tensor(rng.standard_normal(4), requires_grad=True)
    b = suanzi.tensor(rng.standard_normal(4), requires_grad=True)
    assert gradcheck(lambda a, w, b: F_S.group_norm(a, 2, w, b), (x, w, b))


# =================================================================== RMSNorm
@pytest.mark.parametrize("shape,ns", [((4, 6), 6), ((2, 3, 5), [3, 5]), ((5,), [5])])
@pytest.mark.parametrize("kw", [{}, {"eps": 1e-3}, {"elementwise_affine": False}])
def test_rmsnorm(shape, ns, kw):
    def make(lib):
        m = lib.nn.RMSNorm(ns, **kw)
        if m.weight is not None:
            with lib.no_grad():
                m.weight.copy_(lib.linspace(0.5, 2.0, m.weight.numel()).reshape(m.weight.shape))
        return m
    check_module(make, randn(*shape))
    # eps=None uses the float64 machine epsilon for double inputs: tiny inputs show it
    check(lambda lib, a: lib.nn.functional.rms_norm(a, ns if isinstance(ns, list) else [ns]),
          randn(*shape, dtype=np.float64) * 1e-9, rtol=1e-10, atol=1e-12)


def test_rmsnorm_eps_none_float32_tiny_inputs():
    check(lambda lib, a: lib.nn.functional.rms_norm(a, [4]), randn(3, 4) * 1e-4, rtol=1e-4)
    check(lambda lib, a: lib.nn.functional.rms_norm(a.half(), [4]), randn(3, 4), grad=False,
          rtol=2e-3, atol=2e-3)


def test_rmsnorm_repr_errors_gradcheck():
    for args, kw in [((4,), {}), (([2, 3],), {"eps": 1e-6}),
                     ((3,), {"elementwise_affine": False})]:
        assert repr(suanzi.nn.RMSNorm(*args, **kw)) == repr(torch.nn.RMSNorm(*args, **kw))
    x = randn(2, 3)
    check_raises(lambda lib, a: lib.nn.functional.rms_norm(a, [4]), x)
    check_raises(lambda lib, a: lib.nn.functional.rms_norm(a, [3], lib.ones(4)), x)
    check_raises(lambda lib, a: lib.nn.functional.rms_norm(a, 3), x)
    check_raises(lambda lib, a: lib.nn.functional.rms_norm(a.long(), [3]), x)
    from suanzi.autograd import gradcheck
    rng = np.random.default_rng(5)
    xs = suanzi.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = suanzi.tensor(rng.standard_normal(4), requires_grad=True)
    assert gradcheck(lambda a, w: F_S.rms_norm(a, [4], w), (xs, w))


# ====================================================== normalize, LRN
@pytest.mark.parametrize("kw", [{}, {"p": 1.0, "dim": -1}, {"p": 3, "dim": 0},
                                {"p": float("inf")}, {"dim": (1, 2)}])
def test_normalize(kw):
    check(lambda lib, a: lib.nn.functional.normalize(a, **kw), randn(3, 4, 5))


def test_normalize_zero_rows_and_errors():
    x = randn(3, 4)
    x[1] = 0
    check(lambda lib, a: lib.nn.functional.normalize(a), x, grad=False)
    check_raises(lambda lib, a: lib.nn.functional.normalize(a, dim=3), randn(2, 3))
    check_raises(lambda lib, a: lib.nn.functional.normalize(a.long()), randn(2, 3))


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("shape", [(2, 5, 6), (2, 5, 3, 4), (1, 6, 2, 2, 3)])
def test_local_response_norm(size, shape):
    check_module(lambda lib: lib.nn.LocalResponseNorm(size, alpha=0.5, beta=0.8, k=2.0),
                 randn(*shape))


def test_local_response_norm_repr_errors_gradcheck():
    assert repr(suanzi.nn.LocalResponseNorm(2)) == repr(torch.nn.LocalResponseNorm(2))
    assert repr(suanzi.nn.LocalResponseNorm(3, 1e-3, 0.5, 2)) == \
        repr(torch.nn.LocalResponseNorm(3, 1e-3, 0.5, 2))
    check_raises(lambda lib, a: lib.nn.functional.local_response_norm(a, 2), randn(3, 4))
    check_raises(lambda lib, a: lib.nn.functional.local_response_norm(a, 0), randn(2, 3, 4))
    check(lambda lib, a: lib.nn.functional.local_response_norm(a, 3), randn(0, 3, 4))
    from suanzi.autograd import gradcheck
    rng = np.random.default_rng(6)
    x = suanzi.tensor(rng.standard_normal((2, 5, 3)), requires_grad=True)
    assert gradcheck(lambda a: F_S.local_response_norm(a, 3, alpha=0.5, beta=0.7, k=1.5), (x,))


# ================================================================ SwitchNorm
def _sn_reference(x, weight, bias, mean_weight, var_weight, running_mean, running_var, training,
                  momentum, using_moving_average=True, using_bn=True, eps=1e-5, correction=1):
    """Spec §4.6 written out with torch ops (the oracle for SwitchNorm2d/3d)."""
    N, C = x.shape[:2]
    xv = x.reshape(N, C, -1)
    mean_in = xv.mean(-1, keepdim=True)
    var_in = xv.var(-1, keepdim=True, correction=correction)
    mean_ln = mean_in.mean(1, keepdim=True)
    temp = var_in + mean_in ** 2
    var_ln = temp.mean(1, keepdim=True) - mean_ln ** 2
    mw, vw = torch.softmax(mean_weight, 0), torch.softmax(var_weight, 0)
    if using_bn:
        if training:
            mean_bn = mean_in.mean(0, keepdim=True)
            var_bn = temp.mean(0, keepdim=True) - mean_bn ** 2
            with torch.no_grad():
                if using_moving_average:
                    running_mean.mul_(momentum).add_((1 - momentum) * mean_bn)
                    running_var.mul_(momentum).add_((1 - momentum) * var_bn)
                else:
                    running_mean.add_(mean_bn)
                    running_var.add_(mean_bn ** 2 + var_bn)
        else:
            mean_bn, var_bn = running_mean, running_var
        mean = mw[0] * mean_in + mw[1] * mean_ln + mw[2] * mean_bn
        var = vw[0] * var_in + vw[1] * var_ln + vw[2] * var_bn
    else:
        mean = mw[0] * mean_in + mw[1] * mean_ln
        var = vw[0] * var_in + vw[1] * var_ln
    y = ((xv - mean) / (var + eps).sqrt()).reshape(x.shape)
    return y * weight + bias


def _sn_compare(sm, shape, steps, momentum, **kw):
    rng = np.random.default_rng(7)
    sd = {k: v.detach().numpy().copy() for k, v in sm.state_dict().items()}
    # non-uniform mixing weights and affine parameters
    sd["mean_weight"] = rng.standard_normal(sd["mean_weight"].shape).astype(np.float32)
    sd["var_weight"] = rng.standard_normal(sd["var_weight"].shape).astype(np.float32)
    sd["weight"] = rng.uniform(0.5, 2, sd["weight"].shape).astype(np.float32)
    sd["bias"] = rng.standard_normal(sd["bias"].shape).astype(np.float32)
    sm.load_state_dict(sd)
    tp = {k: torch.from_numpy(v.copy()) for k, v in sd.items()}
    for k in ("weight", "bias", "mean_weight", "var_weight"):
        tp[k].requires_grad_(True)
    for step, training in enumerate([True] * steps + [False]):
        x = rng.standard_normal(shape).astype(np.float32) * 2 + 0.5
        sm.train(training)
        xs, xt = to_suanzi(x, True), to_torch(x, True)
        ys = sm(xs)
        yt = _sn_reference(xt, tp["weight"], tp["bias"], tp["mean_weight"], tp["var_weight"],
                           tp.get("running_mean"), tp.get("running_var"), training, momentum,
                           **kw)
        assert_same(ys, yt, rtol=1e-4, atol=1e-5, what=f"output step {step}")
        g = rng.standard_normal(shape).astype(np.float32)
        (ys * suanzi.from_numpy(g)).sum().backward()
        (yt * torch.from_numpy(g)).sum().backward()
        assert_same(xs.grad, xt.grad, rtol=1e-3, atol=1e-4, what="grad x")
        for k in ("weight", "bias", "mean_weight", "var_weight"):
            p = dict(sm.named_parameters())[k]
            assert_same(p.grad, tp[k].grad, rtol=1e-3, atol=1e-4, what=f"grad {k}")
            p.grad = None
            tp[k].grad = None
        for k in ("running_mean", "running_var"):
            if k in tp:
                assert_same(sm.state_dict()[k], tp[k], rtol=1e-5, atol=1e-6, what=k)


@pytest.mark.parametrize("kw", [{}, {"using_moving_average": False}, {"using_bn": False},
                                {"momentum": 0.5}, {"var_correction": 0}])
def test_switchnorm2d_against_reference(kw):
    momentum = kw.get("momentum", 0.9)
    sm = suanzi.nn.SwitchNorm2d(3, **kw)
    ref_kw = {k: v for k, v in kw.items() if k in ("using_moving_average", "using_bn")}
    if "var_correction" in kw:
        ref_kw["correction"] = kw["var_correction"]
    _sn_compare(sm, (4, 3, 5, 4), 3, momentum, **ref_kw)


def test_switchnorm3d_against_reference():
    _sn_compare(suanzi.nn.SwitchNorm3d(2), (3, 2, 3, 2, 4), 2, 0.997)


def test_switchnorm2d_layout_and_init():
    m = suanzi.nn.SwitchNorm2d(5)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias", "mean_weight", "var_weight"]
    assert list(m.state_dict()) == ["weight", "bias", "mean_weight", "var_weight",
                                    "running_mean", "running_var"]
    assert tuple(m.weight.shape) == (1, 5, 1, 1) and tuple(m.running_mean.shape) == (1, 5, 1)
    assert float(m.running_var.abs().sum()) == 0 and float(m.weight.sum()) == 5
    assert tuple(m.mean_weight.shape) == (3,) and float(m.mean_weight.sum()) == 3
    assert float(suanzi.nn.SwitchNorm2d(5, last_gamma=True).weight.abs().sum()) == 0
    nb = suanzi.nn.SwitchNorm2d(5, using_bn=False)
    assert tuple(nb.mean_weight.shape) == (2,) and "running_mean" not in nb.state_dict()
    assert repr(m) == ("SwitchNorm2d(5, eps=1e-05, momentum=0.9, using_moving_average=True, "
                       "using_bn=True, last_gamma=False)")
    with pytest.raises(ValueError, match="expected 4D input"):
        m(suanzi.randn(2, 5, 3))
    with pytest.raises(ValueError, match="expected 2D input"):
        suanzi.nn.SwitchNorm1d(5)(suanzi.randn(2, 5, 3))


def test_switchnorm_batch_average_helper():
    m = suanzi.nn.SwitchNorm2d(3, using_moving_average=False)
    xs = [randn(4, 3, 4, 4) * (i + 1) + i for i in range(3)]
    means, vars_ = [], []
    for x in xs:
        m(to_suanzi(x))
        xt = torch.from_numpy(x).reshape(4, 3, -1)
        mi, vi = xt.mean(-1), xt.var(-1)
        mb = mi.mean(0)
        means.append(mb)
        vars_.append((vi + mi ** 2).mean(0) - mb ** 2)
    m.finalize_batch_average(3)
    s1 = torch.stack(means).mean(0)
    s2 = torch.stack([v + mu ** 2 for v, mu in zip(vars_, means)]).mean(0)
    assert_same(m.running_mean.reshape(3), s1, rtol=1e-5, atol=1e-5)
    assert_same(m.running_var.reshape(3), s2 - s1 ** 2, rtol=1e-4, atol=1e-5)


def test_switchnorm1d_against_reference():
    rng = np.random.default_rng(8)
    sm = suanzi.nn.SwitchNorm1d(4, momentum=0.8)
    assert tuple(sm.mean_weight.shape) == (2,) and tuple(sm.running_var.shape) == (1, 4)
    mw = rng.standard_normal(2).astype(np.float32)
    vw = rng.standard_normal(2).astype(np.float32)
    sd = sm.state_dict()
    sd = {k: v.numpy().copy() for k, v in sd.items()}
    sd["mean_weight"], sd["var_weight"] = mw, vw
    sm.load_state_dict(sd)
    rmean, rvar = torch.zeros(1, 4), torch.zeros(1, 4)
    for training in (True, True, False):
        x = rng.standard_normal((6, 4)).astype(np.float32) + 1
        sm.train(training)
        xs, xt = to_suanzi(x, True), to_torch(x, True)
        tmw, tvw = torch.tensor(mw, requires_grad=True), torch.tensor(vw, requires_grad=True)
        ys = sm(xs)
        mean_ln, var_ln = xt.mean(1, keepdim=True), xt.var(1, keepdim=True)
        if training:
            mean_bn, var_bn = xt.mean(0, keepdim=True), xt.var(0, keepdim=True)
            with torch.no_grad():
                rmean.mul_(0.8).add_(0.2 * mean_bn)
                rvar.mul_(0.8).add_(0.2 * var_bn)
        else:
            mean_bn, var_bn = rmean, rvar
        a, v = torch.softmax(tmw, 0), torch.softmax(tvw, 0)
        mean = a[0] * mean_ln + a[1] * mean_bn
        var = v[0] * var_ln + v[1] * var_bn
        yt = (xt - mean) / (var + 1e-5).sqrt()
        assert_same(ys, yt, rtol=1e-4, atol=1e-5)
        ys.sum().backward() if False else (ys ** 2).sum().backward()
        (yt ** 2).sum().backward()
        assert_same(xs.grad, xt.grad, rtol=1e-3, atol=1e-4)
        assert_same(sm.mean_weight.grad, tmw.grad, rtol=1e-3, atol=1e-4)
        sm.zero_grad()
        assert_same(sm.running_mean, rmean)
        assert_same(sm.running_var, rvar)


# ===================================================== the lesson's §3 blocks
def test_lesson_section3_blocks():
    for lib in (torch, suanzi):
        nn = lib.nn
        m = nn.BatchNorm2d(100)
        m = nn.BatchNorm2d(100, affine=False)
        input = lib.randn(20, 100, 35, 45)
        output = m(input)
        assert tuple(output.shape) == (20, 100, 35, 45)
        embedding = lib.randn(20, 5, 10)
        output = nn.LayerNorm(10)(embedding)
        assert tuple(output.shape) == (20, 5, 10)
        m = nn.InstanceNorm2d(100)
        m = nn.InstanceNorm2d(100, affine=True)
        output = m(lib.randn(20, 100, 35, 45))
        assert tuple(output.shape) == (20, 100, 35, 45)
        input = lib.randn(20, 6, 10, 10)
        for g in (3, 6, 1):
            output = nn.GroupNorm(g, 6)(input)
            assert tuple(output.shape) == (20, 6, 10, 10)
    # and the values, with the same inputs
    x = randn(20, 100, 7, 9)
    check_module(lambda lib: lib.nn.BatchNorm2d(100, affine=False), x, rtol=1e-4, atol=1e-5)
    check_module(lambda lib: lib.nn.InstanceNorm2d(100, affine=True), x, rtol=1e-4, atol=1e-5)
    check_module(lambda lib: lib.nn.LayerNorm(10), randn(20, 5, 10))
    for g in (3, 6, 1):
        check_module(lambda lib: lib.nn.GroupNorm(g, 6), randn(20, 6, 10, 10), rtol=1e-4,
                     atol=1e-5)


# ====================================================== fast-path edge cases
def test_norm_row_buffer_paths_and_bufsize_restored():
    # rows of >= 512 elements run with NumPy's ufunc buffer set to the row
    # length (layer norm D, batch/instance norm spatial size, group norm
    # K·L): outputs and all grads against torch, and the setting restored
    before = np.getbufsize()
    x = randn(3, 5, 640)
    check(lambda lib, a, w, b: lib.nn.functional.layer_norm(a, (640,), w, b), x,
          randn(640) + 1, randn(640), rtol=1e-4, atol=1e-5)
    check(lambda lib, a: lib.nn.functional.layer_norm(a, (640,)), x, rtol=1e-4, atol=1e-5)
    xb = randn(3, 4, 24, 24)
    for train in (True, False):
        check(lambda lib, a, w, b: lib.nn.functional.batch_norm(
            a, lib.zeros(4) + 0.5, lib.ones(4) * 2, w, b, train), xb, randn(4) + 1, randn(4),
            rtol=1e-4, atol=1e-5)
    check(lambda lib, a, w, b: lib.nn.functional.group_norm(a, 2, w, b), xb, randn(4) + 1,
          randn(4), rtol=1e-4, atol=1e-5)
    check(lambda lib, a, w, b: lib.nn.functional.instance_norm(a, weight=w, bias=b), xb,
          randn(4) + 1, randn(4), rtol=1e-4, atol=1e-5)
    assert np.getbufsize() == before


def test_batchnorm_train_backward_large_mean_channel():
    # a channel whose mean is large against its spread takes the centered
    # Σg·(x − mean) loop instead of Σg·x − mean·Σg
    x = randn(4, 3, 6, 6)
    x[:, 1] = x[:, 1] * 0.1 + 20.0
    check(lambda lib, a, w, b: lib.nn.functional.batch_norm(a, None, None, w, b, True), x,
          randn(3) + 1, randn(3), rtol=1e-3, atol=1e-4)
