"""nn.Module and the containers against torch: registration, iteration order,
modes, dtype conversion, hooks, state_dict round trips and errors, reprs,
copying."""
from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import suanzi
from helpers import check_module, check_raises, randn


def same(fn, exc_message=True):
    """``fn(lib)`` on torch and on suanzi: equal results, or the same
    exception class (and message, unless ``exc_message=False``)."""
    out = []
    for lib in (torch, suanzi):
        try:
            out.append(("ok", fn(lib)))
        except Exception as e:  # noqa: BLE001 - compared below
            out.append(("err", e))
    (tk, tv), (sk, sv) = out
    assert tk == sk, f"torch: {tk} {tv!r}; suanzi: {sk} {sv!r}"
    if tk == "err":
        assert type(sv) is type(tv), f"suanzi raised {type(sv).__name__}: {sv}; torch {tv!r}"
        if exc_message:  # class paths name the library: suanzi.nn… for torch.nn…
            assert str(sv).replace("suanzi.", "torch.") == str(tv)
    else:
        assert sv == tv, f"suanzi {sv!r} != torch {tv!r}"
    return sv


def make_net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 3)
            self.register_buffer("buf", lib.zeros(3))
            self.register_buffer("tmp", lib.ones(3), persistent=False)
            self.p = nn.Parameter(lib.ones(2))
            self.b = nn.Sequential(nn.Linear(3, 3), nn.Identity(), nn.Linear(3, 1, bias=False))
            self.shared = self.a
            self.register_parameter("none_param", None)
            self.register_buffer("none_buf", None)

        def forward(self, x):
            return self.b(self.shared(x * self.p).tanh() + self.buf)

    return Net()


def names(it):
    return [n for n, _ in it]


# ------------------------------------------------------------------ registration and order
def test_named_members_order():
    same(lambda lib: names(make_net(lib).named_parameters()))
    same(lambda lib: names(make_net(lib).named_parameters(remove_duplicate=False)))
    same(lambda lib: names(make_net(lib).named_parameters(prefix="root", recurse=False)))
    same(lambda lib: names(make_net(lib).named_buffers()))
    same(lambda lib: names(make_net(lib).named_modules()))
    same(lambda lib: names(make_net(lib).named_modules(remove_duplicate=False)))
    same(lambda lib: names(make_net(lib).named_modules(prefix="m")))
    same(lambda lib: names(make_net(lib).named_children()))
    same(lambda lib: list(make_net(lib).state_dict()))
    same(lambda lib: list(make_net(lib).state_dict(prefix="x.")))
    same(lambda lib: [type(m).__name__ for m in make_net(lib).modules()])
    same(lambda lib: [type(m).__name__ for m in make_net(lib).children()])
    same(lambda lib: [tuple(p.shape) for p in make_net(lib).parameters()])
    same(lambda lib: [tuple(p.shape) for p in make_net(lib).parameters(recurse=False)])
    same(lambda lib: [tuple(b.shape) for b in make_net(lib).buffers()])


def test_shared_parameter_counted_once():
    def fn(lib):
        m = lib.nn.Module()
        m.l1 = lib.nn.Linear(2, 2)
        m.l2 = lib.nn.Linear(2, 2)
        m.l2.weight = m.l1.weight
        return names(m.named_parameters()), len(list(m.parameters())), list(m.state_dict())
    same(fn)


def test_setattr_moves_between_kinds():
    def fn(lib):
        m = lib.nn.Module()
        m.x = lib.nn.Parameter(lib.zeros(2))
        m.x = lib.nn.Linear(1, 1)  # parameter -> module
        r1 = (list(m._parameters), list(m._modules))
        m.y = 3
        m.y = lib.nn.Parameter(lib.zeros(1))  # plain attribute -> parameter
        m.x = None
        m.y = None
        return r1, list(m._parameters.items()), list(m._modules.items()), "y" in m.__dict__
    same(fn)


@pytest.mark.parametrize("stmt", [
    "m.a = 3", "m.p = lib.zeros(2)", "m.buf = 3", "m.register_buffer('a', lib.zeros(1))",
    "m.register_buffer('x.y', lib.zeros(1))", "m.register_buffer('', lib.zeros(1))",
    "m.register_buffer(3, lib.zeros(1))", "m.register_buffer('q', 3)",
    "m.register_parameter('q', lib.zeros(1))",
    "m.register_parameter('q', lib.nn.Parameter(lib.zeros(1)) * 2)",
    "m.register_parameter('x.y', None)", "m.register_parameter('', None)",
    "m.register_parameter('a', None)", "m.add_module('q', 3)",
    "m.add_module('a.b', lib.nn.Identity())", "m.add_module('p', lib.nn.Identity())",
    "m.add_module('', lib.nn.Identity())", "m.add_module(1, lib.nn.Identity())",
    "m.get_submodule('b.7')", "m.get_submodule('b.0.weight')", "m.get_parameter('b.0.nope')",
    "m.get_parameter('buf')", "m.get_buffer('p')", "m.get_buffer('b.0.weight')", "m.nope",
    "m.train(1)", "m.to(lib.int64)", "lib.nn.Module(3)", "lib.nn.Module(a=3)",
    "lib.nn.Module()(3)", "m.set_submodule('', lib.nn.Identity())",
    "m.set_submodule('b.0', 3)", "m.set_submodule('b.9', lib.nn.Identity(), strict=True)",
    "m.set_submodule('p', lib.nn.Identity())", "del m.nope",
])
def test_registration_errors(stmt):
    def fn(lib):
        m = make_net(lib)
        exec(stmt, {"m": m, "lib": lib})
    same(fn)


def test_register_before_init():
    def fn(lib, what):
        class Bad(lib.nn.Module):
            def __init__(self):
                if what == "param":
                    self.p = lib.nn.Parameter(lib.zeros(1))
                elif what == "module":
                    self.m = lib.nn.Identity()
                else:
                    self.register_buffer("b", lib.zeros(1))
        Bad()
    for what in ("param", "module", "buffer"):
        same(lambda lib: fn(lib, what))


def test_get_submodule_parameter_buffer():
    def fn(lib):
        m = make_net(lib)
        return (type(m.get_submodule("b.0")).__name__, m.get_submodule("") is m,
                tuple(m.get_parameter("b.0.weight").shape), tuple(m.get_parameter("p").shape),
                tuple(m.get_buffer("buf").shape))
    same(fn)

    def fn2(lib):
        m = make_net(lib)
        m.set_submodule("b.1", lib.nn.Linear(3, 3))
        m.set_submodule("new", lib.nn.Identity())
        return names(m.named_modules()), names(m.named_parameters())
    same(fn2)


def test_delattr_and_dir():
    def fn(lib):
        m = make_net(lib)
        del m.p
        del m.buf
        del m.b
        m.tmp = lib.zeros(3)  # still a (non-persistent) buffer
        d = dir(m)
        return (names(m.named_parameters()), names(m.named_buffers()), list(m.state_dict()),
                "a" in d and "shared" in d and "forward" in d and "tmp" in d)
    same(fn)


def test_buffer_assignment_and_nn_buffer():
    def fn(lib):
        m = make_net(lib)
        m.tmp = lib.full((3,), 2.0)
        m.buf = None
        m.nb = lib.nn.Buffer(lib.zeros(2))
        m.np_ = lib.nn.Buffer(lib.zeros(4), persistent=False)
        return (names(m.named_buffers()), list(m.state_dict()), m.tmp.tolist(),
                type(m.nb).__name__)
    same(fn)


def test_none_entries_skipped():
    def fn(lib):
        m = make_net(lib)
        return ("none_param" in names(m.named_parameters()), m.none_param, m.none_buf,
                "none_buf" in m.state_dict())
    same(fn)


# ------------------------------------------------------------------ modes and grads
def test_train_eval():
    def fn(lib):
        m = make_net(lib)
        r = [m.training, m.b[0].training]
        assert m.eval() is m
        r += [m.training, m.b[0].training, m.a.training]
        m.b.train()
        r += [m.training, m.b[0].training]
        assert m.train(False) is m
        r += [all(not x.training for x in m.modules())]
        return r
    same(fn)


def test_requires_grad_and_zero_grad():
    m = make_net(suanzi)
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    m(suanzi.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    grads = [p.grad for p in m.parameters()]
    m.zero_grad(set_to_none=False)
    for p, g in zip(m.parameters(), grads):
        assert p.grad is g and not np.any(p.grad._data)  # zeroed in place
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_apply_order():
    def fn(lib):
        seen = []
        make_net(lib).apply(lambda mod: seen.append(type(mod).__name__))
        return seen
    same(fn)


def test_apply_init():
    m = suanzi.nn.Sequential(suanzi.nn.Linear(3, 4), suanzi.nn.Linear(4, 2))

    def init(mod):
        if isinstance(mod, suanzi.nn.Linear):
            suanzi.nn.init.constant_(mod.weight, 0.5)
            suanzi.nn.init.zeros_(mod.bias)
    assert m.apply(init) is m
    assert all(np.all(mod.weight._data == 0.5) for mod in m if hasattr(mod, "weight"))


# ------------------------------------------------------------------ dtype conversion
def make_bn_like(lib):
    m = lib.nn.Linear(3, 2)
    m.register_buffer("count", lib.tensor(0, dtype=lib.long))
    m.register_buffer("stat", lib.zeros(2))
    return m


@pytest.mark.parametrize("conv", ["double", "half", "float", "bfloat16", "to64", "to_tensor",
                                  "to_kw", "to_dev_dtype"])
def test_dtype_conversion(conv):
    def fn(lib):
        m = make_bn_like(lib)
        w = m.weight
        if conv == "to64":
            r = m.to(lib.float64)
        elif conv == "to_tensor":
            r = m.to(lib.zeros(1, dtype=lib.float64))
        elif conv == "to_kw":
            r = m.to(dtype=lib.float16)
        elif conv == "to_dev_dtype":
            r = m.to("cpu", lib.float64)
        else:
            r = getattr(m, conv)()
        assert r is m and m.weight is w  # the Parameter object is kept
        return [(n, str(t.dtype)) for n, t in m.state_dict().items()], m.weight.requires_grad
    same(fn)


def test_to_keeps_grad_and_values():
    m = suanzi.nn.Linear(3, 2)
    m(suanzi.randn(2, 3)).sum().backward()
    w = m.weight._data.copy()
    m.double()
    assert m.weight.grad.dtype == suanzi.float64
    np.testing.assert_array_equal(m.weight._data, w.astype(np.float64))
    out = m(suanzi.randn(2, 3, dtype=suanzi.float64))
    assert out.dtype == suanzi.float64
    m.to("cpu")
    m.to(suanzi.device("cpu"))
    assert m.cpu() is m
    with pytest.raises(RuntimeError):
        m.to("cuda")


def test_to_errors():
    same(lambda lib: make_bn_like(lib).to(lib.int32))
    with pytest.warns(UserWarning, match="Complex modules"):
        make_bn_like(suanzi).to(suanzi.complex64)


# ------------------------------------------------------------------ hooks
def test_forward_hooks():
    def fn(lib):
        log = []
        m = lib.nn.Linear(2, 2)
        h1 = m.register_forward_pre_hook(lambda mod, args: log.append("pre1"))
        m.register_forward_pre_hook(lambda mod, args: log.append("pre0"), prepend=True)
        h3 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
        m.register_forward_hook(lambda mod, args, out: log.append(("post", tuple(out.shape))))
        h5 = m.register_forward_hook(lambda mod, args, out: out + 1)
        m.register_forward_hook(lambda mod, args, kwargs, out: log.append(("kw", kwargs)),
                                with_kwargs=True)
        y1 = m(lib.ones(1, 2))
        h1.remove()
        h3.remove()
        h5.remove()
        h5.remove()  # twice is fine
        y2 = m(lib.zeros(1, 2))
        with m.register_forward_hook(lambda mod, args, out: out * 0):
            y3 = m(lib.zeros(1, 2))
        y4 = m(lib.zeros(1, 2))
        b = m.bias.detach()
        return (log, np.allclose(y1.detach().numpy() if lib is torch else y1._data,
                                 (b + 1).numpy() if lib is torch else (b + 1)._data),
                y3.abs().sum().item(), (y2 - y4).abs().sum().item())
    same(fn)


def test_forward_pre_hook_with_kwargs():
    class Scale:
        def __init__(self, lib):
            nn = lib.nn

            class M(nn.Module):
                def forward(self, x, scale=1.0):
                    return x * scale
            self.m = M()

    def fn(lib):
        m = Scale(lib).m
        h = m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"scale": 3.0}),
                                        with_kwargs=True)
        a = m(lib.ones(2)).tolist()
        h.remove()
        b = m(lib.ones(2), scale=2.0).tolist()
        m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
        return a, b, len(m._forward_pre_hooks_with_kwargs)
    same(fn, exc_message=False)

    def fn2(lib):
        m = Scale(lib).m
        m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
        m(lib.ones(2))
    same(fn2, exc_message=False)


def test_forward_hook_always_call():
    def fn(lib):
        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        log = []
        m = Boom()
        m.register_forward_hook(lambda mod, args, out: log.append(out), always_call=True)
        m.register_forward_hook(lambda mod, args, out: log.append("never"))
        with pytest.raises(ValueError):
            m(lib.ones(1))
        return log
    same(fn)


# ------------------------------------------------------------------ state_dict
def test_state_dict_values_share_memory_and_detach():
    m = make_net(suanzi)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert sd["a.weight"]._data is m.a.weight._data or np.shares_memory(sd["a.weight"]._data,
                                                                       m.a.weight._data)
    assert not sd["a.weight"].requires_grad
    kv = m.state_dict(keep_vars=True)
    assert kv["a.weight"] is m.a.weight
    assert sd._metadata == torch.nn.Module.state_dict(make_net(torch))._metadata


def test_state_dict_metadata_versions():
    def fn(lib):
        m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Sequential(lib.nn.Identity()))
        return dict(m.state_dict()._metadata)
    same(fn)


@pytest.mark.parametrize("source", ["torch", "suanzi", "numpy"])
def test_load_state_dict_sources(source):
    tm, sm = make_net(torch), make_net(suanzi)
    tsd = tm.state_dict()
    if source == "torch":
        sd = tsd
    elif source == "numpy":
        sd = {k: v.numpy() for k, v in tsd.items()}
    else:
        sd = {k: suanzi.from_numpy(v.numpy().copy()) for k, v in tsd.items()}
    w = sm.a.weight
    r = sm.load_state_dict(sd)
    assert repr(r) == "<All keys matched successfully>"
    assert r.missing_keys == [] and r.unexpected_keys == []
    assert sm.a.weight is w  # copied in place
    for k, v in tsd.items():
        np.testing.assert_array_equal(sm.state_dict()[k]._data, v.numpy())
    x = randn(4, 2)
    np.testing.assert_allclose(sm(suanzi.from_numpy(x))._data,
                               tm(torch.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)


def test_load_state_dict_strict_errors():
    def fn(lib, mutate):
        m = make_net(lib)
        sd = m.state_dict()
        mutate(sd, lib)
        m.load_state_dict(sd)

    def missing(sd, lib):
        del sd["a.bias"]
        del sd["b.2.weight"]

    def unexpected(sd, lib):
        sd["extra"] = lib.zeros(1)
        sd["b.9.weight"] = lib.zeros(1)
        sd["b.0.foo"] = lib.zeros(1)
        sd["tmp"] = lib.zeros(3)  # non-persistent: unexpected

    def shape(sd, lib):
        sd["a.weight"] = lib.zeros(3, 3)
        sd["buf"] = lib.zeros(4)

    def all_three(sd, lib):
        missing(sd, lib)
        unexpected(sd, lib)
        shape(sd, lib)

    def wrong_type(sd, lib):
        sd["a.bias"] = 3.0

    for mut in (missing, unexpected, shape, all_three, wrong_type):
        same(lambda lib: fn(lib, mut))
    same(lambda lib: make_net(lib).load_state_dict([1, 2]))


def test_load_state_dict_non_strict():
    def fn(lib):
        m = make_net(lib)
        sd = m.state_dict()
        del sd["a.bias"]
        sd["extra.x"] = lib.zeros(1)
        r = m.load_state_dict(sd, strict=False)
        return repr(r), r.missing_keys, r.unexpected_keys, type(r).__name__, tuple(r)
    same(fn)


def test_load_state_dict_non_strict_shape_mismatch_still_errors():
    def fn(lib):
        m = lib.nn.Linear(2, 3)
        m.load_state_dict({"weight": lib.zeros(3, 3)}, strict=False)
    same(fn)


def test_load_state_dict_scalar_and_cast():
    def fn(lib):
        m = lib.nn.Module()
        m.register_buffer("s", lib.tensor(0.0))
        m.register_buffer("n", lib.tensor(0, dtype=lib.long))
        m.load_state_dict({"s": lib.tensor([2.5]), "n": lib.tensor(7.0)})
        return m.s.item(), str(m.s.dtype), m.n.item(), str(m.n.dtype)
    same(fn)


def test_load_state_dict_float64_into_float32():
    sm = suanzi.nn.Linear(2, 3)
    tm = torch.nn.Linear(2, 3).double()
    sm.load_state_dict(tm.state_dict())
    assert sm.weight.dtype == suanzi.float32
    np.testing.assert_allclose(sm.weight._data, tm.weight.detach().numpy(), rtol=1e-6)


def test_load_state_dict_assign():
    m = suanzi.nn.Linear(2, 3)
    w = m.weight
    new = {"weight": suanzi.ones(3, 2), "bias": np.zeros(3, np.float32)}
    m.load_state_dict(new, assign=True)
    assert m.weight is not w and isinstance(m.weight, suanzi.nn.Parameter)
    assert m.weight.requires_grad and np.all(m.weight._data == 1)
    assert isinstance(m.bias, suanzi.nn.Parameter)


def test_load_state_dict_bfloat16_torch():
    tm = torch.nn.Linear(2, 3).to(torch.bfloat16)
    sm = suanzi.nn.Linear(2, 3).bfloat16()
    sm.load_state_dict(tm.state_dict())
    np.testing.assert_array_equal(sm.weight._data.astype(np.float32),
                                  tm.weight.detach().float().numpy())


def test_state_dict_hooks():
    m = suanzi.nn.Linear(2, 2)
    seen = []
    h = m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: seen.append(prefix))
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: seen.append(len(sd)))
    m.state_dict()
    h.remove()
    m.state_dict(prefix="p.")
    assert seen == ["", 2, 2]
    m.register_load_state_dict_post_hook(lambda mod, keys: keys.missing_keys.clear())
    r = m.load_state_dict({"weight": suanzi.zeros(2, 2)}, strict=False)
    assert r.missing_keys == []


def test_extra_state():
    def fn(lib):
        class E(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.v = 1
                self.l = lib.nn.Linear(1, 1)

            def get_extra_state(self):
                return {"v": self.v}

            def set_extra_state(self, state):
                self.v = state["v"]
        a, b = E(), E()
        a.v = 5
        keys = list(a.state_dict())
        b.load_state_dict(a.state_dict())
        return keys, b.v
    same(fn)


def test_subclass_load_from_state_dict_version():
    """A module overriding _load_from_state_dict sees the saved version in
    local_metadata (how BatchNorm upgrades old checkpoints)."""
    seen = []

    class V(suanzi.nn.Module):
        _version = 3

        def __init__(self):
            super().__init__()
            self.l = suanzi.nn.Linear(1, 1)

        def _load_from_state_dict(self, sd, prefix, meta, *args):
            seen.append(meta.get("version"))
            super()._load_from_state_dict(sd, prefix, meta, *args)
    a = V()
    V().load_state_dict(a.state_dict())
    V().load_state_dict(dict(a.state_dict()))
    assert seen == [3, None]


# ------------------------------------------------------------------ repr
def test_repr_nested():
    same(lambda lib: repr(make_net(lib)))

    def fn(lib):
        class WithExtra(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.l = lib.nn.Linear(1, 2)

            def extra_repr(self):
                return "first line\nsecond line"
        class OneLine(lib.nn.Module):
            def extra_repr(self):
                return "k=1"
        s = lib.nn.Sequential(WithExtra(), OneLine(), lib.nn.Module())
        return repr(s), str(s)
    same(fn)


# ------------------------------------------------------------------ copying
def test_deepcopy():
    m = make_net(suanzi)
    m(suanzi.randn(3, 2)).sum().backward()
    c = copy.deepcopy(m)
    assert repr(c) == repr(m)
    assert c.a.weight is not m.a.weight and isinstance(c.a.weight, suanzi.nn.Parameter)
    assert c.shared is c.a  # sharing preserved
    assert names(c.named_parameters()) == names(m.named_parameters())
    for (k, v), (k2, v2) in zip(m.state_dict().items(), c.state_dict().items()):
        assert k == k2 and not np.shares_memory(v._data, v2._data)
        np.testing.assert_array_equal(v._data, v2._data)
    assert c.a.weight.grad is not None
    np.testing.assert_array_equal(c.a.weight.grad._data, m.a.weight.grad._data)
    x = suanzi.randn(3, 2)
    np.testing.assert_array_equal(c(x)._data, m(x)._data)


def test_pickle():
    m = suanzi.nn.Sequential(suanzi.nn.Linear(2, 3), suanzi.nn.Flatten(),
                             suanzi.nn.Unflatten(1, (3, 1)))
    m.eval()
    c = pickle.loads(pickle.dumps(m))
    assert repr(c) == repr(m) and not c.training
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(c.state_dict()[k]._data, v._data)
    assert c[0].weight.requires_grad


# ------------------------------------------------------------------ containers
def seq(lib, n=4):
    return lib.nn.Sequential(*[lib.nn.Linear(i + 1, i + 2) for i in range(n)])


def shapes(m):
    return [tuple(p.shape) for p in m.parameters()]


@pytest.mark.parametrize("expr", [
    "len(s)", "repr(s)", "repr(s[1])", "repr(s[-1])", "repr(s[1:3])", "repr(s[::-1])",
    "repr(s[-2:])", "type(s[1:]).__name__", "[repr(x) for x in s]", "repr(s + seq(lib, 2))",
    "repr(s * 2)", "repr(2 * s)", "list(s.state_dict())", "repr(s.pop(1))", "s[9]", "s[-9]",
    "s + 3", "s * 0", "s * 1.5", "s['a']",
])
def test_sequential_expressions(expr):
    same(lambda lib: eval(expr, {"s": seq(lib), "lib": lib, "seq": seq, "repr": repr}))


@pytest.mark.parametrize("stmts", [
    "s.append(lib.nn.Identity())", "s.insert(1, lib.nn.Identity())",
    "s.insert(-1, lib.nn.Identity())", "s.insert(4, lib.nn.Identity())",
    "s.insert(9, lib.nn.Identity())", "s.extend(seq(lib, 2))", "del s[1]", "del s[-1]",
    "del s[1:3]", "del s[::2]", "s[0] = lib.nn.Identity()", "s[-1] = lib.nn.Identity()",
    "s[7] = lib.nn.Identity()", "s.pop(0)", "s += seq(lib, 1)", "s *= 2",
    "s.insert(0, 3)",
])
def test_sequential_mutation(stmts):
    def fn(lib):
        s = seq(lib)
        exec(stmts, {"s": s, "lib": lib, "seq": seq})
        return repr(s), names(s.named_parameters()), list(s._modules)
    same(fn, exc_message=False)


def test_sequential_ordered_dict_and_forward():
    def make(lib):
        return lib.nn.Sequential(OrderedDict([("fc1", lib.nn.Linear(3, 4)),
                                              ("flat", lib.nn.Flatten(0)),
                                              ("id", lib.nn.Identity())]))
    same(lambda lib: (repr(make(lib)), list(make(lib).state_dict())))
    check_module(make, randn(2, 3))
    check_module(lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Linear(5, 2)),
                 randn(4, 3))
    s = suanzi.nn.Sequential()
    x = suanzi.ones(2)
    assert s(x) is x


@pytest.mark.parametrize("expr", [
    "len(ml)", "repr(ml)", "repr(ml[1])", "repr(ml[-1])", "repr(ml[1:])", "type(ml[:2]).__name__",
    "repr(ml + [lib.nn.Identity()])", "ml[5]", "list(ml.state_dict())",
    "repr(lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)] + [lib.nn.Identity()]))",
    "repr(lib.nn.ModuleList())", "lib.nn.ModuleList(3)", "ml.extend(5)",
])
def test_modulelist_expressions(expr):
    def fn(lib):
        ml = lib.nn.ModuleList([lib.nn.Linear(1, 2), lib.nn.Linear(2, 3), lib.nn.Identity()])
        return eval(expr, {"ml": ml, "lib": lib, "repr": repr})
    same(fn)


@pytest.mark.parametrize("stmts", [
    "ml.append(lib.nn.Identity())", "ml.extend([lib.nn.Identity(), lib.nn.Linear(1, 1)])",
    "ml += [lib.nn.Identity()]", "ml.insert(1, lib.nn.Identity())",
    "ml.insert(0, lib.nn.Identity())",
    "del ml[0]", "del ml[-2:]", "ml[1] = lib.nn.Identity()", "ml[-1] = lib.nn.Linear(4, 4)",
    "ml.pop(1)", "ml[3] = lib.nn.Identity()",
])
def test_modulelist_mutation(stmts):
    def fn(lib):
        ml = lib.nn.ModuleList([lib.nn.Linear(1, 2), lib.nn.Linear(2, 3), lib.nn.Identity()])
        exec(stmts, {"ml": ml, "lib": lib})
        return repr(ml), names(ml.named_parameters())
    same(fn)


def test_modulelist_in_module():
    def fn(lib):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)])

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return x
        return M()
    same(lambda lib: (repr(fn(lib)), list(fn(lib).state_dict())))
    check_module(fn, randn(3, 2))


def test_moduledict():
    def fn(lib):
        d = lib.nn.ModuleDict({"b": lib.nn.Linear(1, 2), "a": lib.nn.Identity()})
        d["c"] = lib.nn.Linear(2, 1)
        d.update([("e", lib.nn.Identity())])
        r = [repr(d), list(d.keys()), len(d), "a" in d, list(d), names(d.named_parameters())]
        r.append(repr(d.pop("a")))
        del d["b"]
        r += [list(d), [type(v).__name__ for v in d.values()], [k for k, _ in d.items()]]
        d.clear()
        r.append(len(d))
        return r
    same(fn)
    same(lambda lib: lib.nn.ModuleDict(3))
    same(lambda lib: lib.nn.ModuleDict([("a", lib.nn.Identity(), 3)]))
    same(lambda lib: lib.nn.ModuleDict([3]))
    same(lambda lib: lib.nn.ModuleDict({"a.b": lib.nn.Identity()}))
    same(lambda lib: lib.nn.ModuleDict()["x"], exc_message=False)


def test_parameterlist():
    def fn(lib):
        pl = lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2, 3)),
                                   lib.zeros(2, dtype=lib.float64), 3])
        pl.append(lib.ones(1))
        pl.extend([lib.nn.Parameter(lib.ones(4, 1))])
        pl += [lib.ones(2)]
        r = [repr(pl), len(pl), names(pl.named_parameters()), list(pl.state_dict()),
             type(pl[1]).__name__, pl[1].requires_grad, pl[2], repr(pl[1:3]), repr(pl[-1].shape)]
        pl[0] = lib.zeros(5)
        r.append(repr(pl))
        return r
    same(fn)
    same(lambda lib: lib.nn.ParameterList([lib.zeros(1)])())
    same(lambda lib: lib.nn.ParameterList(lib.zeros(2)))
    same(lambda lib: lib.nn.ParameterList([lib.zeros(1)])[4])


def test_parameterdict():
    def fn(lib):
        pd = lib.nn.ParameterDict({"b": lib.nn.Parameter(lib.zeros(2, 3)),
                                   "a": lib.zeros(2, dtype=lib.float64), "c": "x"})
        pd["d"] = lib.ones(1)
        pd.update(OrderedDict([("z", lib.ones(2)), ("y", lib.ones(3))]))
        r = [repr(pd), len(pd), list(pd), list(pd.keys()), names(pd.named_parameters()),
             list(pd.state_dict()), "a" in pd, pd.get("nope", 7), type(pd["a"]).__name__]
        r.append(repr(pd.pop("b")))
        r.append(pd.popitem()[0])
        r.append(repr(pd.setdefault("q", lib.zeros(1))))
        r.append(list(reversed(pd)))
        r.append(repr(pd.copy()))
        r.append(repr(pd | lib.nn.ParameterDict({"w": lib.ones(1)})))
        pd.clear()
        r.append(len(pd))
        return r
    same(fn)
    same(lambda lib: lib.nn.ParameterDict()(1))
    same(lambda lib: lib.nn.ParameterDict()[3])
    same(lambda lib: lib.nn.ParameterDict(3))
    same(lambda lib: lib.nn.ParameterDict([("a", lib.zeros(1), 1)]))


def test_parameter_containers_train():
    """A ParameterList's parameters get gradients like any other."""
    def make(lib):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.ws = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(3) * (i + 1))
                                                for i in range(2)])
                self.wd = lib.nn.ParameterDict({"s": lib.nn.Parameter(lib.ones(1) * 2)})

            def forward(self, x):
                return (x * self.ws[0] + self.ws[1]) * self.wd["s"]
        return M()
    check_module(make, randn(4, 3))


# ------------------------------------------------------------------ Flatten / Unflatten
@pytest.mark.parametrize("args,shape", [((), (2, 3, 4)), ((0,), (2, 3, 4)), ((1, 2), (2, 3, 4, 5)),
                                        ((-3, -2), (2, 3, 4, 5)), ((), (2, 3)),
                                        ((0, -1), (3,))])
def test_flatten(args, shape):
    check_module(lambda lib: lib.nn.Flatten(*args), randn(*shape))
    same(lambda lib: repr(lib.nn.Flatten(*args)))


def test_flatten_errors():
    check_raises(lambda lib: lib.nn.Flatten()(lib.zeros(3)))
    check_raises(lambda lib: lib.nn.Flatten(2, 1)(lib.zeros(3, 4, 5)))


@pytest.mark.parametrize("dim,size,shape", [(1, (2, 5), (3, 10)), (-1, [2, 2], (3, 4)),
                                            (0, (2, -1), (6, 2)), (1, (1, 4, 1), (2, 4))])
def test_unflatten(dim, size, shape):
    check_module(lambda lib: lib.nn.Unflatten(dim, size), randn(*shape))
    same(lambda lib: repr(lib.nn.Unflatten(dim, size)))


def test_unflatten_size_and_errors():
    same(lambda lib: repr(lib.nn.Unflatten(1, lib.Size([2, 5]))))
    same(lambda lib: lib.nn.Unflatten(1, 5))
    same(lambda lib: lib.nn.Unflatten(1, (2, 2.5)))
    check_raises(lambda lib: lib.nn.Unflatten(1, (3, 3))(lib.zeros(2, 10)))


# ------------------------------------------------------------------ Parameter
def test_parameter():
    def fn(lib):
        t = lib.zeros(2, 3)
        p = lib.nn.Parameter(t)
        q = lib.nn.Parameter(t, requires_grad=False)
        e = lib.nn.Parameter()
        return (repr(p), p.requires_grad, p.is_leaf, q.requires_grad, tuple(e.shape),
                str(e.dtype), isinstance(p, lib.Tensor))
    same(fn)
    t = suanzi.zeros(3)
    p = suanzi.nn.Parameter(t)
    p.data[0] = 5  # shares memory with the wrapped tensor, like torch
    assert t[0].item() == 5
    same(lambda lib: lib.nn.Parameter(lib.zeros(2, dtype=lib.long)))
    same(lambda lib: repr(lib.nn.Parameter(lib.zeros(2, dtype=lib.long), requires_grad=False)))


def test_nn_namespace():
    import suanzi.nn as nn
    import suanzi.nn.functional as F
    for name in ("Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
                 "ParameterDict", "Identity", "Flatten", "Unflatten", "Linear", "Bilinear",
                 "Buffer"):
        assert hasattr(nn, name), name
    assert F.linear is not None and nn.init.xavier_uniform_ is not None
    assert nn.modules.module.Module is nn.Module
