"""F.linear / nn.Linear, F.bilinear / nn.Bilinear and nn.Identity against torch."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_module, check_raises, randn


# ------------------------------------------------------------------ F.linear
@pytest.mark.parametrize("xshape", [(4, 3), (3,), (2, 5, 3), (2, 1, 4, 3), (0, 3), (1, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_functional(xshape, bias):
    arrays = [randn(*xshape), randn(5, 3)] + ([randn(5)] if bias else [])
    check(lambda lib, x, w, *b: lib.nn.functional.linear(x, w, *b), *arrays)


@pytest.mark.parametrize("dtype", [np.float64, np.float16])
def test_linear_dtypes(dtype):
    tol = dict(rtol=1e-2, atol=1e-2) if dtype == np.float16 else {}
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), randn(4, 3, dtype=dtype),
          randn(5, 3, dtype=dtype), randn(5, dtype=dtype), grad=dtype != np.float16, **tol)


def test_linear_int():
    x = np.arange(6, dtype=np.int64).reshape(2, 3)
    w = np.arange(15, dtype=np.int64).reshape(5, 3) - 7
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), x, w,
          np.arange(5, dtype=np.int64))


@pytest.mark.parametrize("xshape,wshape,bshape", [
    ((2, 3), (3,), None), ((3,), (3,), None), ((3,), (3,), ()), ((4, 2, 3), (3,), None),
    ((2, 3), (5, 3), (2, 5)), ((4, 2, 3), (5, 3), (2, 5)), ((2, 3), (5, 3), (1,)),
    ((2, 3), (5, 3), ()), ((4, 2, 3), (5, 3), (4, 1, 5)), ((2, 2, 2, 3), (5, 3), (2, 1, 5)),
    ((4, 2, 3), (5, 3), (1,)), ((2, 3), (5, 3), (1, 5)),
])
def test_linear_vector_weight_and_broadcast_bias(xshape, wshape, bshape):
    arrays = [randn(*xshape), randn(*wshape)] + ([randn(*bshape)] if bshape is not None else [])
    check(lambda lib, x, w, *b: lib.nn.functional.linear(x, w, *b), *arrays)


def test_linear_partial_requires_grad():
    for rg in ([True, False, False], [False, True, False], [False, False, True],
               [False, True, True]):
        check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), randn(2, 4, 3),
              randn(5, 3), randn(5), requires_grad=rg)


def test_linear_double_backward():
    def fn(lib, x, w, b):
        y = lib.nn.functional.linear(x, w, b)
        gx, gw = lib.autograd.grad((y ** 2).sum(), (x, w), create_graph=True)
        return (gx ** 2).sum() + (gw * w).sum()
    check(fn, randn(3, 4, dtype=np.float64), randn(2, 4, dtype=np.float64),
          randn(2, dtype=np.float64))


def test_linear_gradcheck():
    x = suanzi.randn(2, 3, 4, dtype=suanzi.float64, requires_grad=True)
    w = suanzi.randn(5, 4, dtype=suanzi.float64, requires_grad=True)
    b = suanzi.randn(5, dtype=suanzi.float64, requires_grad=True)
    assert suanzi.autograd.gradcheck(suanzi.nn.functional.linear, (x, w, b))
    assert suanzi.autograd.gradcheck(lambda x, w: suanzi.nn.functional.linear(x, w), (x, w))
    bb = suanzi.randn(2, 1, 5, dtype=suanzi.float64, requires_grad=True)
    assert suanzi.autograd.gradcheck(suanzi.nn.functional.linear, (x, w, bb))


@pytest.mark.parametrize("xshape,wshape,bshape", [
    ((2, 3), (5, 4), None), ((2, 7, 3), (5, 4), None), ((3,), (5, 4), None),
    ((), (5, 3), None), ((2, 3), (), None), ((2, 3), (2, 5, 3), None),
    ((2, 3), (5, 3), (4,)), ((2, 3), (5, 3), (3, 5)), ((1, 2, 3), (5, 3), (4, 2, 5)),
    ((3,), (5, 3), (2, 5)), ((2, 3), (3,), (2,)), ((2, 3), (4,), None),
    ((4, 2, 3), (5, 3), (1, 1, 5)), ((4, 2, 3), (5, 3), (2, 1, 5)), ((2, 3), (5, 3), (4, 1, 5)),
    ((2, 2, 2, 3), (5, 3), (4, 2, 5)), ((3,), (3,), (1,)), ((3,), (3,), (1, 1)),
])
def test_linear_shape_errors(xshape, wshape, bshape):
    arrays = [randn(*xshape), randn(*wshape)] + ([randn(*bshape)] if bshape is not None else [])
    s_err, t_err = check_raises(lambda lib, x, w, *b: lib.nn.functional.linear(x, w, *b), *arrays)
    assert str(s_err) == str(t_err)


def test_linear_mismatch_message():
    s_err, t_err = check_raises(lambda lib, x, w: lib.nn.functional.linear(x, w), randn(2, 3),
                                randn(5, 4))
    assert str(s_err) == "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)" == str(t_err)


@pytest.mark.parametrize("dts", [(np.float32, np.float64, None), (np.float64, np.float32, None),
                                 (np.float32, np.float32, np.float64),
                                 (np.float32, np.int64, None)])
def test_linear_dtype_mismatch(dts):
    dx, dw, db = dts
    arrays = [randn(2, 3).astype(dx), randn(5, 3).astype(dw)] + (
        [randn(5).astype(db)] if db else [])
    s_err, t_err = check_raises(lambda lib, x, w, *b: lib.nn.functional.linear(x, w, *b), *arrays)
    assert str(s_err) == str(t_err)


def test_linear_type_errors():
    check_raises(lambda lib: lib.nn.functional.linear([1.0, 2.0], lib.zeros(5, 2)))
    check_raises(lambda lib: lib.nn.functional.linear(lib.zeros(2, 2), lib.zeros(5, 2), 1.0))


# ------------------------------------------------------------------ nn.Linear
@pytest.mark.parametrize("xshape", [(4, 3), (3,), (2, 5, 3), (2, 2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_module(xshape, bias):
    check_module(lambda lib: lib.nn.Linear(3, 7, bias=bias), randn(*xshape))


def test_linear_module_float64():
    check_module(lambda lib: lib.nn.Linear(6, 4, dtype=lib.float64), randn(3, 6, dtype=np.float64))
    m = suanzi.nn.Linear(6, 4).double()
    assert m.weight.dtype == suanzi.float64 and m.bias.dtype == suanzi.float64


def test_linear_module_params_and_repr():
    for args, kw in [((20, 30), {}), ((3, 4), {"bias": False}), ((1, 1), {})]:
        t = torch.nn.Linear(*args, **kw)
        s = suanzi.nn.Linear(*args, **kw)
        assert repr(s) == repr(t)
        assert [(n, tuple(p.shape)) for n, p in s.named_parameters()] == \
               [(n, tuple(p.shape)) for n, p in t.named_parameters()]
        assert list(s.state_dict()) == list(t.state_dict())
        assert s.bias is None if kw.get("bias") is False else s.bias is not None
        assert (s.in_features, s.out_features) == (t.in_features, t.out_features)


@pytest.mark.parametrize("in_f,out_f", [(64, 200), (400, 150)])
def test_linear_default_init(in_f, out_f):
    m = suanzi.nn.Linear(in_f, out_f)
    bound = 1 / math.sqrt(in_f)
    w, b = m.weight._data, m.bias._data
    assert w.dtype == np.float32 and m.weight.requires_grad and m.weight.is_leaf
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-bound, bound): std bound/sqrt(3); the weights fill the range
    assert abs(w.std() - bound / math.sqrt(3)) < 0.03 * bound
    assert np.abs(w).max() > 0.95 * bound


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
def test_linear_zero_in_features():
    with pytest.warns(UserWarning):
        t = torch.nn.Linear(0, 3)
    with pytest.warns(UserWarning):
        s = suanzi.nn.Linear(0, 3)
    np.testing.assert_array_equal(s.bias._data, t.bias.detach().numpy())  # bound 0: zeros
    check_module(lambda lib: lib.nn.Linear(0, 3), randn(2, 0))


def test_linear_reset_parameters_and_seed():
    suanzi.manual_seed(0)
    a = suanzi.nn.Linear(5, 4)
    suanzi.manual_seed(0)
    b = suanzi.nn.Linear(5, 4)
    np.testing.assert_array_equal(a.weight._data, b.weight._data)
    np.testing.assert_array_equal(a.bias._data, b.bias._data)
    w = a.weight
    a.reset_parameters()
    assert a.weight is w and not np.array_equal(a.weight._data, b.weight._data)


def test_linear_device_argument():
    suanzi.nn.Linear(2, 3, device="cpu")
    with pytest.raises(RuntimeError):
        suanzi.nn.Linear(2, 3, device="cuda")


def test_linear_module_errors():
    check_raises(lambda lib: lib.nn.Linear(3, 4)(lib.zeros(2, 5)))
    check_raises(lambda lib: lib.nn.Linear(3, 4)(lib.zeros(2, 3, dtype=lib.float64)))


def test_linear_training_step_matches_torch():
    """Several SGD steps of a 2-layer MLP stay equal to torch's."""
    def make(lib):
        return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Identity(), lib.nn.Linear(8, 2))
    tm, sm = make(torch), make(suanzi)
    sm.load_state_dict(tm.state_dict())
    x, y = randn(6, 4), randn(6, 2)
    for _ in range(3):
        for lib, m in ((torch, tm), (suanzi, sm)):
            m.zero_grad()
            out = m(lib.from_numpy(x))
            loss = ((out - lib.from_numpy(y)) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= 0.1 * p.grad
    for (n, t), (n2, s) in zip(tm.state_dict().items(), sm.state_dict().items()):
        assert n == n2
        np.testing.assert_allclose(s._data, t.numpy(), rtol=1e-5, atol=1e-6)


def test_lesson_2_1_block():
    """The lesson's §2.1 block, run with suanzi as ``torch``; the output equals
    torch's once the weights and the input agree."""
    code = ("import torch\nimport torch.nn as nn\nm = nn.Linear(20, 30)\n"
            "input = torch.randn(128, 20)\noutput = m(input)\nprint(output.size())\n")
    out = {}
    for lib in (torch, suanzi):
        ns = {"__builtins__": __builtins__}
        printed = []
        ns["print"] = lambda *a: printed.append(" ".join(map(str, a)))
        g = dict(ns, torch=lib, nn=lib.nn)
        exec(code.replace("import torch\nimport torch.nn as nn\n", ""), g)
        out[lib.__name__] = (g, printed)
    tg, tp = out["torch"]
    sg, sp = out["suanzi"]
    assert sp == tp == ["torch.Size([128, 30])"]
    sg["m"].load_state_dict(tg["m"].state_dict())
    res = sg["m"](suanzi.from_numpy(tg["input"].numpy()))
    np.testing.assert_allclose(res._data, tg["m"](tg["input"]).detach().numpy(), rtol=1e-5,
                               atol=1e-5)


# ------------------------------------------------------------------ bilinear
@pytest.mark.parametrize("shapes", [((4, 3), (4, 2)), ((3,), (2,)), ((2, 3, 3), (2, 3, 2)),
                                    ((0, 3), (0, 2))])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_functional(shapes, bias):
    s1, s2 = shapes
    arrays = [randn(*s1), randn(*s2), randn(5, 3, 2)] + ([randn(5)] if bias else [])
    check(lambda lib, a, b, w, *bb: lib.nn.functional.bilinear(a, b, w, *bb), *arrays)


def test_bilinear_float64_gradcheck():
    a = suanzi.randn(3, 2, dtype=suanzi.float64, requires_grad=True)
    b = suanzi.randn(3, 4, dtype=suanzi.float64, requires_grad=True)
    w = suanzi.randn(5, 2, 4, dtype=suanzi.float64, requires_grad=True)
    bias = suanzi.randn(5, dtype=suanzi.float64, requires_grad=True)
    assert suanzi.autograd.gradcheck(suanzi.nn.functional.bilinear, (a, b, w, bias))


@pytest.mark.parametrize("xshape", [(4,), (6, 4), (2, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_module(xshape, bias):
    other = xshape[:-1] + (3,)
    check_module(lambda lib: lib.nn.Bilinear(4, 3, 5, bias=bias), randn(*xshape), randn(*other))


def test_bilinear_module_repr_init():
    for kw in ({}, {"bias": False}):
        assert repr(suanzi.nn.Bilinear(3, 4, 5, **kw)) == repr(torch.nn.Bilinear(3, 4, 5, **kw))
    m = suanzi.nn.Bilinear(9, 4, 200)
    bound = 1 / 3
    assert np.abs(m.weight._data).max() <= bound and np.abs(m.bias._data).max() <= bound
    assert abs(m.weight._data.std() - bound / math.sqrt(3)) < 0.03 * bound
    check_raises(lambda lib: lib.nn.Bilinear(0, 4, 2))


@pytest.mark.parametrize("s1,s2,sw,sb", [
    ((2, 3), (3, 4), (5, 3, 4), (5,)), ((2, 3), (2, 4), (5, 3, 5), (5,)),
    ((2, 2), (2, 4), (5, 3, 4), (5,)), ((2, 3), (2, 4), (5, 3, 4), (4,)),
    ((2, 3), (2, 2, 4), (5, 3, 4), (5,)), ((), (), (5, 3, 4), (5,)),
    ((2, 3), (2, 4), (5, 3), None), ((2, 3), (2, 4), (5, 3, 4, 1), None),
    ((2, 3), (2, 4), (5, 3, 4), ()), ((2, 3), (2, 4), (5, 12), (5,)),
])
def test_bilinear_errors(s1, s2, sw, sb):
    arrays = [randn(*s1), randn(*s2), randn(*sw)] + ([randn(*sb)] if sb is not None else [])
    s_err, t_err = check_raises(
        lambda lib, a, b, w, *bb: lib.nn.functional.bilinear(a, b, w, *bb), *arrays)
    if str(t_err).startswith("bilinear()"):
        assert str(s_err) == str(t_err)


def test_bilinear_dtype_error():
    s_err, t_err = check_raises(
        lambda lib, a, b, w, bb: lib.nn.functional.bilinear(a, b, w, bb), randn(2, 3),
        randn(2, 4, dtype=np.float64), randn(5, 3, 4), randn(5))
    assert str(s_err) == str(t_err)


# ------------------------------------------------------------------ Identity
def test_identity():
    s, t = suanzi.nn.Identity(54, unused="x"), torch.nn.Identity(54, unused="x")
    assert repr(s) == repr(t) == "Identity()"
    x = suanzi.randn(3, 4)
    assert s(x) is x
    assert list(s.parameters()) == []


def test_functional_exports():
    import suanzi.nn as nn
    import suanzi.nn.functional as F
    assert F.linear is suanzi.nn.functional.linear and F.bilinear is not None
    assert nn.init.kaiming_uniform_ is not None and nn.Parameter is not None
    assert issubclass(nn.Linear, nn.Module)


@pytest.mark.parametrize("xshape,wshape,bias", [
    ((2, 3, 0), (4, 0), True), ((2, 0, 3), (0, 3), False), ((0, 2, 3), (4, 3), True),
    ((2, 0), (4, 0), True)])
def test_linear_zero_sizes(xshape, wshape, bias):
    arrays = [randn(*xshape), randn(*wshape)] + ([randn(wshape[0])] if bias else [])
    check(lambda lib, x, w, *b: lib.nn.functional.linear(x, w, *b), *arrays)


def test_linear_bias_expand_error_float64():
    s_err, t_err = check_raises(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b),
                                randn(4, 2, 3, dtype=np.float64), randn(5, 3, dtype=np.float64),
                                randn(1, 1, 5, dtype=np.float64))
    assert str(s_err) == str(t_err)
