"""Activations (functional and module forms) against torch: values, dtypes,
gradients (kinks and NaN/inf included), in-place variants, second
derivatives, reprs and error classes."""
import warnings

import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_module, check_raises, to_suanzi, to_torch

RNG = np.random.default_rng(7)

# every kink of every op below, plus random values
KINKS = [-3.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 3.0, 6.0, 1.5, -20.0, 25.0]


def F(lib):
    return lib.nn.functional


# name -> (call, float-only kernel?)
OPS = {
    "relu": lambda lib, x: F(lib).relu(x),
    "relu6": lambda lib, x: F(lib).relu6(x),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x),
    "leaky_relu_neg": lambda lib, x: F(lib).leaky_relu(x, -0.3),
    "leaky_relu_big": lambda lib, x: F(lib).leaky_relu(x, 2.5),
    "elu": lambda lib, x: F(lib).elu(x),
    "elu_alpha": lambda lib, x: F(lib).elu(x, alpha=0.7),
    "elu_neg_alpha": lambda lib, x: F(lib).elu(x, alpha=-0.5),
    "selu": lambda lib, x: F(lib).selu(x),
    "celu": lambda lib, x: F(lib).celu(x),
    "celu_alpha": lambda lib, x: F(lib).celu(x, alpha=2.0),
    "gelu": lambda lib, x: F(lib).gelu(x),
    "gelu_tanh": lambda lib, x: F(lib).gelu(x, approximate="tanh"),
    "silu": lambda lib, x: F(lib).silu(x),
    "mish": lambda lib, x: F(lib).mish(x),
    "sigmoid": lambda lib, x: F(lib).sigmoid(x),
    "tanh": lambda lib, x: F(lib).tanh(x),
    "hardtanh": lambda lib, x: F(lib).hardtanh(x),
    "hardtanh_range": lambda lib, x: F(lib).hardtanh(x, -0.5, 3.0),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x),
    "hardswish": lambda lib, x: F(lib).hardswish(x),
    "softplus": lambda lib, x: F(lib).softplus(x),
    "softplus_beta": lambda lib, x: F(lib).softplus(x, beta=2.0, threshold=3.0),
    "softsign": lambda lib, x: F(lib).softsign(x),
    "logsigmoid": lambda lib, x: F(lib).logsigmoid(x),
    "tanhshrink": lambda lib, x: F(lib).tanhshrink(x),
    "softshrink": lambda lib, x: F(lib).softshrink(x),
    "softshrink_1": lambda lib, x: F(lib).softshrink(x, 1.0),
    "hardshrink": lambda lib, x: F(lib).hardshrink(x),
    "hardshrink_neg": lambda lib, x: F(lib).hardshrink(x, -0.5),
    "threshold": lambda lib, x: F(lib).threshold(x, 1.0, -2.0),
    "threshold_0": lambda lib, x: F(lib).threshold(x, 0.0, 0.0),
    "rrelu_eval": lambda lib, x: F(lib).rrelu(x),
    "glu": lambda lib, x: F(lib).glu(x),
    "glu_dim0": lambda lib, x: F(lib).glu(x, 0),
    "prelu1": lambda lib, x: F(lib).prelu(x, lib.tensor([0.3], dtype=x.dtype)),
    "prelu_c": lambda lib, x: F(lib).prelu(x, lib.linspace(-0.5, 0.5, x.shape[1], dtype=x.dtype)),
    "softmax0": lambda lib, x: F(lib).softmax(x, 0),
    "softmax1": lambda lib, x: F(lib).softmax(x, -1),
    "log_softmax1": lambda lib, x: F(lib).log_softmax(x, 1),
    "log_softmax0": lambda lib, x: F(lib).log_softmax(x, 0),
    "softmin": lambda lib, x: F(lib).softmin(x, 1),
}


def _input(dtype):
    x = np.concatenate([np.array(KINKS), RNG.uniform(-4, 4, size=23)]).astype(dtype)
    return x.reshape(2, 18)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(OPS))
def test_op_values_and_grads(name, dtype):
    check(OPS[name], _input(dtype), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", [n for n in OPS if not n.startswith(("glu", "prelu_c"))])
def test_op_shapes(name):
    # 0-d, empty, 4-d (channel dim 1 for prelu)
    for shape in [(), (0, 3), (2, 2, 3, 2)]:
        if shape == () and name.startswith(("softmax0", "log_softmax0")):
            continue
        x = RNG.uniform(-3, 3, size=shape).astype(np.float32)
        if shape == () and name in ("softmax1", "log_softmax1", "softmin"):
            continue
        check(OPS[name], np.asarray(x))


@pytest.mark.parametrize("name", [n for n in OPS if not n.startswith(("glu", "prelu"))])
def test_op_nan_inf(name):
    x = np.array([[np.nan, np.inf, -np.inf, 0.0, 1.0, -1.0]], np.float32)
    if name.startswith(("softmax", "log_softmax", "softmin")):
        x = np.array([[np.nan, 1.0, 2.0], [-np.inf, 0.0, 1.0]], np.float32)
    check(OPS[name], x)


def test_prelu_4d_channels():
    x = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    x[0, 0, 0, :3] = 0.0
    w = np.array([0.1, -0.5, 2.0], np.float32)
    check(lambda lib, x, w: F(lib).prelu(x, w), x, w)
    check(lambda lib, x, w: F(lib).prelu(x, w), x, np.array([0.25], np.float32))
    check(lambda lib, x, w: F(lib).prelu(x, w), np.full((), -2.0, np.float32),
          np.array([0.25], np.float32))


def test_glu_shapes():
    check(lambda lib, x: F(lib).glu(x, 1), RNG.standard_normal((2, 6, 3)).astype(np.float32))
    check(lambda lib, x: lib.nn.GLU(-2)(x), RNG.standard_normal((2, 4, 3)).astype(np.float32))


# ------------------------------------------------------------------ in place
INPLACE = {
    "relu": lambda lib, x: F(lib).relu(x, inplace=True),
    "relu_": lambda lib, x: F(lib).relu_(x),
    "relu6": lambda lib, x: F(lib).relu6(x, inplace=True),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x, 0.2, inplace=True),
    "leaky_relu_": lambda lib, x: F(lib).leaky_relu_(x, 0.2),
    "elu": lambda lib, x: F(lib).elu(x, inplace=True),
    "elu_": lambda lib, x: F(lib).elu_(x),
    "selu": lambda lib, x: F(lib).selu(x, inplace=True),
    "celu": lambda lib, x: F(lib).celu(x, 1.5, inplace=True),
    "silu": lambda lib, x: F(lib).silu(x, inplace=True),
    "mish": lambda lib, x: F(lib).mish(x, inplace=True),
    "hardtanh": lambda lib, x: F(lib).hardtanh(x, inplace=True),
    "hardtanh_": lambda lib, x: F(lib).hardtanh_(x, -0.5, 0.5),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x, inplace=True),
    "hardswish": lambda lib, x: F(lib).hardswish(x, inplace=True),
    "threshold": lambda lib, x: F(lib).threshold(x, 0.5, 9.0, inplace=True),
    "threshold_": lambda lib, x: F(lib).threshold_(x, 0.5, 9.0),
    "rrelu": lambda lib, x: F(lib).rrelu(x, inplace=True),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace(name):
    def fn(lib, x):
        y = x * 1.0  # a non-leaf, so the in-place op is allowed and differentiable
        r = INPLACE[name](lib, y)
        assert r is y
        return y
    check(fn, _input(np.float32))


@pytest.mark.parametrize("name", ["relu", "elu", "hardtanh", "threshold", "leaky_relu"])
def test_inplace_leaf_raises(name):
    x = RNG.standard_normal(4).astype(np.float32)

    def fn(lib, x):
        x.requires_grad_(True)
        return INPLACE[name](lib, x)
    check_raises(fn, x)


def test_inplace_no_grad_and_version():
    x = suanzi.tensor([-1.0, 2.0])
    v = x._version
    suanzi.nn.functional.relu_(x)
    assert x.tolist() == [0.0, 2.0] and x._version == v + 1


def test_inplace_after_use_errors_at_backward():
    # torch: the sigmoid output saved for backward is modified in place by relu_
    def fn(lib):
        x = lib.tensor([-1.0, 2.0], requires_grad=True)
        y = lib.sigmoid(x)
        F(lib).relu_(y)
        y.sum().backward()
    check_raises(fn)


# ------------------------------------------------------------------ integer / low precision
@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "threshold", "softsign",
                                  "tanhshrink", "sigmoid", "tanh"])
def test_integer_inputs_supported(name):
    check(OPS[name], np.array([[-7, -1, 0, 1, 2, 9]], np.int64), grad=False)


@pytest.mark.parametrize("name", [n for n in OPS if n not in (
    "relu", "relu6", "hardtanh", "hardtanh_range", "threshold", "threshold_0", "softsign",
    "tanhshrink", "sigmoid", "tanh")])
@pytest.mark.parametrize("dtype", [np.int64, np.bool_])
def test_integer_inputs_raise(name, dtype):
    check_raises(OPS[name], np.array([[1, 0, 1, 1]], dtype))


@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "threshold"])
def test_bool_raises(name):
    check_raises(OPS[name], np.array([True, False]))


def test_relu_inplace_int():
    check(lambda lib, x: F(lib).relu(x.clone(), inplace=True), np.array([-2, 0, 3], np.int64),
          grad=False)


@pytest.mark.parametrize("name", ["relu", "gelu", "gelu_tanh", "silu", "elu", "softmax1",
                                  "log_softmax1", "hardswish", "softplus", "leaky_relu"])
@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_low_precision(name, dt):
    x = _input(np.float32)

    def fn(lib, x):
        return OPS[name](lib, x.to(getattr(lib, dt)))
    check(fn, x, rtol=1e-2, atol=1e-2)


# ------------------------------------------------------------------ softmax specifics
def test_softmax_stable_large():
    x = np.array([[1000.0, 0.0, -1000.0], [1e30, 1e30, -1e30], [-1e4, -1e4 + 1, -1e4]],
                 np.float32)
    for fn in ("softmax", "log_softmax", "softmin"):
        check(lambda lib, x: getattr(F(lib), fn)(x, 1), x)


def test_log_softmax_1000():
    s, _ = check(lambda lib, x: F(lib).log_softmax(x, 0), np.array([1000.0, 0.0], np.float32))
    assert s.tolist() == [0.0, -1000.0]


def test_softmax_all_neg_inf_row_nan():
    x = np.array([[-np.inf, -np.inf], [0.0, 1.0]], np.float32)
    s, _ = check(lambda lib, x: F(lib).softmax(x, 1), x, grad=False)
    assert np.isnan(s.numpy()[0]).all()


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_softmax_dims(fn, dim):
    x = RNG.standard_normal((3, 4, 5)).astype(np.float64)
    check(lambda lib, x: getattr(F(lib), fn)(x, dim), x)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_softmax_dtype_arg(fn):
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    check(lambda lib, x: getattr(F(lib), fn)(x, 1, dtype=lib.float64), x)
    check(lambda lib, x: getattr(F(lib), fn)(x, 1, dtype=lib.float32),
          np.array([[1, 2, 3]], np.int64), grad=False)


@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_softmax_implicit_dim_warns(fn, ndim):
    x = RNG.standard_normal((2,) * ndim).astype(np.float32)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        s = getattr(suanzi.nn.functional, fn)(to_suanzi(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = getattr(torch.nn.functional, fn)(to_torch(x))
    np.testing.assert_allclose(s.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)


def test_softmax_module_forms():
    x = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    for make in (lambda lib: lib.nn.Softmax(dim=1), lambda lib: lib.nn.LogSoftmax(dim=-1),
                 lambda lib: lib.nn.Softmin(dim=2), lambda lib: lib.nn.Softmax2d()):
        check_module(make, x)
    check_module(lambda lib: lib.nn.Softmax2d(), x[0])


def test_softmax_errors():
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    check_raises(lambda lib, x: F(lib).softmax(x, 2), x)
    check_raises(lambda lib, x: F(lib).log_softmax(x, -3), x)
    check_raises(lambda lib, x: F(lib).softmax(x, 1.5), x)
    check_raises(lambda lib, x: lib.nn.Softmax2d()(x), x)
    check_raises(lambda lib, x: lib.nn.Softmax2d()(x), x.reshape(1, 1, 1, 2, 3))


def test_softmax_zero_dim():
    check(lambda lib, x: F(lib).softmax(x, 0), np.asarray(np.float32(3.0)))
    check(lambda lib, x: F(lib).log_softmax(x, -1), np.asarray(np.float32(3.0)))


@pytest.mark.skipif(not hasattr(suanzi, "softmax") or not hasattr(suanzi.Tensor, "softmax"),
                    reason="torch.* / Tensor bindings are added by the lead (ops.activation "
                           "METHODS / TORCH_FUNCTIONS)")
def test_torch_namespace_and_methods():
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    check(lambda lib, x: lib.relu(x), x)
    check(lambda lib, x: lib.relu_(x * 1), x)
    check(lambda lib, x: x.relu(), x)
    check(lambda lib, x: lib.softmax(x, 1), x)
    check(lambda lib, x: lib.log_softmax(x, 0), x)
    check(lambda lib, x: x.softmax(-1), x)
    check(lambda lib, x: x.log_softmax(dim=1), x)
    check(lambda lib, x: lib.softmax(x, 1, dtype=lib.float64), x)
    check_raises(lambda lib, x: lib.softmax(x), x)


# ------------------------------------------------------------------ second derivatives
SECOND = ["gelu", "gelu_tanh", "elu", "selu", "celu_alpha", "silu", "mish", "softplus",
          "softplus_beta", "logsigmoid", "softmax1", "log_softmax1", "softmin", "leaky_relu",
          "relu", "hardswish", "hardtanh", "glu", "prelu_c", "softshrink", "threshold"]


@pytest.mark.parametrize("name", SECOND)
def test_double_backward(name):
    x = RNG.uniform(-2.5, 2.5, size=(2, 6)).astype(np.float64)

    def fn(lib, x):
        y = OPS[name](lib, x)
        w = lib.from_numpy(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
        (g,) = lib.autograd.grad((y * w).sum(), x, create_graph=True)
        return g
    check(fn, x, rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------------ gradcheck
GRADCHECK = ["relu", "leaky_relu", "elu", "selu", "celu_alpha", "gelu", "gelu_tanh", "silu",
             "mish", "hardtanh", "hardsigmoid", "hardswish", "softplus", "softplus_beta",
             "softsign", "logsigmoid", "tanhshrink", "softshrink", "hardshrink", "threshold",
             "glu", "softmax1", "log_softmax1", "softmin", "softmax0"]


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradcheck(name):
    # away from the kinks (finite differences straddling one are meaningless)
    x = np.array([[-2.7, -1.3, -0.7, -0.1, 0.2, 0.8], [1.2, 2.2, 3.6, -3.6, 0.4, -0.35]])
    t = suanzi.tensor(x, dtype=suanzi.float64, requires_grad=True)
    assert suanzi.autograd.gradcheck(lambda t: OPS[name](suanzi, t), (t,))


def test_gradcheck_prelu_weight():
    x = suanzi.tensor([[-2.0, 1.0], [0.5, -0.3]], dtype=suanzi.float64, requires_grad=True)
    w = suanzi.tensor([0.2, -0.4], dtype=suanzi.float64, requires_grad=True)
    assert suanzi.autograd.gradcheck(lambda x, w: suanzi.nn.functional.prelu(x, w), (x, w))


# ------------------------------------------------------------------ modules
MODULES = [
    lambda lib: lib.nn.ReLU(), lambda lib: lib.nn.ReLU(inplace=True),
    lambda lib: lib.nn.ReLU6(), lambda lib: lib.nn.ReLU6(True),
    lambda lib: lib.nn.LeakyReLU(), lambda lib: lib.nn.LeakyReLU(0.2, inplace=True),
    lambda lib: lib.nn.PReLU(), lambda lib: lib.nn.PReLU(3, init=0.1),
    lambda lib: lib.nn.ELU(), lambda lib: lib.nn.ELU(alpha=0.5, inplace=True),
    lambda lib: lib.nn.SELU(), lambda lib: lib.nn.SELU(True), lambda lib: lib.nn.CELU(),
    lambda lib: lib.nn.CELU(2.0, True), lambda lib: lib.nn.GELU(),
    lambda lib: lib.nn.GELU(approximate="tanh"), lambda lib: lib.nn.SiLU(),
    lambda lib: lib.nn.SiLU(inplace=True), lambda lib: lib.nn.Mish(),
    lambda lib: lib.nn.Mish(True), lambda lib: lib.nn.Sigmoid(), lambda lib: lib.nn.Tanh(),
    lambda lib: lib.nn.Hardtanh(), lambda lib: lib.nn.Hardtanh(-2, 3.5, True),
    lambda lib: lib.nn.Hardsigmoid(), lambda lib: lib.nn.Hardsigmoid(True),
    lambda lib: lib.nn.Hardswish(), lambda lib: lib.nn.Hardswish(True),
    lambda lib: lib.nn.Softplus(), lambda lib: lib.nn.Softplus(beta=2, threshold=10),
    lambda lib: lib.nn.Softsign(), lambda lib: lib.nn.Softmax(dim=1),
    lambda lib: lib.nn.Softmax(), lambda lib: lib.nn.LogSoftmax(1), lambda lib: lib.nn.Softmin(0),
    lambda lib: lib.nn.Softmax2d(), lambda lib: lib.nn.LogSigmoid(),
    lambda lib: lib.nn.Tanhshrink(), lambda lib: lib.nn.Softshrink(),
    lambda lib: lib.nn.Softshrink(1.5), lambda lib: lib.nn.Hardshrink(0.25),
    lambda lib: lib.nn.Threshold(0.1, 20), lambda lib: lib.nn.Threshold(0.1, 20.0, True),
    lambda lib: lib.nn.GLU(), lambda lib: lib.nn.GLU(dim=0), lambda lib: lib.nn.RReLU(),
    lambda lib: lib.nn.RReLU(0.1, 0.3, inplace=True),
]


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_module_repr(i):
    assert repr(MODULES[i](suanzi)) == repr(MODULES[i](torch))


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_module_parity(i):
    make = MODULES[i]
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    inplace = getattr(make(torch), "inplace", False)
    call = (lambda m, x: m(x * 1)) if inplace else None
    train = not isinstance(make(torch), torch.nn.RReLU)  # RReLU's training mode is random
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_module(make, x, train=train, call=call)


def test_prelu_module_init_and_state():
    m = suanzi.nn.PReLU(4, init=0.3)
    assert m.weight.shape == (4,) and np.allclose(m.weight.detach().numpy(), 0.3)
    assert list(m.state_dict()) == ["weight"]
    x = RNG.standard_normal((2, 4, 3)).astype(np.float32)
    check_module(lambda lib: lib.nn.PReLU(4), x)
    m64 = suanzi.nn.PReLU(dtype=suanzi.float64)
    assert m64.weight.dtype == suanzi.float64


def test_rrelu_training_random():
    suanzi.manual_seed(0)
    x = suanzi.tensor(np.linspace(-3, 3, 2001, dtype=np.float32), requires_grad=True)
    m = suanzi.nn.RReLU(0.1, 0.3)
    y = m(x)
    y.sum().backward()
    xd, yd, gd = x.detach().numpy(), y.detach().numpy(), x.grad.numpy()
    pos = xd > 0
    np.testing.assert_array_equal(yd[pos], xd[pos])
    np.testing.assert_array_equal(gd[pos], 1.0)
    neg = xd < 0
    ratio = yd[neg] / xd[neg]
    assert ratio.min() >= 0.1 - 1e-6 and ratio.max() <= 0.3 + 1e-6 and ratio.std() > 0.03
    np.testing.assert_allclose(gd[neg], ratio, rtol=1e-5)
    suanzi.manual_seed(0)
    np.testing.assert_array_equal(suanzi.nn.RReLU(0.1, 0.3)(x).detach().numpy(), yd)
    m.eval()
    check(lambda lib, x: lib.nn.RReLU(0.1, 0.3).eval()(x), xd)


# ------------------------------------------------------------------ errors
def test_errors():
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    check_raises(lambda lib, x: F(lib).gelu(x, approximate="fast"), x)
    check_raises(lambda lib, x: lib.nn.GELU("fast")(x), x)
    check_raises(lambda lib, x: F(lib).celu(x, alpha=0.0), x)
    check_raises(lambda lib, x: F(lib).softshrink(x, -1.0), x)
    check_raises(lambda lib, x: F(lib).hardtanh(x, 2.0, 1.0), x)
    check_raises(lambda lib, x: F(lib).glu(x), x[:, :3])
    check_raises(lambda lib, x: F(lib).glu(x), np.asarray(np.float32(1.0)))
    check_raises(lambda lib, x: F(lib).glu(x, 2), x)
    check_raises(lambda lib, x: F(lib).prelu(x, lib.ones(3)), x)
    check_raises(lambda lib, x: F(lib).prelu(x, lib.ones(4)), x[0])
    check_raises(lambda lib, x: F(lib).prelu(x, lib.ones(2, 2)), x)
    check_raises(lambda lib, x: F(lib).prelu(x, lib.ones(4, dtype=lib.float64)), x)
    check_raises(lambda lib, x: lib.nn.PReLU(3)(x), x)
    check_raises(lambda lib, x: F(lib).rrelu(x, 0.5, 0.1, training=True), x)


def test_hardtanh_module_bounds():
    for lo, hi in [(1.0, 1.0), (2.0, 1.0)]:
        with pytest.raises(AssertionError):
            suanzi.nn.Hardtanh(lo, hi)
        with pytest.raises(ValueError):
            suanzi.nn.Hardtanh(lo, hi)
        with pytest.raises(AssertionError):
            torch.nn.Hardtanh(lo, hi)
    with pytest.warns(FutureWarning):
        m = suanzi.nn.Hardtanh(min_value=-2.0, max_value=2.0)
    assert (m.min_val, m.max_val) == (-2.0, 2.0)
    check(lambda lib, x: lib.nn.Hardtanh(-2.0, 2.0)(x), _input(np.float32))


# ------------------------------------------------------------------ fast float32 kernels
def test_gelu_float32_accuracy_wide():
    # the float32 kernel (a rational fit of Phi, by cache blocks) against float64 erf:
    # several blocks, both signs, the tails
    x = np.concatenate([np.linspace(-12, 12, 90001), RNG.standard_normal(20000) * 3])
    x32 = x.astype(np.float32)
    g = RNG.standard_normal(x.shape).astype(np.float32)
    s = suanzi.from_numpy(x32.copy()).requires_grad_(True)
    y = suanzi.nn.functional.gelu(s)
    y.backward(suanzi.from_numpy(g))
    t = torch.from_numpy(x32.astype(np.float64)).requires_grad_(True)
    ty = torch.nn.functional.gelu(t)
    ty.backward(torch.from_numpy(g.astype(np.float64)))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=2e-6, atol=2e-7)
    np.testing.assert_allclose(s.grad.numpy(), t.grad.numpy(), rtol=2e-6, atol=2e-7)
    with suanzi.no_grad():  # the forward that keeps nothing for the backward
        np.testing.assert_array_equal(suanzi.nn.functional.gelu(s).numpy(), y.detach().numpy())


def test_gelu_float32_huge_and_special_in_blocks():
    # huge finite values, inf and NaN take the clipped path of their block only
    x = RNG.standard_normal(70000).astype(np.float32)
    x[[5, 40000, 69999]] = [1e20, -1e20, 1e6]
    x[[100, 41000]] = [np.inf, -np.inf]
    x[[65000]] = np.nan
    check(lambda lib, x: F(lib).gelu(x), x)
    check(lambda lib, x: F(lib).gelu(x), x[::-3].copy())


@pytest.mark.parametrize("case", ["direct", "shifted", "rowmax", "special"])
def test_softmax_lastdim_paths(case):
    # the last-dim kernel picks, per block of rows, exp(x) as is, a block shift or the row max
    x = RNG.standard_normal((6, 5, 1000, 40)).astype(np.float32) * 4
    if case == "shifted":
        x += 1000.0
    elif case == "rowmax":
        x[3, 1, 7] *= 50
        x[0, 0, 0, 0] = -3e38
    elif case == "special":
        x[1, 1, 1, :2] = [np.inf, -np.inf]
        x[2, 2, 2, 5] = np.nan
        x[4, 4, 4, :] = -np.inf
    check(lambda lib, x: F(lib).softmax(x, -1), x, grad=case != "special")
    ref = torch.softmax(torch.from_numpy(x.astype(np.float64)), -1).numpy()
    got = suanzi.nn.functional.softmax(suanzi.from_numpy(x), -1).numpy()
    np.testing.assert_allclose(got, ref, rtol=2e-6, atol=1e-9)
