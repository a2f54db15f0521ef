"""Random sampling: reproducibility under a seed, generators and their state,
dtypes/shapes/errors as torch, distribution statistics, in-place samplers.

Streams are not torch's bit for bit (impossible), so values are checked by
their statistics and by reproducibility, and everything else against torch.
"""
import numpy as np
import pytest
import torch

import suanzi
from helpers import check_raises, dtype_name


def arr(t):
    return np.asarray(t.detach().numpy() if t.dtype is not suanzi.bfloat16
                      else t.detach().float().numpy())


SAMPLERS = {
    "rand": lambda lib, **kw: lib.rand(3, 4, **kw),
    "randn": lambda lib, **kw: lib.randn(5, **kw),
    "randint": lambda lib, **kw: lib.randint(0, 100, (6,), **kw),
    "randperm": lambda lib, **kw: lib.randperm(10, **kw),
    "normal": lambda lib, **kw: lib.normal(2.0, 3.0, (4,), **kw),
    "normal_t": lambda lib, **kw: lib.normal(lib.zeros(4), lib.ones(4), **kw),
    "bernoulli": lambda lib, **kw: lib.bernoulli(lib.full((20,), 0.5), **kw),
    "multinomial": lambda lib, **kw: lib.multinomial(lib.ones(2, 5), 3, **kw),
    "multinomial_r": lambda lib, **kw: lib.multinomial(lib.ones(5), 8, True, **kw),
    "poisson": lambda lib, **kw: lib.poisson(lib.full((6,), 4.0), **kw),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_manual_seed_reproducible(name):
    f = SAMPLERS[name]
    suanzi.manual_seed(123)
    a = f(suanzi)
    suanzi.manual_seed(123)
    b = f(suanzi)
    c = f(suanzi)
    np.testing.assert_array_equal(arr(a), arr(b))
    if name not in ("bernoulli",):
        assert not np.array_equal(arr(b), arr(c))  # the stream moves on
    suanzi.manual_seed(124)
    d = f(suanzi)
    assert not np.array_equal(arr(a), arr(d)) or name == "bernoulli"


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_generator_argument(name):
    f = SAMPLERS[name]
    g1 = suanzi.Generator().manual_seed(7)
    g2 = suanzi.Generator().manual_seed(7)
    suanzi.manual_seed(0)
    a = f(suanzi, generator=g1)
    suanzi.manual_seed(99)  # the default generator does not affect g
    b = f(suanzi, generator=g2)
    np.testing.assert_array_equal(arr(a), arr(b))
    # same dtype and shape as torch with its own generator
    t = f(torch, generator=torch.Generator().manual_seed(7))
    assert tuple(a.shape) == tuple(t.shape) and dtype_name(a.dtype) == dtype_name(t.dtype)


def test_generator_does_not_touch_default():
    suanzi.manual_seed(5)
    a = suanzi.rand(4)
    suanzi.manual_seed(5)
    suanzi.rand(4, generator=suanzi.Generator().manual_seed(1))
    b = suanzi.rand(4)
    np.testing.assert_array_equal(arr(a), arr(b))


def test_generator_api():
    g = suanzi.Generator()
    tg = torch.Generator()
    assert g.initial_seed() == tg.initial_seed()
    assert g.manual_seed(42) is g
    assert g.initial_seed() == 42
    assert g.device == suanzi.device("cpu")
    assert str(g.device) == str(tg.device)
    assert suanzi.Generator(device="cpu").initial_seed() == tg.initial_seed()
    assert g.manual_seed(-1).initial_seed() == tg.manual_seed(-1).initial_seed()
    s = g.seed()
    assert g.initial_seed() == s
    check_raises(lambda lib: lib.Generator().manual_seed(2 ** 64))
    check_raises(lambda lib: lib.manual_seed("a"))


def test_generator_state_roundtrip():
    g = suanzi.Generator().manual_seed(3)
    suanzi.randn(10, generator=g)
    st = g.get_state()
    assert st.dtype is suanzi.uint8 and st.ndim == 1
    a = suanzi.randn(5, generator=g)
    b = suanzi.randint(0, 10, (5,), generator=g)
    g.set_state(st)
    np.testing.assert_array_equal(arr(a), arr(suanzi.randn(5, generator=g)))
    np.testing.assert_array_equal(arr(b), arr(suanzi.randint(0, 10, (5,), generator=g)))
    # the state is a copy: sampling afterwards does not change it
    st2 = g.get_state()
    suanzi.rand(3, generator=g)
    assert not np.array_equal(arr(st2), arr(g.get_state()))
    # a state moves between generators
    h = suanzi.Generator().set_state(st)
    g.set_state(st)
    np.testing.assert_array_equal(arr(suanzi.rand(4, generator=g)), arr(suanzi.rand(4, generator=h)))
    assert h.initial_seed() == 3


def test_generator_state_odd_uint32():
    # a 32-bit draw leaves half a 64-bit word buffered; the state keeps it
    g = suanzi.Generator().manual_seed(11)
    suanzi.rand(1, generator=g)  # float32 sampling draws 32 bits
    st = g.get_state()
    a = suanzi.rand(3, generator=g)
    g.set_state(st)
    np.testing.assert_array_equal(arr(a), arr(suanzi.rand(3, generator=g)))


def test_set_state_errors():
    g = suanzi.Generator()
    check_raises(lambda lib: lib.Generator().set_state(lib.zeros(3)))
    with pytest.raises(RuntimeError):
        g.set_state(suanzi.zeros(3, dtype=suanzi.uint8))
    with pytest.raises(TypeError):
        g.set_state([1, 2])


def test_global_rng_state():
    suanzi.manual_seed(10)
    assert suanzi.initial_seed() == 10
    st = suanzi.get_rng_state()
    a = suanzi.rand(5)
    suanzi.set_rng_state(st)
    np.testing.assert_array_equal(arr(a), arr(suanzi.rand(5)))
    assert suanzi.manual_seed(10) is suanzi.default_generator
    s = suanzi.seed()
    assert suanzi.initial_seed() == s


def test_fork_rng():
    suanzi.manual_seed(1)
    with suanzi.random.fork_rng():
        suanzi.rand(100)
    a = suanzi.rand(3)
    suanzi.manual_seed(1)
    np.testing.assert_array_equal(arr(a), arr(suanzi.rand(3)))


def test_random_module_functions():
    suanzi.random.manual_seed(4)
    a = suanzi.rand(2)
    suanzi.manual_seed(4)
    np.testing.assert_array_equal(arr(a), arr(suanzi.rand(2)))
    assert suanzi.random.initial_seed() == 4


# ------------------------------------------------------------------ shapes and dtypes vs torch
SHAPE_CALLS = [
    lambda lib: lib.rand(2, 3), lambda lib: lib.rand((2, 3)), lambda lib: lib.rand([4]),
    lambda lib: lib.rand(()), lambda lib: lib.rand(size=(2,)), lambda lib: lib.rand(0, 3),
    lambda lib: lib.randn(2, 3), lambda lib: lib.randn(lib.Size([3, 1])), lambda lib: lib.randn([]),
    lambda lib: lib.rand(2, dtype=lib.float64), lambda lib: lib.rand(2, dtype=lib.float16),
    lambda lib: lib.rand(2, dtype=lib.bfloat16), lambda lib: lib.randn(2, dtype=lib.float64),
    lambda lib: lib.randn(2, dtype=lib.float16), lambda lib: lib.randn(3, dtype=lib.bfloat16),
    lambda lib: lib.rand(2, dtype=lib.complex64), lambda lib: lib.randn(2, dtype=lib.complex128),
    lambda lib: lib.randint(5, (2,)), lambda lib: lib.randint(2, 5, (2, 3)),
    lambda lib: lib.randint(5, size=(2,)), lambda lib: lib.randint(low=1, high=5, size=(2,)),
    lambda lib: lib.randint(high=5, size=(3,)), lambda lib: lib.randint(0, 5, (2,), dtype=lib.float32),
    lambda lib: lib.randint(0, 2, (4,), dtype=lib.bool), lambda lib: lib.randint(-5, 5, (3,), dtype=lib.int8),
    lambda lib: lib.randint(0, 2 ** 40, (3,)), lambda lib: lib.randint(3, ()),
    lambda lib: lib.randperm(5), lambda lib: lib.randperm(0), lambda lib: lib.randperm(5, dtype=lib.float32),
    lambda lib: lib.randperm(4, dtype=lib.int32),
    lambda lib: lib.normal(0., 1., (2,)), lambda lib: lib.normal(2, 3, (2, 2)),
    lambda lib: lib.normal(0., 1., size=(3,)), lambda lib: lib.normal(0., 1., (2,), dtype=lib.float64),
    lambda lib: lib.normal(lib.zeros(2, 1), lib.ones(3)), lambda lib: lib.normal(lib.zeros(2), 2.),
    lambda lib: lib.normal(lib.zeros(2, dtype=lib.float64), 1.), lambda lib: lib.normal(0., lib.ones(2)),
    lambda lib: lib.normal(lib.zeros(2), lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.normal(lib.zeros(2, dtype=lib.float64), lib.ones(2)),
    lambda lib: lib.normal(lib.zeros(()), 1.), lambda lib: lib.normal(lib.zeros(2)),
    lambda lib: lib.bernoulli(lib.full((3,), 0.5)), lambda lib: lib.bernoulli(lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.bernoulli(lib.ones(3), 0.5), lambda lib: lib.bernoulli(lib.ones(3, dtype=lib.int64), 0.5),
    lambda lib: lib.ones(2, 3).bernoulli(),
    lambda lib: lib.multinomial(lib.tensor([0., 1., 0.]), 2), lambda lib: lib.multinomial(lib.ones(3, 4), 2),
    lambda lib: lib.multinomial(lib.ones(3, 4), 9, replacement=True), lambda lib: lib.ones(4).multinomial(1),
    lambda lib: lib.multinomial(lib.ones(4, dtype=lib.float64), 4),
    lambda lib: lib.poisson(lib.ones(3) * 2), lambda lib: lib.poisson(lib.ones(2, 2, dtype=lib.float64)),
]


@pytest.mark.parametrize("i", range(len(SHAPE_CALLS)))
def test_shape_and_dtype_like_torch(i):
    s, t = SHAPE_CALLS[i](suanzi), SHAPE_CALLS[i](torch)
    assert tuple(s.shape) == tuple(t.shape)
    assert dtype_name(s.dtype) == dtype_name(t.dtype)
    assert s.requires_grad == t.requires_grad


def test_requires_grad_argument():
    for f in (lambda lib: lib.rand(2, requires_grad=True), lambda lib: lib.randn(2, requires_grad=True),
              lambda lib: lib.normal(0., 1., (2,), requires_grad=True)):
        s = f(suanzi)
        assert s.requires_grad and s.is_leaf
    check_raises(lambda lib: lib.randint(0, 3, (2,), requires_grad=True))
    check_raises(lambda lib: lib.randperm(3, requires_grad=True))


ERRORS = [
    lambda lib: lib.rand(2, dtype=lib.int64), lambda lib: lib.rand(2, dtype=lib.bool),
    lambda lib: lib.randn(2, dtype=lib.int64), lambda lib: lib.randn(2, dtype=lib.bool),
    lambda lib: lib.rand(-1), lambda lib: lib.rand(2.5), lambda lib: lib.randn(2, -3),
    lambda lib: lib.rand(),
    lambda lib: lib.randint(3, 3, (2,)), lambda lib: lib.randint(5, 2), lambda lib: lib.randint(5, 1, (2,)),
    lambda lib: lib.randint(0, 300, (2,), dtype=lib.uint8), lambda lib: lib.randint(-1, 3, (2,), dtype=lib.uint8),
    lambda lib: lib.randint(3, (2,), dtype=lib.bool), lambda lib: lib.randint(0, 5, (-1,)),
    lambda lib: lib.randperm(-1),
    lambda lib: lib.normal(lib.zeros(2), -1.), lambda lib: lib.normal(lib.zeros(2), -lib.ones(2)),
    lambda lib: lib.normal(0., -lib.ones(2)), lambda lib: lib.normal(0., -1., (2,)),
    lambda lib: lib.normal(0., 1.), lambda lib: lib.normal(lib.zeros(2, dtype=lib.int64), 1.),
    lambda lib: lib.normal(lib.zeros(3), lib.ones(4)),
    lambda lib: lib.bernoulli(lib.full((3,), 1.5)), lambda lib: lib.bernoulli(lib.full((3,), -0.5)),
    lambda lib: lib.bernoulli(lib.ones(3, dtype=lib.int64)), lambda lib: lib.bernoulli(lib.ones(3), 2.0),
    lambda lib: lib.multinomial(lib.tensor([-1., 1.]), 1), lambda lib: lib.multinomial(lib.tensor([0., 0.]), 1),
    lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1), lambda lib: lib.multinomial(lib.ones(3), 0),
    lambda lib: lib.multinomial(lib.tensor([1, 2]), 1), lambda lib: lib.multinomial(lib.tensor([1., float("nan")]), 1),
    lambda lib: lib.multinomial(lib.tensor([1., float("inf")]), 1), lambda lib: lib.multinomial(lib.ones(3), 4),
    lambda lib: lib.multinomial(lib.tensor([[1., 1.], [0., 0.]]), 1),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_like_torch(i):
    check_raises(ERRORS[i])


# ------------------------------------------------------------------ statistics
N = 200_000


def test_rand_statistics():
    suanzi.manual_seed(0)
    for dt in (suanzi.float32, suanzi.float64, suanzi.float16, suanzi.bfloat16):
        x = arr(suanzi.rand(N, dtype=dt)).astype(np.float64)
        assert x.min() >= 0 and x.max() < 1
        assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 1 / 12) < 0.005
    c = suanzi.rand(N, dtype=suanzi.complex64).numpy()
    assert abs(c.real.mean() - 0.5) < 0.01 and abs(c.imag.mean() - 0.5) < 0.01


def test_randn_statistics():
    suanzi.manual_seed(0)
    for dt in (suanzi.float32, suanzi.float64, suanzi.float16):
        x = arr(suanzi.randn(N, dtype=dt)).astype(np.float64)
        assert abs(x.mean()) < 0.01 and abs(x.std() - 1) < 0.01
    c = suanzi.randn(N, dtype=suanzi.complex64).numpy()
    assert abs(c.real.std() - np.sqrt(0.5)) < 0.01 and abs((np.abs(c) ** 2).mean() - 1) < 0.02


def test_randint_statistics():
    suanzi.manual_seed(0)
    x = suanzi.randint(-3, 4, (N,)).numpy()
    assert x.min() == -3 and x.max() == 3
    counts = np.bincount(x + 3)
    assert np.all(np.abs(counts / N - 1 / 7) < 0.01)
    big = suanzi.randint(0, 2 ** 40, (1000,)).numpy()
    assert big.max() > 2 ** 38


def test_randperm_is_permutation():
    suanzi.manual_seed(0)
    for n in (0, 1, 7, 1000):
        p = suanzi.randperm(n).numpy()
        assert sorted(p.tolist()) == list(range(n))
    firsts = [suanzi.randperm(5).numpy()[0] for _ in range(500)]
    assert len(set(firsts)) == 5


def test_normal_statistics():
    suanzi.manual_seed(0)
    x = suanzi.normal(2.0, 3.0, (N,)).numpy()
    assert abs(x.mean() - 2) < 0.05 and abs(x.std() - 3) < 0.05
    mean = suanzi.tensor([[-10.0], [10.0]])
    std = suanzi.tensor([0.5, 1.0, 2.0])
    y = suanzi.normal(mean.expand(2, 3).contiguous() if hasattr(suanzi.Tensor, "expand") else mean, std)
    assert tuple(y.shape) == (2, 3)
    many = np.stack([suanzi.normal(mean, std).numpy() for _ in range(2000)])
    np.testing.assert_allclose(many.mean(0), [[-10] * 3, [10] * 3], atol=0.15)
    np.testing.assert_allclose(many.std(0), [[0.5, 1, 2]] * 2, rtol=0.1)
    z = suanzi.normal(suanzi.zeros(N), 0.0).numpy()
    assert np.all(z == 0)


def test_bernoulli_statistics():
    suanzi.manual_seed(0)
    p = suanzi.tensor([0.0, 0.2, 0.9, 1.0])
    many = np.stack([suanzi.bernoulli(p).numpy() for _ in range(5000)])
    assert set(np.unique(many)) <= {0.0, 1.0}
    np.testing.assert_allclose(many.mean(0), [0, 0.2, 0.9, 1], atol=0.02)
    assert many[:, 0].sum() == 0 and many[:, 3].all()
    x = suanzi.bernoulli(suanzi.zeros(N), 0.3).numpy()
    assert abs(x.mean() - 0.3) < 0.01


def test_multinomial_with_replacement_statistics():
    suanzi.manual_seed(0)
    w = suanzi.tensor([[0.0, 1.0, 3.0, 0.0], [5.0, 0.0, 0.0, 5.0]])
    s = suanzi.multinomial(w, 20000, replacement=True).numpy()
    assert s.dtype == np.int64 and s.shape == (2, 20000)
    f0 = np.bincount(s[0], minlength=4) / 20000
    f1 = np.bincount(s[1], minlength=4) / 20000
    np.testing.assert_allclose(f0, [0, 0.25, 0.75, 0], atol=0.02)
    np.testing.assert_allclose(f1, [0.5, 0, 0, 0.5], atol=0.02)
    assert f0[0] == 0 and f0[3] == 0 and f1[1] == 0 and f1[2] == 0


def test_multinomial_without_replacement():
    suanzi.manual_seed(0)
    w = suanzi.ones(50, 10)
    s = suanzi.multinomial(w, 10).numpy()
    assert all(sorted(r) == list(range(10)) for r in s.tolist())
    # heavy weights come first more often
    w2 = suanzi.tensor([1.0, 100.0, 1.0])
    firsts = [suanzi.multinomial(w2, 2).numpy()[0] for _ in range(300)]
    assert np.mean(np.array(firsts) == 1) > 0.9
    # zero-weight categories only after the positive ones are used up
    s2 = suanzi.multinomial(suanzi.tensor([0.0, 2.0, 0.0, 1.0]), 2).numpy()
    assert sorted(s2.tolist()) == [1, 3]


def test_poisson_statistics():
    suanzi.manual_seed(0)
    x = suanzi.poisson(suanzi.full((N,), 4.0)).numpy()
    assert x.dtype == np.float32 and abs(x.mean() - 4) < 0.05 and abs(x.var() - 4) < 0.1
    assert np.all(x == np.round(x))


# ------------------------------------------------------------------ gradients of samplers
@pytest.mark.parametrize("case", ["normal_tf", "normal_ft", "normal_tt", "bernoulli", "poisson"])
def test_sampler_grad_fn_and_zero_grad(case):
    names = []
    for lib in (suanzi, torch):
        m = lib.zeros(3, requires_grad=True)
        s = lib.ones(3, requires_grad=True)
        p = lib.full((3,), 0.5, requires_grad=True)
        y = {"normal_tf": lambda: lib.normal(m, 1.0), "normal_ft": lambda: lib.normal(0.0, s),
             "normal_tt": lambda: lib.normal(m, s), "bernoulli": lambda: lib.bernoulli(p),
             "poisson": lambda: lib.poisson(s)}[case]()
        names.append(type(y.grad_fn).__name__ if lib is torch else y.grad_fn.name)
        y.sum().backward()
        for leaf in (m, s, p):
            if leaf.grad is not None:
                assert not np.any(leaf.grad.numpy())
    assert names[0] == names[1]


def test_no_grad_sampling_has_no_graph():
    m = suanzi.zeros(3, requires_grad=True)
    with suanzi.no_grad():
        y = suanzi.normal(m, 1.0)
    assert not y.requires_grad and y.grad_fn is None


# ------------------------------------------------------------------ in-place samplers
FLOATS = ["float32", "float64", "float16", "bfloat16"]


@pytest.mark.parametrize("dtype", FLOATS)
def test_uniform_(dtype):
    suanzi.manual_seed(0)
    x = suanzi.zeros(N // 4, dtype=getattr(suanzi, dtype))
    r = x.uniform_()
    assert r is x and x.dtype is getattr(suanzi, dtype)
    v = arr(x).astype(np.float64)
    assert v.min() >= 0 and v.max() < 1 and abs(v.mean() - 0.5) < 0.01
    x.uniform_(-3, 5)
    v = arr(x).astype(np.float64)
    assert v.min() >= -3 and v.max() <= 5 and abs(v.mean() - 1) < 0.1
    x.uniform_(2, 2)
    assert np.all(arr(x) == 2)


@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_(dtype):
    suanzi.manual_seed(0)
    x = suanzi.zeros(N // 4, dtype=getattr(suanzi, dtype))
    assert x.normal_() is x
    v = arr(x).astype(np.float64)
    assert abs(v.mean()) < 0.02 and abs(v.std() - 1) < 0.02
    x.normal_(5, 0.5)
    v = arr(x).astype(np.float64)
    assert abs(v.mean() - 5) < 0.05 and abs(v.std() - 0.5) < 0.02


@pytest.mark.parametrize("dtype,lo,hi", [("float32", 0, 2 ** 24), ("float64", 0, 2 ** 53),
                                         ("float16", 0, 2 ** 11), ("bfloat16", 0, 2 ** 8),
                                         ("int64", 0, 2 ** 63 - 1), ("int32", 0, 2 ** 31 - 1),
                                         ("int16", 0, 2 ** 15 - 1), ("int8", 0, 127),
                                         ("uint8", 0, 255), ("bool", 0, 1)])
def test_random_default_range(dtype, lo, hi):
    suanzi.manual_seed(0)
    x = suanzi.zeros(20000, dtype=getattr(suanzi, dtype))
    x.random_()
    v = arr(x).astype(np.float64)
    assert v.min() >= lo and v.max() <= hi
    assert v.max() > hi * 0.9 and np.all(v == np.round(v))


@pytest.mark.parametrize("dtype", ["float32", "int64", "int32", "uint8", "float16"])
def test_random_with_bounds(dtype):
    suanzi.manual_seed(0)
    x = suanzi.zeros(5000, dtype=getattr(suanzi, dtype))
    x.random_(10)
    assert set(np.unique(arr(x))) == set(range(10))
    x.random_(3, 7)
    assert set(np.unique(arr(x))) == {3, 4, 5, 6}
    x.random_(250, None) if dtype == "uint8" else x.random_(3, 5)
    v = arr(x)
    assert v.min() >= (250 if dtype == "uint8" else 3)
    t = torch.zeros(5, dtype=getattr(torch, dtype)).random_(3, 7)
    assert dtype_name(x.dtype) == dtype_name(t.dtype)


def test_random_negative_from_float():
    x = suanzi.zeros(2000)
    x.random_(-5, -2)
    assert set(np.unique(x.numpy())) == {-5, -4, -3}


def test_bernoulli_():
    suanzi.manual_seed(0)
    x = suanzi.zeros(N)
    assert x.bernoulli_(0.25) is x
    assert abs(x.numpy().mean() - 0.25) < 0.01 and set(np.unique(x.numpy())) == {0.0, 1.0}
    x.bernoulli_()
    assert abs(x.numpy().mean() - 0.5) < 0.01
    y = suanzi.zeros(3, 4)
    y.bernoulli_(suanzi.tensor([0.0, 1.0, 0.0, 1.0]))
    np.testing.assert_array_equal(y.numpy(), np.tile([0.0, 1.0, 0.0, 1.0], (3, 1)))
    z = suanzi.zeros(1000, dtype=suanzi.int64).bernoulli_(0.5)
    assert z.dtype is suanzi.int64 and set(np.unique(z.numpy())) == {0, 1}


def test_exponential_():
    suanzi.manual_seed(0)
    x = suanzi.zeros(N)
    assert x.exponential_() is x
    v = x.numpy()
    assert v.min() >= 0 and abs(v.mean() - 1) < 0.02 and x.dtype is suanzi.float32
    x.exponential_(4.0)
    assert abs(x.numpy().mean() - 0.25) < 0.01


def test_other_inplace_samplers():
    suanzi.manual_seed(0)
    x = suanzi.zeros(N, dtype=suanzi.float64)
    x.geometric_(0.25)
    assert x.numpy().min() >= 1 and abs(x.numpy().mean() - 4) < 0.1
    x.log_normal_(0.0, 0.5)
    assert abs(np.log(x.numpy()).std() - 0.5) < 0.01
    x.cauchy_()
    assert abs(np.median(x.numpy())) < 0.02


INPLACE_ERRORS = [
    lambda lib: lib.ones(2, dtype=lib.int64).uniform_(), lambda lib: lib.ones(2, dtype=lib.int64).normal_(),
    lambda lib: lib.ones(2, dtype=lib.int64).exponential_(), lambda lib: lib.ones(2).uniform_(2, 1),
    lambda lib: lib.ones(2).normal_(0, -1), lambda lib: lib.ones(2).exponential_(-1),
    lambda lib: lib.ones(2).exponential_(0), lambda lib: lib.ones(2).bernoulli_(2.0),
    lambda lib: lib.ones(2).bernoulli_(-0.1), lambda lib: lib.ones(3, dtype=lib.float16).random_(2, 1),
    lambda lib: lib.zeros(3, dtype=lib.uint8).random_(-1, 3), lambda lib: lib.ones(3, dtype=lib.int8).random_(0, 200),
    lambda lib: lib.ones(3, dtype=lib.int8).random_(-200, 2), lambda lib: lib.ones(3, dtype=lib.bool).random_(-1, 3),
    lambda lib: lib.ones(2, requires_grad=True).uniform_(), lambda lib: lib.ones(2, requires_grad=True).normal_(),
    lambda lib: lib.ones(2, requires_grad=True).random_(), lambda lib: lib.ones(2, requires_grad=True).bernoulli_(),
    lambda lib: lib.ones(2, requires_grad=True).exponential_(),
    lambda lib: lib.ones(3).bernoulli_(lib.tensor([0.5, 1.5, 0.])),
    lambda lib: lib.ones(2, dtype=lib.int64).log_normal_(), lambda lib: lib.ones(2).geometric_(1.5),
    lambda lib: lib.ones(2, dtype=lib.int64).cauchy_(), lambda lib: lib.ones(2).bernoulli_(lib.ones(3)),
    lambda lib: lib.poisson(lib.ones(2, dtype=lib.int64)), lambda lib: lib.poisson(-lib.ones(2)),
]


@pytest.mark.parametrize("i", range(len(INPLACE_ERRORS)))
def test_inplace_errors_like_torch(i):
    check_raises(INPLACE_ERRORS[i])


def test_inplace_on_leaf_under_no_grad():
    for lib in (suanzi, torch):
        w = lib.ones(3, requires_grad=True)
        with lib.no_grad():
            w.uniform_(-1, 1)
            w.normal_()
        assert w.requires_grad and w.is_leaf and w.grad_fn is None


@pytest.mark.parametrize("method,args", [("uniform_", ()), ("normal_", ()), ("bernoulli_", ()),
                                         ("exponential_", ()), ("random_", (0, 5))])
def test_inplace_fill_on_non_leaf(method, args):
    names, grads = [], []
    for lib in (suanzi, torch):
        a = lib.ones(4, requires_grad=True)
        b = a * 2
        r = getattr(b, method)(*args)
        assert r is b
        names.append(type(b.grad_fn).__name__ if lib is torch else b.grad_fn.name)
        (b * 3).sum().backward()
        grads.append(a.grad.numpy().copy())
    assert names[0] == names[1]
    np.testing.assert_array_equal(grads[0], grads[1])


def test_inplace_on_view_writes_base():
    x = suanzi.zeros(4, 5)
    if not hasattr(suanzi.Tensor, "__getitem__"):
        pytest.skip("indexing not available")
    x[1].uniform_(2, 3)
    v = x.numpy()
    assert np.all(v[0] == 0) and np.all(v[2:] == 0) and np.all((v[1] >= 2) & (v[1] < 3))


def test_inplace_bumps_version():
    x = suanzi.zeros(3)
    v0 = x._version
    x.uniform_()
    x.normal_()
    assert x._version == v0 + 2


def test_inplace_reproducible_with_generator():
    a = suanzi.zeros(5).normal_(generator=suanzi.Generator().manual_seed(3))
    b = suanzi.zeros(5).normal_(generator=suanzi.Generator().manual_seed(3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    suanzi.manual_seed(8)
    c = suanzi.zeros(5).uniform_()
    suanzi.manual_seed(8)
    np.testing.assert_array_equal(c.numpy(), suanzi.zeros(5).uniform_().numpy())


def test_float32_sampled_in_float32():
    # samples are drawn as float32 directly, not float64 rounded (which could give 1.0)
    suanzi.manual_seed(0)
    x = suanzi.rand(N)
    assert x.numpy().dtype == np.float32 and x.numpy().max() < 1.0
    v = x.numpy().astype(np.float64) * 2 ** 24
    assert np.all(v == np.round(v))  # multiples of 2^-24


def test_exports():
    from suanzi import random
    for name in random.__all__:
        assert hasattr(suanzi, name), name
