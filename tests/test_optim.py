"""suanzi.optim against torch.optim: the same small CNN, the same initial
weights and batches, trained with each optimizer in both libraries."""
import copy
import importlib
import inspect
import warnings

import numpy as np
import pytest
import torch

import suanzi

STEPS = 20
RNG = np.random.default_rng(1234)
X = RNG.standard_normal((STEPS, 8, 1, 8, 8)).astype(np.float32)
Y = RNG.integers(0, 3, (STEPS, 8))


def make_cnn(lib):
    # the convolution has no bias: before BatchNorm its gradient is only rounding
    # noise (BN removes any per-channel shift), which Adam-like optimizers
    # normalise into lr-sized steps in random directions — in either library.
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def twin_models():
    torch.manual_seed(0)
    tm = make_cnn(torch)
    sm = make_cnn(suanzi)
    res = sm.load_state_dict(tm.state_dict())
    assert not res.missing_keys and not res.unexpected_keys
    return tm, sm


def train_step(lib, model, opt, i, closure=False):
    loss_fn = lib.nn.CrossEntropyLoss()
    x, y = lib.from_numpy(X[i].copy()), lib.from_numpy(Y[i].copy())

    def compute():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss

    if closure:
        return float(opt.step(compute))
    loss = compute()
    opt.step()
    return float(loss)


def assert_models_close(sm, tm, rtol=1e-4, atol=1e-4):
    t_sd, s_sd = tm.state_dict(), sm.state_dict()
    assert list(t_sd) == list(s_sd)
    for k, v in t_sd.items():
        np.testing.assert_allclose(s_sd[k].numpy().astype(np.float64),
                                   v.numpy().astype(np.float64), rtol=rtol, atol=atol, err_msg=k)


def to_np(v):
    if isinstance(v, torch.Tensor):
        return v.numpy()
    return np.asarray(v._data)


def assert_opt_state_close(s_opt, t_opt, rtol=1e-4, atol=1e-5):
    """Same state_dict structure, the same group options, close state tensors."""
    s_sd, t_sd = s_opt.state_dict(), t_opt.state_dict()
    assert s_sd["param_groups"] == t_sd["param_groups"]
    assert list(s_sd["state"]) == list(t_sd["state"])
    for idx, t_state in t_sd["state"].items():
        s_state = s_sd["state"][idx]
        assert list(s_state) == list(t_state), f"state[{idx}] keys"
        for key, tv in t_state.items():
            sv = s_state[key]
            assert isinstance(sv, suanzi.Tensor), f"state[{idx}][{key!r}] is not a tensor"
            assert str(sv.dtype) == str(tv.dtype), f"state[{idx}][{key!r}] dtype"
            assert tuple(sv.shape) == tuple(tv.shape)
            np.testing.assert_allclose(to_np(sv), to_np(tv), rtol=rtol, atol=atol,
                                       err_msg=f"state[{idx}][{key!r}]")


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=1e-2)),
    ("SGD", dict(lr=1e-3, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=1e-2)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.9), eps=1e-6)),
    ("Adam", dict(lr=1e-3, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=1e-2)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=1e-2, initial_accumulator_value=0.1,
                     eps=1e-8)),
]


@pytest.mark.parametrize("name,kwargs", CONFIGS,
                         ids=[f"{n}-{'-'.join(k for k in kw if k != 'lr') or 'default'}"
                              for n, kw in CONFIGS])
def test_training_parity(name, kwargs):
    tm, sm = twin_models()
    t_opt = getattr(torch.optim, name)(tm.parameters(), **kwargs)
    s_opt = getattr(suanzi.optim, name)(sm.parameters(), **kwargs)
    for i in range(STEPS):
        lt = train_step(torch, tm, t_opt, i)
        ls = train_step(suanzi, sm, s_opt, i)
        assert abs(ls - lt) <= 1e-4 * abs(lt), f"step {i}: loss {ls} vs torch {lt}"
    assert_models_close(sm, tm)
    assert_opt_state_close(s_opt, t_opt)


def test_param_groups_with_their_own_options():
    tm, sm = twin_models()

    def groups(m, lib):
        return [{"params": m[0].parameters(), "lr": 0.02, "weight_decay": 0.1},
                {"params": list(m[1].parameters()), "momentum": 0.0},
                {"params": m[5].parameters(), "nesterov": True, "momentum": 0.5}]

    t_opt = torch.optim.SGD(groups(tm, torch), lr=0.05, momentum=0.9)
    s_opt = suanzi.optim.SGD(groups(sm, suanzi), lr=0.05, momentum=0.9)
    assert s_opt.param_groups[0]["lr"] == 0.02 and s_opt.param_groups[1]["lr"] == 0.05
    for i in range(STEPS):
        lt, ls = train_step(torch, tm, t_opt, i), train_step(suanzi, sm, s_opt, i)
        assert abs(ls - lt) <= 1e-4 * abs(lt)
    assert_models_close(sm, tm)
    assert_opt_state_close(s_opt, t_opt)


def test_named_parameters_and_closure():
    tm, sm = twin_models()
    t_opt = torch.optim.Adam(tm.named_parameters(), lr=0.01)
    s_opt = suanzi.optim.Adam(sm.named_parameters(), lr=0.01)
    assert s_opt.param_groups[0]["param_names"] == t_opt.param_groups[0]["param_names"]
    for i in range(5):
        lt = train_step(torch, tm, t_opt, i, closure=True)
        ls = train_step(suanzi, sm, s_opt, i, closure=True)
        assert abs(ls - lt) <= 1e-4 * abs(lt)
    assert s_opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]
    assert_models_close(sm, tm)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_signature_defaults_and_repr_match_torch(name):
    s_cls, t_cls = getattr(suanzi.optim, name), getattr(torch.optim, name)
    s_sig, t_sig = inspect.signature(s_cls), inspect.signature(t_cls)
    assert [(p.name, p.kind, p.default) for p in s_sig.parameters.values()] == \
        [(p.name, p.kind, p.default) for p in t_sig.parameters.values()]
    tp = torch.nn.Parameter(torch.zeros(3))
    sp = suanzi.nn.Parameter(suanzi.zeros(3))
    t_opt, s_opt = t_cls([tp], lr=0.5), s_cls([sp], lr=0.5)
    assert s_opt.defaults == t_opt.defaults
    assert repr(s_opt) == repr(t_opt)
    assert s_opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]


def test_state_dict_format():
    tm, sm = twin_models()
    t_opt = torch.optim.Adam(tm.parameters(), lr=0.01, amsgrad=True)
    s_opt = suanzi.optim.Adam(sm.parameters(), lr=0.01, amsgrad=True)
    for i in range(2):
        train_step(torch, tm, t_opt, i)
        train_step(suanzi, sm, s_opt, i)
    sd = s_opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sd["param_groups"][0]["params"] == list(range(len(list(sm.parameters()))))
    step = sd["state"][0]["step"]
    assert isinstance(step, suanzi.Tensor) and step.dim() == 0 and step.dtype == suanzi.float32
    assert step.item() == 2.0
    # the state is keyed by the parameter itself
    p0 = next(iter(sm.parameters()))
    assert s_opt.state[p0]["exp_avg"] is sd["state"][0]["exp_avg"]
    assert_opt_state_close(s_opt, t_opt)


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.3, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
])
def test_state_dict_round_trip_resumes_the_same_trajectory(name, kwargs):
    # uninterrupted run
    _, ref = twin_models()
    ref_opt = getattr(suanzi.optim, name)(ref.parameters(), **kwargs)
    ref_losses = [train_step(suanzi, ref, ref_opt, i) for i in range(10)]

    # 5 steps, checkpoint, a fresh model and optimizer load it, 5 more steps
    _, a = twin_models()
    a_opt = getattr(suanzi.optim, name)(a.parameters(), **kwargs)
    losses = [train_step(suanzi, a, a_opt, i) for i in range(5)]
    model_ckpt = copy.deepcopy(a.state_dict())
    opt_ckpt = copy.deepcopy(a_opt.state_dict())
    _, b = twin_models()
    b.load_state_dict(model_ckpt)
    b_opt = getattr(suanzi.optim, name)(b.parameters(), lr=123.0)  # options come from the ckpt
    b_opt.load_state_dict(opt_ckpt)
    assert b_opt.param_groups[0]["lr"] == kwargs["lr"]
    losses += [train_step(suanzi, b, b_opt, i) for i in range(5, 10)]
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-6)
    assert_models_close(b, ref, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.2)),
    ("Adagrad", dict(lr=0.1)),
])
def test_load_torch_optimizer_state_dict(name, kwargs):
    """A torch optimizer's state_dict (torch tensors) loads into suanzi, and
    both then continue in step; suanzi's loads back into torch too."""
    tm, sm = twin_models()
    t_opt = getattr(torch.optim, name)(tm.parameters(), **kwargs)
    for i in range(5):
        train_step(torch, tm, t_opt, i)
    sm.load_state_dict(tm.state_dict())
    s_opt = getattr(suanzi.optim, name)(sm.parameters(), **kwargs)
    s_opt.load_state_dict(t_opt.state_dict())
    for key, v in s_opt.state_dict()["state"][0].items():
        assert isinstance(v, suanzi.Tensor), key
    for i in range(5, 12):
        lt, ls = train_step(torch, tm, t_opt, i), train_step(suanzi, sm, s_opt, i)
        assert abs(ls - lt) <= 1e-4 * abs(lt)
    assert_models_close(sm, tm)
    assert_opt_state_close(s_opt, t_opt)

    # suanzi -> torch (as a checkpoint would carry it: arrays turned into torch tensors)
    s_sd = s_opt.state_dict()
    t_sd = {"state": {k: {kk: torch.from_numpy(np.array(vv._data)) for kk, vv in st.items()}
                      for k, st in s_sd["state"].items()},
            "param_groups": copy.deepcopy(s_sd["param_groups"])}
    t_opt2 = getattr(torch.optim, name)(tm.parameters(), **kwargs)
    t_opt2.load_state_dict(t_sd)
    assert_opt_state_close(s_opt, t_opt2)


def test_zero_grad():
    for set_to_none in (True, False):
        results = []
        for lib in (torch, suanzi):
            p = lib.nn.Parameter(lib.ones(3))
            q = lib.nn.Parameter(lib.ones(2))  # never gets a gradient
            opt = lib.optim.SGD([p, q], lr=0.1)
            (p * 2).sum().backward()
            opt.zero_grad(set_to_none=set_to_none)
            results.append((p.grad is None, q.grad is None,
                            None if p.grad is None else p.grad.tolist()))
        assert results[0] == results[1]
    p = suanzi.nn.Parameter(suanzi.ones(3))
    opt = suanzi.optim.SGD([p])
    (p * 2).sum().backward()
    opt.zero_grad()
    assert p.grad is None


def test_parameters_without_grad_are_skipped_and_versions_bump():
    p = suanzi.nn.Parameter(suanzi.ones(3))
    q = suanzi.nn.Parameter(suanzi.ones(2))
    opt = suanzi.optim.Adam([p, q], lr=0.1)
    (p * 2).sum().backward()
    v_p, v_q = p._version, q._version
    opt.step()
    assert p._version > v_p and q._version == v_q
    assert len(opt.state[p]) == 3 and q not in opt.state
    assert q.tolist() == [1.0, 1.0]
    # the step is taken under no_grad: the parameter stays a leaf
    assert p.is_leaf and p.grad_fn is None and p.requires_grad


def test_add_param_group_and_step_hooks():
    for lib in (torch, suanzi):
        p = lib.nn.Parameter(lib.ones(3))
        q = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": q, "lr": 0.01})
        assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
        calls = []
        h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
        h2 = opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
        ((p * 3).sum() + (q * 2).sum()).backward()
        opt.step()
        assert calls == ["pre", "post"]
        h1.remove()
        h2.remove()
        opt.step()
        assert calls == ["pre", "post"]
        if lib is torch:
            t_vals = (p.detach().numpy().copy(), q.detach().numpy().copy())
        else:
            np.testing.assert_allclose(p.detach().numpy(), t_vals[0], rtol=1e-6)
            np.testing.assert_allclose(q.detach().numpy(), t_vals[1], rtol=1e-6)


def test_tensor_lr():
    results = []
    for lib in (torch, suanzi):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = lib.optim.Adam([p], lr=lib.tensor(0.1))
        for _ in range(3):
            opt.zero_grad()
            (p ** 2).sum().backward()
            opt.step()
        results.append(p.detach().numpy().copy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)


def test_float64_parameters():
    results = []
    for lib in (torch, suanzi):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64))
        opt = lib.optim.RMSprop([p], lr=0.01, centered=True, momentum=0.9)
        for _ in range(5):
            opt.zero_grad()
            (p ** 3).sum().backward()
            opt.step()
        results.append((p.detach().numpy().copy(), str(opt.state[p]["square_avg"].dtype)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)
    assert results[1][1] == results[0][1]


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.1)),
    ("Adam", dict(lr=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.1, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1)),
])
def test_complex_parameters(name, kwargs):
    """Complex parameters are updated on their real view, as torch does."""
    grads = RNG.standard_normal((3, 2, 2)).astype(np.float32).view(np.complex64)[..., 0]
    results = []
    for lib in (torch, suanzi):
        p = lib.nn.Parameter(lib.tensor([1 + 2j, -0.5 + 0.25j], dtype=lib.complex64))
        opt = getattr(lib.optim, name)([p], **kwargs)
        for g in grads:
            p.grad = lib.from_numpy(g.copy())
            opt.step()
        results.append(p.detach().numpy().copy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5)


def _both_raise(make, exc=None):
    with pytest.raises(Exception) as t_err:
        make(torch)
    with pytest.raises(Exception) as s_err:
        make(suanzi)
    expected = exc or type(t_err.value)
    assert isinstance(s_err.value, expected), \
        f"suanzi raised {type(s_err.value).__name__}: {s_err.value}; torch " \
        f"{type(t_err.value).__name__}: {t_err.value}"
    return str(s_err.value), str(t_err.value)


def _p(lib):
    return [lib.nn.Parameter(lib.ones(2))]


@pytest.mark.parametrize("make", [
    lambda lib: lib.optim.SGD(_p(lib), lr=-1),
    lambda lib: lib.optim.SGD(_p(lib), momentum=-0.5),
    lambda lib: lib.optim.SGD(_p(lib), weight_decay=-1),
    lambda lib: lib.optim.SGD(_p(lib), nesterov=True),
    lambda lib: lib.optim.SGD(_p(lib), momentum=0.9, dampening=0.1, nesterov=True),
    lambda lib: lib.optim.Adam(_p(lib), betas=(1.0, 0.999)),
    lambda lib: lib.optim.Adam(_p(lib), betas=(0.9, -0.1)),
    lambda lib: lib.optim.Adam(_p(lib), eps=-1e-8),
    lambda lib: lib.optim.Adam(_p(lib), betas=(0.9, 1)),
    lambda lib: lib.optim.AdamW(_p(lib), weight_decay=-0.1),
    lambda lib: lib.optim.RMSprop(_p(lib), alpha=-0.1),
    lambda lib: lib.optim.RMSprop(_p(lib), momentum=-0.1),
    lambda lib: lib.optim.Adagrad(_p(lib), lr_decay=-0.1),
    lambda lib: lib.optim.Adagrad(_p(lib), initial_accumulator_value=-1),
    lambda lib: lib.optim.SGD(_p(lib), fused=True, foreach=True),
    lambda lib: lib.optim.SGD([], lr=0.1),
    lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True), lr=0.1),
    lambda lib: lib.optim.SGD(_p(lib)).add_param_group({"params": {lib.nn.Parameter(lib.ones(2))}}),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
    lambda lib: lib.optim.SGD([1.0], lr=0.1),
    lambda lib: lib.optim.SGD([{"params": _p(lib) + (ps := _p(lib))}, {"params": ps}]),
    lambda lib: lib.optim.SGD(_p(lib)).add_param_group({"params": _p(lib), "lr": 0.1,
                                                        "param_names": ["a"]}) or
    lib.optim.SGD(lib.nn.Linear(2, 2).named_parameters()).add_param_group({"params": _p(lib)}),
    lambda lib: lib.optim.SGD(_p(lib)).add_param_group([1]),
    lambda lib: lib.optim.SGD(_p(lib)).load_state_dict(
        lib.optim.SGD([{"params": _p(lib)}, {"params": _p(lib)}]).state_dict()),
    lambda lib: lib.optim.SGD(_p(lib)).load_state_dict(
        lib.optim.SGD(_p(lib) + _p(lib)).state_dict()),
    lambda lib: lib.optim.Optimizer(_p(lib), {}).step(),
    lambda lib: lib.optim.Optimizer([{"params": _p(lib)}], {"lr": importlib.import_module(
        lib.__name__ + ".optim.optimizer").required}),
])
def test_errors_match_torch(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _both_raise(make)


def test_duplicate_parameters_warn():
    p = suanzi.nn.Parameter(suanzi.ones(2))
    with pytest.warns(UserWarning, match="duplicate parameters"):
        suanzi.optim.SGD([p, p], lr=0.1)


def test_differentiable_is_refused():
    with pytest.raises(NotImplementedError):
        suanzi.optim.SGD(_p(suanzi), lr=0.1, differentiable=True)
