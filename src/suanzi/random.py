"""Random numbers: :class:`Generator`, the default generator and seeding,
``rand``/``randn``/``randint``/``randperm``/``normal``/``bernoulli``/
``multinomial``/``poisson``, and the in-place samplers (``uniform_``,
``normal_``, ``random_``, ``bernoulli_``, ``exponential_`` …).

Every generator is a NumPy ``Generator(PCG64)``. Streams are not torch's
(that cannot be matched), but the same seed gives the same numbers, and
float32 samples are drawn directly in float32 (never float64 then cast).
"""
from __future__ import annotations

import contextlib
import os

import numpy as np

from . import _dtype as D
from .autograd.function import Function
from .autograd.grad_mode import STATE
from ._tensor import Tensor, _check_device, device as _device
from .ops._util import check_broadcast, write_out

_make = Tensor._make

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng", "rand", "randn", "randint", "randperm",
           "normal", "bernoulli", "multinomial", "poisson"]

_TYPE_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
               "int32": "Int", "int64": "Long", "float16": "Half", "bfloat16": "BFloat16",
               "float32": "Float", "float64": "Double", "complex64": "ComplexFloat",
               "complex128": "ComplexDouble"}
_CPP_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short",
              "int32": "int", "int64": "long int", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "float32": "float", "float64": "double"}
# binary digits of precision: the integers a float dtype holds exactly
_DIGITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}


def _type_name(dt):
    return _TYPE_NAMES[dt.name]


# ------------------------------------------------------------------ sizes
def _size(args, size, fname):
    """The shape of ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(Size)`` or
    ``f(size=(2, 3))``, with torch's errors."""
    if size is not None:
        if args:
            raise TypeError(f"{fname}() got multiple values for argument 'size'")
        args = (size,)
    elif not args:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "size"')
    if len(args) == 1:
        a = args[0]
        if isinstance(a, (tuple, list)):
            args = a
        elif isinstance(a, Tensor) and a.ndim == 1:
            args = a.tolist()
    shape = []
    for a in args:
        if type(a) is int:
            shape.append(a)
            continue
        if isinstance(a, (float, np.floating, complex)) or (
                isinstance(a, Tensor) and a._data.dtype.kind not in "iu"):
            raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, but found "
                            f"element of type {type(a).__name__}")
        try:
            shape.append(int(a.__index__()))
        except (AttributeError, TypeError):
            raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, not "
                            f"{type(a).__name__}") from None
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {shape}")
    return tuple(shape)


def _seq_size(size, fname):
    """Sizes where torch takes only a sequence (``full``, ``randint``, ``normal``)."""
    if not isinstance(size, (tuple, list, Tensor)):
        raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    return _size((size,), None, fname)


# ------------------------------------------------------------------ generators
_DEFAULT_SEED = 67280421310721  # torch.Generator()'s initial seed
_STATE_BYTES = 16 + 16 + 1 + 4 + 8


class Generator:
    """A random-number generator (NumPy's PCG64 behind torch's API)."""

    def __init__(self, device="cpu"):
        _check_device(device)
        self.device = _device("cpu")
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Reseed; returns the generator (so ``Generator().manual_seed(0)`` chains)."""
        if isinstance(seed, Tensor):
            seed = seed.item()
        seed = int(seed)  # torch: int(seed) too (ValueError for 'a', TypeError for None)
        if not -(1 << 63) <= seed < (1 << 64):
            raise ValueError("Overflow when unpacking long long")
        seed %= 1 << 64
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        """Reseed from the OS's entropy; returns the new seed."""
        s = int.from_bytes(os.urandom(8), "little") >> 1
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The full generator state as a uint8 Tensor (for ``set_state``)."""
        st = self._rng.bit_generator.state
        b = (st["state"]["state"].to_bytes(16, "little") + st["state"]["inc"].to_bytes(16, "little")
             + bytes([st["has_uint32"]]) + int(st["uinteger"]).to_bytes(4, "little")
             + self._seed.to_bytes(8, "little"))
        return _make(np.frombuffer(b, dtype=np.uint8).copy())

    def set_state(self, new_state):
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError(f"expected a torch.ByteTensor, but got a tensor of dtype "
                            f"{new_state.dtype}")
        if new_state._data.size != _STATE_BYTES:
            raise RuntimeError(f"Expected the generator state to have {_STATE_BYTES} bytes, "
                               f"got {new_state._data.size}")
        b = new_state._data.reshape(-1).tobytes()
        bg = np.random.PCG64()
        bg.state = {"bit_generator": "PCG64",
                    "state": {"state": int.from_bytes(b[0:16], "little"),
                              "inc": int.from_bytes(b[16:32], "little")},
                    "has_uint32": b[32], "uinteger": int.from_bytes(b[33:37], "little")}
        self._rng = np.random.Generator(bg)
        self._seed = int.from_bytes(b[37:45], "little")
        return self

    def __repr__(self):
        return f"<suanzi.Generator object at {hex(id(self))}>"


default_generator = Generator()
default_generator.seed()  # like torch, the default stream differs between runs


def _rng(generator):
    if generator is None:
        return default_generator._rng
    if isinstance(generator, Generator):
        return generator._rng
    raise TypeError(f"generator must be a suanzi.Generator, not {type(generator).__name__}")


def manual_seed(seed):
    """Seed the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cpu"):
    """Restore the default generator's state on exit."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# ------------------------------------------------------------------ samplers
def _not_implemented(kernel, dt):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(dt)}\'')


def _uniform01(rng, shape, dt):
    """Uniform [0, 1) samples of ``dt`` (never rounding up to 1)."""
    npd = dt.np
    if npd == np.float32:
        return rng.random(shape, dtype=np.float32)
    if npd == np.float64:
        return rng.random(shape)
    if dt is D.float16 or dt is D.bfloat16:
        p = _DIGITS[dt.name]
        return (rng.integers(0, 1 << p, shape, dtype=np.int32).astype(np.float32)
                * np.float32(2.0 ** -p)).astype(npd)
    if dt.category == D.COMPLEX:
        real = dt.to_real()
        return (_uniform01(rng, shape, real) + 1j * _uniform01(rng, shape, real)).astype(npd)
    raise _not_implemented("check_uniform_bounds", dt)


def _standard_normal(rng, shape, dt):
    npd = dt.np
    if npd == np.float32:
        return rng.standard_normal(shape, dtype=np.float32)
    if npd == np.float64:
        return rng.standard_normal(shape)
    if dt is D.float16 or dt is D.bfloat16:
        return rng.standard_normal(shape, dtype=np.float32).astype(npd)
    if dt.category == D.COMPLEX:  # torch: each part N(0, 1/2), so E|z|^2 = 1
        real = dt.to_real()
        s = np.sqrt(0.5)
        return (_standard_normal(rng, shape, real) * s
                + 1j * _standard_normal(rng, shape, real) * s).astype(npd)
    raise _not_implemented("normal_kernel_cpu", dt)


def _finish(arr, requires_grad, out=None):
    if out is not None:
        return write_out(out, arr)
    t = _make(arr)
    if requires_grad:
        if arr.dtype.kind not in "fcV":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _dtype_or_default(dtype):
    return D.to_dtype(dtype) if dtype is not None else D._default_float[0]


def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, names=None):
    """Uniform samples on [0, 1) of the default (or given) float dtype."""
    if device is not None:
        _check_device(device)
    shape = _size(args, size, "rand")
    return _finish(_uniform01(_rng(generator), shape, _dtype_or_default(dtype)), requires_grad,
                   out)


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, names=None):
    """Standard normal samples of the default (or given) float dtype."""
    if device is not None:
        _check_device(device)
    shape = _size(args, size, "randn")
    return _finish(_standard_normal(_rng(generator), shape, _dtype_or_default(dtype)),
                   requires_grad, out)


def _int_bound(x, name):
    if isinstance(x, Tensor):
        x = x.item()
    if isinstance(x, (float, np.floating)):
        return int(x)
    try:
        return int(x.__index__())
    except AttributeError:
        raise TypeError(f"randint(): argument '{name}' must be int, not "
                        f"{type(x).__name__}") from None


def _dtype_range(dt):
    """(min, max) of the integers dtype ``dt`` can take in random_/randint."""
    if dt is D.bool_:
        return 0, 1
    if dt.category == D.INT:
        info = np.iinfo(dt.np)
        return int(info.min), int(info.max)
    p = _DIGITS[dt.name] if dt.name in _DIGITS else 53
    return -(1 << p), 1 << p


def _integers(rng, lo, hi, shape, dt):
    """Integers uniform on [lo, hi) (``hi`` exclusive) stored as ``dt``, with
    torch's range checks for the dtype."""
    if lo >= hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= "
                           f"to={hi}")
    if dt.category in (D.INT, D.BOOL):
        mn, mx = _dtype_range(dt)
        if not mn <= lo <= mx:
            raise RuntimeError(f"from is out of bounds for {_CPP_NAMES[dt.name]}")
        if not mn <= hi - 1 <= mx:
            raise RuntimeError(f"to - 1 is out of bounds for {_CPP_NAMES[dt.name]}")
    elif dt.category == D.COMPLEX:
        raise _not_implemented("random_from_to", dt)
    if lo >= -(1 << 63) and hi - 1 < (1 << 63):
        vals = rng.integers(lo, hi, shape, dtype=np.int64)
    else:
        vals = rng.integers(lo, hi, shape, dtype=np.uint64)
    return vals.astype(dt.np)


def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False):
    """``randint(high, size)`` or ``randint(low, high, size)``: int64 integers
    uniform on [low, high)."""
    if device is not None:
        _check_device(device)
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint() missing required argument 'size'")
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif len(args) > 2:
        raise TypeError(f"randint() takes at most 3 positional arguments ({len(args) + 1} given)")
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    shape = _seq_size(size, "randint")
    lo = 0 if low is None else _int_bound(low, "low")
    hi = _int_bound(high, "high")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _finish(_integers(_rng(generator), lo, hi, shape, dt), requires_grad, out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    if device is not None:
        _check_device(device)
    n = _int_bound(n, "n")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _finish(_rng(generator).permutation(n).astype(dt.np), requires_grad, out)


# ------------------------------------------------------------------ differentiable samplers
class _Sampled(Function):
    """A random sample drawn outside the graph but recorded in it (as torch
    does): its gradient with respect to the distribution's parameters is 0."""

    def forward(self, *arrays, values):
        return values

    def backward(self, g):
        z = _make(np.zeros_like(g._data))
        n = len(self._input_meta)
        return z if n == 1 else (z,) * n


def _sampled_node(name):
    return type(name, (_Sampled,), {"name": name})


_NormalTF = _sampled_node("NormalBackward1")
_NormalFT = _sampled_node("NormalBackward2")
_NormalTT = _sampled_node("NormalBackward3")
_BernoulliT = _sampled_node("BernoulliBackward0")
_BernoulliF = _sampled_node("BernoulliBackward1")
_Poisson = _sampled_node("PoissonBackward0")


def _float_tensor_check(t, kernel):
    if t._data.dtype.kind not in "fcV":
        raise _not_implemented(kernel, t.dtype)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """The four overloads: (Tensor, Tensor), (Tensor, float), (float, Tensor)
    — broadcast, dtype of ``mean`` (or of ``std``) — and (float, float, size)."""
    if device is not None:
        _check_device(device)
    rng = _rng(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            f"({type(mean).__name__}, {type(std).__name__}), but expected "
                            "(Tensor mean, Tensor std) or (float mean, float std, tuple of ints "
                            "size)")
        shape = _seq_size(size, "normal")
        mean, std = float(mean), float(std)
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
        dt = _dtype_or_default(dtype)
        z = _standard_normal(rng, shape, dt)
        if std != 1.0:
            z *= z.dtype.type(std) if z.dtype.kind != "V" else std
        if mean != 0.0:
            z += z.dtype.type(mean) if z.dtype.kind != "V" else mean
        return _finish(z.astype(dt.np, copy=False), requires_grad, out)
    if size is not None:
        raise TypeError("normal(): 'size' is only accepted with float mean and std")
    if mt and st:
        _float_tensor_check(mean, "normal_kernel_cpu")
        dt = mean.dtype
        shape = mean._data.shape
        if std._data.shape != shape:
            check_broadcast(shape, std._data.shape)
            shape = np.broadcast_shapes(shape, std._data.shape)
        s = std._data
        if np.any(s < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        vals = (mean._data + _standard_normal(rng, shape, dt) * s.astype(dt.np)).astype(dt.np)
        node, inputs = _NormalTT, (mean, std)
    elif mt:
        _float_tensor_check(mean, "normal_kernel_cpu")
        std = float(std)
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
        dt = mean.dtype
        z = _standard_normal(rng, mean._data.shape, dt)
        vals = (mean._data + z * _as(std, dt)).astype(dt.np, copy=False)
        node, inputs = _NormalTF, (mean,)
    else:
        _float_tensor_check(std, "normal_kernel_cpu")
        if np.any(std._data < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        dt = std.dtype
        z = _standard_normal(rng, std._data.shape, dt)
        vals = (z * std._data + _as(float(mean), dt)).astype(dt.np, copy=False)
        node, inputs = _NormalFT, (std,)
    if out is not None:
        return _finish(vals, False, out)
    return node.apply(*inputs, values=vals)


def _as(x, dt):
    return dt.np.type(x) if dt.np.kind != "V" else x


def _num(x):
    """A float as torch's messages print it (``-1`` for -1.0)."""
    return int(x) if float(x).is_integer() else x


def bernoulli(input, p=None, *, generator=None, out=None):
    """Samples 0/1 with probability ``input`` (or ``p`` everywhere), of input's dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' must be Tensor, not {type(input).__name__}")
    rng = _rng(generator)
    a = input._data
    if p is None:
        _float_tensor_check(input, "bernoulli_tensor_cpu_p_")
        if a.size and not ((a >= 0) & (a <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        u = _uniform01(rng, a.shape, D.float64 if a.dtype == np.float64 else D.float32)
        vals = (u < a).astype(a.dtype)
        node = _BernoulliT
    else:
        p = float(p)
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
        vals = (_uniform01(rng, a.shape, D.float64) < p).astype(a.dtype)
        node = _BernoulliF
    if out is not None:
        return _finish(vals, False, out)
    return node.apply(input, values=vals)


def poisson(input, generator=None):
    """Poisson samples with rates ``input``, of input's dtype."""
    _float_tensor_check(input, "poisson_cpu")
    a = input._data
    if a.size and (np.any(a < 0) or np.any(~np.isfinite(a))):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    vals = _rng(generator).poisson(a.astype(np.float64)).astype(a.dtype)
    return _Poisson.apply(input, values=vals)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Category indices (int64) drawn from each row of ``input`` (1-D or 2-D
    non-negative weights). Without replacement: the top ``num_samples`` of
    ``p / Exp(1)`` (torch's method), one argsort for all rows."""
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input._data.dtype.kind not in "fV":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_type_name(input.dtype)}")
    n = _int_bound(num_samples, "num_samples")
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    a = input._data
    if a.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    k = a.shape[-1]
    if not replacement and n > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    p = a.reshape(-1, k).astype(np.float64)
    if not np.isfinite(p).all() or (p < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if p.shape[0] and (p.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    rows = p.shape[0]
    if not replacement:
        keys = p / rng.standard_exponential(p.shape)
        idx = np.argsort(-keys, axis=1, kind="stable")[:, :n]
    else:
        cdf = np.cumsum(p, axis=1)
        cdf /= cdf[:, -1:]
        u = rng.random((rows, n))
        off = 2.0 * np.arange(rows)[:, None]  # one searchsorted for all rows
        flat = np.searchsorted((cdf + off).ravel(), (u + off).ravel(), side="right")
        idx = flat.reshape(rows, n) - k * np.arange(rows)[:, None]
        last = k - 1 - np.argmax(p[:, ::-1] > 0, axis=1)  # the last category with weight
        idx = np.minimum(idx, last[:, None])
    idx = idx.astype(np.int64)
    if a.ndim == 1:
        idx = idx.reshape(n)
    return _finish(idx, False, out)


# ------------------------------------------------------------------ in place
class _Refill(Function):
    """``self.uniform_()`` etc.: self's new values do not depend on its old
    ones, so the gradient flowing back through the fill is 0."""

    def forward(self, a, values):
        return values

    def backward(self, g):
        return _make(np.zeros_like(g._data))


_UniformFill = type("UniformBackward0", (_Refill,), {"name": "UniformBackward0"})
_NormalFill = type("NormalBackward0", (_Refill,), {"name": "NormalBackward0"})
_RandomFill = type("RandomBackward0", (_Refill,), {"name": "RandomBackward0"})
_BernoulliFill = type("BernoulliBackward2", (_Refill,), {"name": "BernoulliBackward2"})
_ExponentialFill = type("ExponentialBackward0", (_Refill,), {"name": "ExponentialBackward0"})
_GeometricFill = type("GeometricBackward0", (_Refill,), {"name": "GeometricBackward0"})
_LogNormalFill = type("LogNormalBackward0", (_Refill,), {"name": "LogNormalBackward0"})
_CauchyFill = type("CauchyBackward0", (_Refill,), {"name": "CauchyBackward0"})


def _fill(self, node, vals):
    if not (self._requires_grad and STATE.enabled):  # no graph to record: write directly
        self._check_inplace()
        self._write(vals)
        self._vc[0] += 1
        return self
    return self._inplace_apply(node, values=vals.astype(self._data.dtype, copy=False))


def _float_only(self, kernel):
    if self._data.dtype.kind not in "fcV":
        raise _not_implemented(kernel, self.dtype)


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    from_ = kw.pop("from", from_)
    _float_only(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_num(from_)} > to={_num(to)}")
    dt = self.dtype
    u = _uniform01(_rng(generator), self._data.shape, dt)
    if from_ != 0.0 or to != 1.0:
        work = np.float64 if dt is D.float64 else np.float32
        u = u.astype(work, copy=False) * work(to - from_) + work(from_)
    return _fill(self, _UniformFill, u)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    _float_only(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    dt = self.dtype
    z = _standard_normal(_rng(generator), self._data.shape, dt)
    if std != 1.0 or mean != 0.0:
        work = np.float64 if dt is D.float64 else np.float32
        z = z.astype(work, copy=False) * work(std) + work(mean)
    return _fill(self, _NormalFill, z)


def _random_from(self, from_, to=None, *, generator=None):
    """``random_(from, to)``: [from, to); ``to=None``: [from, dtype max]."""
    dt = self.dtype
    lo = _int_bound(from_, "from")
    hi = (_dtype_range(dt)[1] + 1) if to is None else _int_bound(to, "to")
    return _fill(self, _RandomFill, _integers(_rng(generator), lo, hi, self._data.shape, dt))


def random_(self, *args, generator=None, **kw):
    """``random_()``: [0, 2^digits] for floats, [0, max] for ints;
    ``random_(to)``: [0, to); ``random_(from, to)``: [from, to)."""
    if "from" in kw:
        args = (kw.pop("from"),) + args
    if "to" in kw:
        args = (args[0] if args else 0, kw.pop("to"))
    if len(args) == 2:
        return _random_from(self, args[0], args[1], generator=generator)
    if len(args) == 1:
        return _random_from(self, 0, args[0], generator=generator)
    if args:
        raise TypeError(f"random_() takes at most 2 positional arguments ({len(args)} given)")
    return _random_from(self, 0, None, generator=generator)


def bernoulli_(self, p=0.5, *, generator=None):
    rng = _rng(generator)
    shape = self._data.shape
    if isinstance(p, Tensor):
        pa = p._data
        if pa.size and not ((pa >= 0) & (pa <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        if pa.shape != shape:
            check_broadcast(shape, pa.shape)
            pa = np.broadcast_to(pa, shape)
        vals = _uniform01(rng, shape, D.float64) < pa
    else:
        p = float(p)
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
        vals = _uniform01(rng, shape, D.float64) < p
    return _fill(self, _BernoulliFill, vals)


def _continuous_check(self, what):
    if self._data.dtype.kind not in "fV":
        raise RuntimeError(f"{what} is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_type_name(self.dtype)}")


def exponential_(self, lambd=1.0, *, generator=None):
    _continuous_check(self, "Exponential distribution")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")
    dt = self.dtype
    work = D.float64 if dt is D.float64 else D.float32
    e = _rng(generator).standard_exponential(self._data.shape, dtype=work.np)
    if lambd != 1.0:
        e /= work.np.type(lambd)
    return _fill(self, _ExponentialFill, e)


def geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")
    return _fill(self, _GeometricFill, _rng(generator).geometric(p, self._data.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    _float_only(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")
    return _fill(self, _LogNormalFill, _rng(generator).lognormal(mean, std, self._data.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    if self._data.dtype.kind not in "fV":
        raise RuntimeError(f"Cauchy distribution is a continuous probability distribution. dtype "
                           f"must be a floating point but you specified {_CPP_NAMES[self.dtype.name]}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")
    vals = median + sigma * _rng(generator).standard_cauchy(self._data.shape)
    return _fill(self, _CauchyFill, vals)


METHODS = {
    "uniform_": uniform_, "normal_": normal_, "random_": random_,
    "bernoulli_": bernoulli_, "exponential_": exponential_, "geometric_": geometric_,
    "log_normal_": log_normal_, "cauchy_": cauchy_,
    "bernoulli": lambda self, p=None, *, generator=None: bernoulli(self, p, generator=generator),
    "multinomial": lambda self, num_samples, replacement=False, *, generator=None: multinomial(
        self, num_samples, replacement, generator=generator),
}
