"""suanzi.optim.lr_scheduler against torch.optim.lr_scheduler: the same
learning-rate (and momentum) sequences over 50 steps, state dicts, errors."""
import copy
import warnings

import numpy as np
import pytest
import torch

import suanzi

STEPS = 50


def make_opt(lib, kind="SGD"):
    p = lib.nn.Parameter(lib.zeros(2))
    q = lib.nn.Parameter(lib.zeros(3))
    groups = [{"params": [p]}, {"params": [q], "lr": 0.05}]
    if kind == "Adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def snapshot(opt, sched):
    out = [float(x) for x in sched.get_last_lr()]
    for g in opt.param_groups:
        out.append(float(g["lr"]))
        out.append(float(g["betas"][0] if "betas" in g else g["momentum"]))
    return out


def run(lib, make_sched, kind="SGD", steps=STEPS, metrics=None):
    opt = make_opt(lib, kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make_sched(lib, opt)
        seq = [snapshot(opt, sched)]
        for i in range(steps):
            opt.step()
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[i])
            seq.append(snapshot(opt, sched))
    return np.array(seq), opt, sched


def S(lib):
    return lib.optim.lr_scheduler


SCHEDULERS = {
    "StepLR": lambda lib, o: S(lib).StepLR(o, step_size=7, gamma=0.5),
    "StepLR-1": lambda lib, o: S(lib).StepLR(o, 1),
    "MultiStepLR": lambda lib, o: S(lib).MultiStepLR(o, milestones=[5, 10, 10, 30], gamma=0.3),
    "ExponentialLR": lambda lib, o: S(lib).ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda lib, o: S(lib).CosineAnnealingLR(o, T_max=50),
    "CosineAnnealingLR-cycles": lambda lib, o: S(lib).CosineAnnealingLR(o, T_max=10, eta_min=1e-3),
    "LinearLR": lambda lib, o: S(lib).LinearLR(o),
    "LinearLR-opts": lambda lib, o: S(lib).LinearLR(o, start_factor=0.1, end_factor=0.9,
                                                    total_iters=20),
    "ConstantLR": lambda lib, o: S(lib).ConstantLR(o, factor=0.5, total_iters=4),
    "PolynomialLR": lambda lib, o: S(lib).PolynomialLR(o, total_iters=30, power=2.0),
    "LambdaLR": lambda lib, o: S(lib).LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda lib, o: S(lib).LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: 0.9]),
    "MultiplicativeLR": lambda lib, o: S(lib).MultiplicativeLR(o, lambda e: 0.97),
    "OneCycleLR": lambda lib, o: S(lib).OneCycleLR(o, max_lr=1.0, total_steps=STEPS),
    "OneCycleLR-opts": lambda lib, o: S(lib).OneCycleLR(
        o, max_lr=[1.0, 0.5], epochs=5, steps_per_epoch=10, pct_start=0.25,
        anneal_strategy="linear", three_phase=True, div_factor=10.0, final_div_factor=100.0,
        base_momentum=0.8, max_momentum=[0.9, 0.95]),
    "OneCycleLR-no-momentum": lambda lib, o: S(lib).OneCycleLR(
        o, max_lr=0.3, total_steps=60, cycle_momentum=False),
    "CyclicLR": lambda lib, o: S(lib).CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5,
                                               mode="triangular2"),
    "CyclicLR-exp": lambda lib, o: S(lib).CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1,
                                                   step_size_up=4, step_size_down=7,
                                                   mode="exp_range", gamma=0.97),
    "CosineAnnealingWarmRestarts": lambda lib, o: S(lib).CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=0.01),
    "CosineAnnealingWarmRestarts-1": lambda lib, o: S(lib).CosineAnnealingWarmRestarts(o, T_0=7),
    "SequentialLR": lambda lib, o: S(lib).SequentialLR(
        o, [S(lib).LinearLR(o, start_factor=0.1, total_iters=5),
            S(lib).ExponentialLR(o, gamma=0.9)], milestones=[5]),
    "SequentialLR-3": lambda lib, o: S(lib).SequentialLR(
        o, [S(lib).ConstantLR(o, factor=0.2, total_iters=3),
            S(lib).CosineAnnealingLR(o, T_max=20),
            S(lib).StepLR(o, step_size=4)], milestones=[3, 23]),
    "ChainedScheduler": lambda lib, o: S(lib).ChainedScheduler(
        [S(lib).ConstantLR(o, factor=0.1, total_iters=2), S(lib).ExponentialLR(o, gamma=0.9)]),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    make = SCHEDULERS[name]
    t_seq, _, _ = run(torch, make)
    s_seq, _, _ = run(suanzi, make)
    np.testing.assert_allclose(s_seq, t_seq, rtol=1e-13, atol=0)


@pytest.mark.parametrize("name", ["OneCycleLR", "OneCycleLR-opts", "CyclicLR"])
def test_cycle_momentum_with_adam_betas(name):
    t_seq, t_opt, _ = run(torch, SCHEDULERS[name], kind="Adam")
    s_seq, s_opt, _ = run(suanzi, SCHEDULERS[name], kind="Adam")
    np.testing.assert_allclose(s_seq, t_seq, rtol=1e-13, atol=0)
    assert s_opt.param_groups[0]["betas"][1] == t_opt.param_groups[0]["betas"][1] == 0.999


PLATEAU = {
    "min-rel": dict(),
    "min-abs": dict(mode="min", factor=0.5, patience=2, threshold=0.05, threshold_mode="abs",
                    cooldown=3, min_lr=0.01),
    "max-rel": dict(mode="max", factor=0.3, patience=1, threshold=1e-3, min_lr=[0.02, 0.001],
                    eps=1e-3),
    "max-abs": dict(mode="max", factor=0.7, patience=0, threshold=0.1, threshold_mode="abs",
                    cooldown=1),
}


@pytest.mark.parametrize("opts", list(PLATEAU))
def test_reduce_lr_on_plateau_matches_torch(opts):
    rng = np.random.default_rng(3)
    # improving, then plateauing, then noisy: every branch (better, bad, cooldown) is hit
    metrics = np.concatenate([np.linspace(1.0, 0.5, 10), np.full(15, 0.5),
                              0.5 + 0.05 * rng.standard_normal(25)]).tolist()
    make = lambda lib, o: S(lib).ReduceLROnPlateau(o, **PLATEAU[opts])  # noqa: E731
    t_seq, _, t_sched = run(torch, make, metrics=metrics)
    s_seq, _, s_sched = run(suanzi, make, metrics=metrics)
    np.testing.assert_allclose(s_seq, t_seq, rtol=1e-13, atol=0)
    assert s_sched.state_dict() == t_sched.state_dict()
    assert len(np.unique(s_seq[:, 0])) > 1  # the lr did change


def test_reduce_lr_on_plateau_accepts_tensor_metrics():
    seqs = []
    for lib in (torch, suanzi):
        opt = make_opt(lib)
        sched = S(lib).ReduceLROnPlateau(opt, patience=0)
        for m in [1.0, 1.0, 2.0]:
            sched.step(lib.tensor(m))
        seqs.append(sched.get_last_lr())
    assert seqs[0] == seqs[1]


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                  "LinearLR-opts", "ConstantLR", "PolynomialLR"])
def test_closed_form_with_epoch_argument(name):
    """``step(epoch)`` uses the closed form where torch has one (with its warning)."""
    epochs = [3, 7, 7, 20, 14, 31]
    seqs = []
    for lib in (torch, suanzi):
        opt = make_opt(lib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = SCHEDULERS[name](lib, opt)
        seq = []
        for e in epochs:
            with pytest.warns(UserWarning, match="epoch parameter"):
                sched.step(e)
            seq.append(sched.get_last_lr())
        seqs.append(seq)
    np.testing.assert_allclose(seqs[1], seqs[0], rtol=1e-13, atol=0)


def test_cosine_warm_restarts_with_epoch_argument():
    seqs = []
    for lib in (torch, suanzi):
        opt = make_opt(lib)
        sched = S(lib).CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2)
        seq = []
        for e in [0.5, 1, 4.2, 7, 16, 40.5]:
            sched.step(e)
            seq.append(sched.get_last_lr())
        seqs.append(seq)
    np.testing.assert_allclose(seqs[1], seqs[0], rtol=1e-13, atol=0)


PLAIN_STATE = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR-cycles",
               "LinearLR-opts", "PolynomialLR", "OneCycleLR-opts", "CyclicLR",
               "CosineAnnealingWarmRestarts"]


@pytest.mark.parametrize("name", PLAIN_STATE)
def test_state_dict_matches_torch(name):
    _, _, t_sched = run(torch, SCHEDULERS[name], steps=17)
    _, _, s_sched = run(suanzi, SCHEDULERS[name], steps=17)
    t_sd, s_sd = t_sched.state_dict(), s_sched.state_dict()
    assert set(s_sd) == set(t_sd)
    for k, v in t_sd.items():
        if k in ("_scale_fn_ref",):
            continue
        assert s_sd[k] == v, k


@pytest.mark.parametrize("name", PLAIN_STATE + ["SequentialLR", "ChainedScheduler",
                                                 "LambdaLR", "MultiplicativeLR"])
def test_state_dict_round_trip_resumes(name):
    make = SCHEDULERS[name]
    ref, _, _ = run(suanzi, make)
    # 20 steps, then a fresh optimizer and scheduler load both state dicts
    part, opt, sched = run(suanzi, make, steps=20)
    opt_sd, sched_sd = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    opt2 = make_opt(suanzi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched2 = make(suanzi, opt2)
        sched2.load_state_dict(sched_sd)
        opt2.load_state_dict(opt_sd)
        seq = [snapshot(opt2, sched2)]
        for _ in range(STEPS - 20):
            opt2.step()
            sched2.step()
            seq.append(snapshot(opt2, sched2))
    np.testing.assert_allclose(np.concatenate([part, np.array(seq[1:])]), ref, rtol=1e-13,
                               atol=0)


def test_initial_lr_and_last_epoch():
    for lib in (torch, suanzi):
        opt = make_opt(lib)
        sched = S(lib).StepLR(opt, step_size=2)
        assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
        assert sched.last_epoch == 0 and sched.base_lrs == [0.1, 0.05]
        opt2 = make_opt(lib)
        with pytest.raises(KeyError, match="initial_lr"):
            S(lib).StepLR(opt2, step_size=2, last_epoch=3)


def test_warns_when_scheduler_steps_before_optimizer():
    for lib in (torch, suanzi):
        opt = make_opt(lib)
        sched = S(lib).StepLR(opt, step_size=2)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()
        opt = make_opt(lib)
        sched = S(lib).StepLR(opt, step_size=2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            sched.step()


def test_get_lr_outside_step_warns():
    for lib in (torch, suanzi):
        sched = S(lib).StepLR(make_opt(lib), step_size=2)
        with pytest.warns(UserWarning, match="get_last_lr"):
            sched.get_lr()


def _both_raise(make):
    with pytest.raises(Exception) as t_err:
        make(torch)
    with pytest.raises(Exception) as s_err:
        make(suanzi)
    assert type(s_err.value) is type(t_err.value), (s_err.value, t_err.value)


@pytest.mark.parametrize("make", [
    lambda lib: S(lib).StepLR(object(), step_size=2),
    lambda lib: S(lib).LinearLR(make_opt(lib), start_factor=0),
    lambda lib: S(lib).LinearLR(make_opt(lib), end_factor=1.5),
    lambda lib: S(lib).ConstantLR(make_opt(lib), factor=2.0),
    lambda lib: S(lib).OneCycleLR(make_opt(lib), max_lr=1.0),
    lambda lib: S(lib).OneCycleLR(make_opt(lib), max_lr=1.0, total_steps=0),
    lambda lib: S(lib).OneCycleLR(make_opt(lib), max_lr=1.0, total_steps=10, pct_start=1.5),
    lambda lib: S(lib).OneCycleLR(make_opt(lib), max_lr=1.0, total_steps=10,
                                  anneal_strategy="exp"),
    lambda lib: S(lib).OneCycleLR(make_opt(lib), max_lr=[1.0], total_steps=10),
    lambda lib: S(lib).OneCycleLR(lib.optim.Adagrad([lib.nn.Parameter(lib.ones(1))]),
                                  max_lr=1.0, total_steps=10),
    lambda lib: [s := S(lib).OneCycleLR(make_opt(lib), max_lr=1.0, total_steps=3)] and
    [s.step() for _ in range(4)],
    lambda lib: S(lib).ReduceLROnPlateau(make_opt(lib), factor=1.0),
    lambda lib: S(lib).ReduceLROnPlateau(make_opt(lib), mode="avg"),
    lambda lib: S(lib).ReduceLROnPlateau(make_opt(lib), threshold_mode="pct"),
    lambda lib: S(lib).ReduceLROnPlateau(make_opt(lib), min_lr=[0.1]),
    lambda lib: S(lib).LambdaLR(make_opt(lib), [lambda e: 1.0]),
    lambda lib: S(lib).CosineAnnealingWarmRestarts(make_opt(lib), T_0=0),
    lambda lib: S(lib).CosineAnnealingWarmRestarts(make_opt(lib), T_0=5, T_mult=0),
    lambda lib: S(lib).SequentialLR(o := make_opt(lib), [S(lib).StepLR(o, 2)], milestones=[3]),
    lambda lib: S(lib).SequentialLR(o := make_opt(lib), [S(lib).ReduceLROnPlateau(o)],
                                    milestones=[]),
    lambda lib: S(lib).CyclicLR(make_opt(lib), 0.1, 1.0, mode="bogus"),
])
def test_errors_match_torch(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _both_raise(make)


@pytest.mark.parametrize("name", torch.optim.lr_scheduler.__all__)
def test_signatures_match_torch(name):
    import inspect

    t = inspect.signature(getattr(torch.optim.lr_scheduler, name))
    s = inspect.signature(getattr(suanzi.optim.lr_scheduler, name))
    assert [(p.name, p.kind, p.default) for p in s.parameters.values()] == \
        [(p.name, p.kind, p.default) for p in t.parameters.values()]
