"""Shape and layout ops (spec §6) against torch: values, shapes, dtypes,
gradients, view semantics and error classes."""
import numpy as np
import pytest
import torch

import suanzi
from helpers import check, check_raises, randn as _randn, to_suanzi, to_torch

LIBS = [torch, suanzi]


def randn(*shape):
    # always an ndarray (helpers.randn() of no shape gives a NumPy scalar, which
    # check() would pass through untouched instead of making a 0-d tensor)
    return np.asarray(_randn(*shape))


def ints(*shape, high=5):
    return np.random.default_rng(1).integers(0, high, size=shape).astype(np.int64)


def bools(*shape, seed=2):
    return np.asarray(np.random.default_rng(seed).random(shape) > 0.5)


# ------------------------------------------------------------------ view / reshape
@pytest.mark.parametrize("shape,new", [
    ((2, 6), (12,)), ((2, 6), (3, 4)), ((2, 6), (-1, 2)), ((2, 6), (2, 3, 2)), ((2, 6), [4, -1]),
    ((), (1,)), ((1,), ()), ((0, 3), (3, 0)), ((0, 3), (-1, 3)), ((4,), (2, 1, 2)),
])
def test_view_reshape(shape, new):
    check(lambda lib, a: a.view(new), randn(*shape))
    check(lambda lib, a: a.view(*new) if isinstance(new, tuple) and new else a.view(new),
          randn(*shape))
    check(lambda lib, a: a.reshape(new), randn(*shape))
    check(lambda lib, a: lib.reshape(a, new), randn(*shape))


def test_view_strides():
    check(lambda lib, a: a.t().view(4, 3), randn(3, 4))
    check_raises(lambda lib, a: a.t().view(12), randn(3, 4))
    check_raises(lambda lib, a: a[:, :2].view(-1), randn(4, 4))
    check(lambda lib, a: a.t().reshape(12), randn(3, 4))
    check(lambda lib, a: a[:, :2].reshape(-1), randn(4, 4))
    check(lambda lib, a: a[::2].view(2, 2, 2), randn(4, 4))


def test_reshape_view_vs_copy():
    for lib in LIBS:
        a = lib.zeros(3, 4)
        r = a.reshape(12)
        r[0] = 1.0
        assert a[0, 0].item() == 1.0
        c = a.t().reshape(12)
        c[1] = 5.0
        assert a[1, 0].item() == 0.0


@pytest.mark.parametrize("bad", [(-1, -1), (5, -1), (0, -1), (7,), (2, -2)])
def test_view_errors(bad):
    check_raises(lambda lib, a: a.view(bad), randn(2, 6))
    check_raises(lambda lib, a: a.reshape(bad), randn(2, 6))


def test_view_zero_ambiguous():
    check_raises(lambda lib, a: a.reshape(-1, 0), randn(0, 3))


def test_view_as_reshape_as():
    check(lambda lib, a, b: a.view_as(b), randn(2, 6), randn(3, 4))
    check(lambda lib, a, b: a.t().reshape_as(b), randn(2, 6), randn(3, 4))


def test_view_dtype():
    check(lambda lib, a: a.view(lib.int32), randn(3, 4), grad=False)
    check(lambda lib, a: a.view(lib.float64), randn(3, 4), grad=False)


# ------------------------------------------------------------------ transpose / permute
@pytest.mark.parametrize("d0,d1", [(0, 1), (1, 2), (-1, 0), (2, 2), (-3, -1)])
def test_transpose(d0, d1):
    check(lambda lib, a: a.transpose(d0, d1), randn(2, 3, 4))
    check(lambda lib, a: lib.transpose(a, d0, d1), randn(2, 3, 4))
    check(lambda lib, a: lib.swapaxes(a, d0, d1) * 2, randn(2, 3, 4))
    check(lambda lib, a: a.swapdims(d0, d1), randn(2, 3, 4))


def test_transpose_0d_and_errors():
    check(lambda lib, a: a.transpose(0, -1), randn())
    check_raises(lambda lib, a: a.transpose(0, 3), randn(2, 3, 4))
    check_raises(lambda lib, a: a.transpose(0, 1), randn(3))


@pytest.mark.parametrize("shape", [(), (3,), (3, 4)])
def test_t(shape):
    check(lambda lib, a: a.t(), randn(*shape))
    check(lambda lib, a: lib.t(a), randn(*shape))


def test_t_error():
    check_raises(lambda lib, a: a.t(), randn(2, 3, 4))


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (2, 1, 3, 2)])
def test_T_mT_mH(shape):
    with pytest.warns(UserWarning) if False else _nullctx():
        check(lambda lib, a: a.mT, randn(*shape))
        check(lambda lib, a: a.mH, randn(*shape))
    if len(shape) == 2:
        check(lambda lib, a: a.T, randn(*shape))
        check(lambda lib, a: a.H, randn(*shape))


def test_T_nd():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, a: a.T, randn(2, 3, 4))
        check(lambda lib, a: a.T, randn(3))
        check(lambda lib, a: a.T, randn())


def test_mT_errors():
    check_raises(lambda lib, a: a.mT, randn(3))
    check_raises(lambda lib, a: a.H, randn(2, 3, 4))


class _nullctx:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


@pytest.mark.parametrize("dims", [(0, 1, 2), (2, 0, 1), (-1, -3, 1), (1, 2, 0)])
def test_permute(dims):
    check(lambda lib, a: a.permute(*dims), randn(2, 3, 4))
    check(lambda lib, a: a.permute(dims), randn(2, 3, 4))
    check(lambda lib, a: lib.permute(a, dims), randn(2, 3, 4))
    check(lambda lib, a: a.permute(list(dims)).contiguous().view(-1), randn(2, 3, 4))


def test_permute_errors():
    check_raises(lambda lib, a: a.permute(0, 1), randn(2, 3, 4))
    check_raises(lambda lib, a: a.permute(0, 1, 1), randn(2, 3, 4))
    check_raises(lambda lib, a: a.permute(0, 1, 3), randn(2, 3, 4))
    check(lambda lib, a: a.permute(()), randn())


@pytest.mark.parametrize("src,dst", [(0, 2), (-1, 0), ((0, 1), (2, 0)), ([0], [-1]),
                                     ((0, 1, 2), (2, 1, 0))])
def test_movedim(src, dst):
    check(lambda lib, a: lib.movedim(a, src, dst), randn(2, 3, 4))
    check(lambda lib, a: a.moveaxis(src, dst), randn(2, 3, 4))


def test_movedim_errors():
    check_raises(lambda lib, a: lib.movedim(a, (0, 0), (1, 2)), randn(2, 3, 4))
    check_raises(lambda lib, a: lib.movedim(a, (0, 1), (2, 2)), randn(2, 3, 4))
    check_raises(lambda lib, a: lib.movedim(a, (0, 1), (2,)), randn(2, 3, 4))
    check_raises(lambda lib, a: lib.movedim(a, 3, 0), randn(2, 3, 4))


# ------------------------------------------------------------------ squeeze / unsqueeze / flatten
@pytest.mark.parametrize("args", [(), (0,), (1,), (-1,), (2,), ((0, 1),), ((1, 3),),
                                  (0, 1)])
def test_squeeze(args):
    check(lambda lib, a: a.squeeze(*args), randn(1, 3, 1, 1))
    check(lambda lib, a: a.squeeze(*args), randn(2, 1, 3, 1))


def test_squeeze_0d_and_errors():
    check(lambda lib, a: a.squeeze(), randn())
    check(lambda lib, a: a.squeeze(0), randn())
    check(lambda lib, a: a.squeeze(-1), randn())
    check(lambda lib, a: lib.squeeze(a, 1), randn(3, 1))
    check_raises(lambda lib, a: a.squeeze(3), randn(3, 1, 5))
    check_raises(lambda lib, a: a.squeeze((0, 1, 1)), randn(3, 1, 5))
    check_raises(lambda lib, a: a.squeeze(1), randn())


@pytest.mark.parametrize("shape,dim", [((), 0), ((), -1), ((3,), 0), ((3,), 1), ((3,), -1),
                                       ((2, 3), -3), ((2, 3), 2), ((2, 3), 1)])
def test_unsqueeze(shape, dim):
    check(lambda lib, a: a.unsqueeze(dim), randn(*shape))
    check(lambda lib, a: lib.unsqueeze(a, dim), randn(*shape))


def test_unsqueeze_errors():
    check_raises(lambda lib, a: a.unsqueeze(3), randn(2, 3))
    check_raises(lambda lib, a: a.unsqueeze(-4), randn(2, 3))


@pytest.mark.parametrize("args", [(), (1,), (0, 1), (1, 2), (-2, -1), (1, 1), (0, -1), (2,)])
def test_flatten(args):
    check(lambda lib, a: a.flatten(*args), randn(2, 3, 4))
    check(lambda lib, a: lib.flatten(a.transpose(0, 2), *args), randn(2, 3, 4))


def test_flatten_0d_and_errors():
    check(lambda lib, a: a.flatten(), randn())
    check(lambda lib, a: lib.flatten(a), randn(0, 3))
    check_raises(lambda lib, a: a.flatten(2, 1), randn(2, 3, 4))
    check_raises(lambda lib, a: a.flatten(0, 3), randn(2, 3, 4))
    for lib in LIBS:  # nothing merged → the input itself
        a = lib.ones(2, 3)
        assert a.flatten(1, 1) is a


@pytest.mark.parametrize("dim,sizes", [(1, (2, 2)), (1, (2, -1)), (-1, (5, 1)), (0, (1, 3)),
                                       (1, [4])])
def test_unflatten(dim, sizes):
    check(lambda lib, a: a.unflatten(dim, sizes), randn(3, 4, 5))
    check(lambda lib, a: lib.unflatten(a, dim, sizes), randn(3, 4, 5))


def test_unflatten_errors():
    check_raises(lambda lib, a: a.unflatten(1, (3, -1)), randn(3, 4, 5))
    check_raises(lambda lib, a: a.unflatten(1, (3, 2)), randn(3, 4, 5))
    check_raises(lambda lib, a: a.unflatten(1, ()), randn(3, 4, 5))


# ------------------------------------------------------------------ expand / broadcast
@pytest.mark.parametrize("shape,sizes", [((3, 1), (3, 4)), ((3, 1), (2, 3, 4)), ((1,), (0,)),
                                         ((), (2, 3)), ((3, 1), (-1, 4)), ((2, 3), (2, 3)),
                                         ((1, 3), (5, -1, -1))])
def test_expand(shape, sizes):
    check(lambda lib, a: a.expand(*sizes), randn(*shape))
    check(lambda lib, a: a.expand(sizes), randn(*shape))
    check(lambda lib, a: lib.broadcast_to(a, sizes), randn(*shape))


def test_expand_errors():
    check_raises(lambda lib, a: a.expand(4, 4), randn(3, 1))
    check_raises(lambda lib, a: a.expand(-1, 3, 1), randn(3, 1))
    check_raises(lambda lib, a: a.expand(4), randn(3, 1))


def test_expand_as_and_broadcast_tensors():
    check(lambda lib, a, b: a.expand_as(b), randn(3, 1), randn(2, 3, 4))
    check(lambda lib, a, b: lib.broadcast_tensors(a, b), randn(3, 1), randn(2, 1, 4))
    check(lambda lib, a, b, c: lib.broadcast_tensors(a, b, c), randn(3, 1), randn(4), randn())
    check_raises(lambda lib, a, b: lib.broadcast_tensors(a, b), randn(3), randn(4))


def test_broadcast_shapes():
    for shapes in [((2, 1), (3,)), ((1,), ()), ((5, 1, 4), (3, 1), (1,)), (2, (3, 1))]:
        try:
            t = torch.broadcast_shapes(*shapes)
        except AttributeError:  # torch 2.13 quirk with some argument mixes
            continue
        assert tuple(suanzi.broadcast_shapes(*shapes)) == tuple(t)
    assert tuple(suanzi.broadcast_shapes((2, 1), (3,))) == (2, 3)
    check_raises(lambda lib: lib.broadcast_shapes((2, 1), (3, 2)))


def test_expanded_write_raises():
    for lib in LIBS:
        e = lib.zeros(3, 1).expand(3, 4)
        with pytest.raises(RuntimeError):
            e.add_(1)


# ------------------------------------------------------------------ narrow / select / unbind
@pytest.mark.parametrize("dim,start,length", [(0, 0, 2), (1, 1, 3), (-1, -2, 2), (0, 3, 0),
                                              (1, -4, 4)])
def test_narrow(dim, start, length):
    check(lambda lib, a: a.narrow(dim, start, length), randn(3, 4))
    check(lambda lib, a: lib.narrow(a.t(), dim, start, length), randn(4, 3))


def test_narrow_tensor_start_and_errors():
    check(lambda lib, a: a.narrow(0, lib.tensor(1), 1), randn(3, 4))
    check_raises(lambda lib, a: a.narrow(0, 4, 1), randn(3, 4))
    check_raises(lambda lib, a: a.narrow(0, -4, 1), randn(3, 4))
    check_raises(lambda lib, a: a.narrow(0, 2, 5), randn(3, 4))
    check_raises(lambda lib, a: a.narrow(0, 2, -1), randn(3, 4))
    check_raises(lambda lib, a: a.narrow(0, 0, 1), randn())
    check_raises(lambda lib, a: a.narrow(2, 0, 1), randn(3, 4))


def test_select():
    check(lambda lib, a: a.select(1, -1), randn(3, 4))
    check(lambda lib, a: lib.select(a, 0, 2), randn(3, 4))
    check_raises(lambda lib, a: a.select(0, 3), randn(3, 4))


@pytest.mark.parametrize("shape,dim", [((3, 4), 0), ((3, 4), 1), ((3, 4), -1), ((2, 0), 0),
                                       ((2, 0), 1), ((5,), 0)])
def test_unbind(shape, dim):
    check(lambda lib, a: a.unbind(dim), randn(*shape))
    check(lambda lib, a: lib.unbind(a.t() if a.ndim == 2 else a, dim), randn(*shape))


def test_unbind_partial_grad():
    check(lambda lib, a: a.unbind(1)[2], randn(3, 4))
    check(lambda lib, a: a.unbind(0)[0] * a.unbind(0)[2], randn(3, 4))
    check_raises(lambda lib, a: a.unbind(0), randn())
    check_raises(lambda lib, a: a.unbind(2), randn(3, 4))


def test_iteration():
    check(lambda lib, a: [x * 2 for x in a], randn(3, 2))


# ------------------------------------------------------------------ split / chunk / tensor_split
@pytest.mark.parametrize("n,s", [(10, 3), (10, 10), (10, 20), (6, 2), (10, 1), (0, 2), (0, 0)])
def test_split_int(n, s):
    check(lambda lib, a: a.split(s), randn(n, 2))
    check(lambda lib, a: lib.split(a.t(), s, dim=1), randn(n, 2))


@pytest.mark.parametrize("sizes", [[3, 3, 4], [10], [0, 10], [2, 0, 8], (5, 5)])
def test_split_sections(sizes):
    check(lambda lib, a: lib.split(a, sizes), randn(10, 2))
    check(lambda lib, a: a.split(sizes, -1), randn(2, 10))


def test_split_partial_grad():
    check(lambda lib, a: a.split(2)[1], randn(5, 3))
    check(lambda lib, a: a.split([1, 4])[1].sum() + a.split(2, 1)[0].sum(), randn(5, 3))


def test_split_errors():
    check_raises(lambda lib, a: a.split([3, 6]), randn(10))
    check_raises(lambda lib, a: a.split([2, -1, 9]), randn(10))
    check_raises(lambda lib, a: a.split(0), randn(10))
    check_raises(lambda lib, a: a.split(-1), randn(10))
    check_raises(lambda lib, a: a.split(2, 1), randn(10))


@pytest.mark.parametrize("n,c", [(6, 4), (10, 4), (5, 10), (0, 2), (6, 3), (1, 1)])
def test_chunk(n, c):
    check(lambda lib, a: a.chunk(c), randn(n, 2))
    check(lambda lib, a: lib.chunk(a.t(), c, 1), randn(n, 2))


def test_chunk_errors():
    check_raises(lambda lib, a: a.chunk(0), randn(5))
    check_raises(lambda lib, a: a.chunk(2, 1), randn(5))


@pytest.mark.parametrize("arg", [4, 1, 3, 12, [3, 1], [7, 9], [-1], (2, 5), [0], []])
def test_tensor_split(arg):
    check(lambda lib, a: lib.tensor_split(a, arg), randn(10, 2))
    check(lambda lib, a: a.tensor_split(arg, dim=1), randn(2, 10))


def test_tensor_split_tensor_arg():
    check(lambda lib, a: lib.tensor_split(a, lib.tensor([1, 3])), randn(5))
    check(lambda lib, a: lib.tensor_split(a, lib.tensor(2)), randn(5))
    check_raises(lambda lib, a: lib.tensor_split(a, 0), randn(5))
    check_raises(lambda lib, a: lib.tensor_split(a, 2), randn())


def test_split_views_share_memory():
    for lib in LIBS:
        a = lib.zeros(6)
        p = a.split(2)
        p[1][0] = 7.0
        q = a.chunk(3)
        q[2].fill_(1.0) if hasattr(q[2], "fill_") else q[2].__setitem__(slice(None), 1.0)
        u = lib.zeros(2, 3)
        u.unbind(1)[1][0] = 3.0
        assert a.tolist() == [0.0, 0.0, 7.0, 0.0, 1.0, 1.0]
        assert u.tolist() == [[0.0, 3.0, 0.0], [0.0, 0.0, 0.0]]


# ------------------------------------------------------------------ cat / stack
@pytest.mark.parametrize("dim", [0, 1, -1, -2])
def test_cat(dim):
    shapes = [(2, 3), (2, 3), (2, 3)]
    check(lambda lib, a, b, c: lib.cat([a, b, c], dim), *[randn(*s) for s in shapes])
    check(lambda lib, a, b: lib.cat((a.t(), b), dim=dim), randn(3, 2), randn(2, 3))


def test_cat_different_sizes_and_aliases():
    check(lambda lib, a, b: lib.cat([a, b]), randn(2, 3), randn(4, 3))
    check(lambda lib, a, b: lib.cat([a, b], 1), randn(2, 3), randn(2, 1))
    check(lambda lib, a, b: lib.concat([a, b], dim=1), randn(2, 3), randn(2, 1))
    check(lambda lib, a, b: lib.concatenate([a, b], axis=0), randn(2, 3), randn(1, 3))
    check(lambda lib, a: lib.cat([a]), randn(2, 3))
    check(lambda lib, a, b: lib.cat([a, b]), randn(0, 3), randn(2, 3))


@pytest.mark.parametrize("dts", [(np.float32, np.int64), (np.int64, np.bool_),
                                 (np.float32, np.float64), (np.int32, np.int64),
                                 (np.uint8, np.int8), (np.float16, np.int64)])
def test_cat_promotion(dts):
    a = randn(2, 3).astype(dts[0]) if dts[0] != np.bool_ else bools(2, 3)
    b = (randn(2, 3) * 3).astype(dts[1]) if dts[1] != np.bool_ else bools(2, 3)
    check(lambda lib, a, b: lib.cat([a, b]), a, b)
    check(lambda lib, a, b: lib.stack([a, b], 1), a, b)


def test_cat_legacy_empty():
    check(lambda lib, a, b: lib.cat([a, b]), randn(2, 3), randn(0))
    check(lambda lib, a, b: lib.cat([b, a], dim=1), randn(2, 3), randn(0))
    check(lambda lib, a, b: lib.cat([a, b]), randn(0), randn(0))
    check(lambda lib, a, b: lib.cat([a, b]), randn(3), randn(0).astype(np.float64))


def test_cat_errors():
    check_raises(lambda lib: lib.cat([]))
    check_raises(lambda lib, a, b: lib.cat([a, b]), randn(2, 3), randn(2, 4))
    check_raises(lambda lib, a, b: lib.cat([a, b]), randn(2, 3), randn(3))
    check_raises(lambda lib, a, b: lib.cat([a, b]), randn(), randn(3))
    check_raises(lambda lib, a, b: lib.cat([a, b], 2), randn(2, 3), randn(2, 3))
    check_raises(lambda lib, a: lib.cat(a), randn(2, 3))


@pytest.mark.parametrize("shape,dim", [((2, 3), 0), ((2, 3), 1), ((2, 3), 2), ((2, 3), -1),
                                       ((2, 3), -3), ((), 0), ((0,), 1)])
def test_stack(shape, dim):
    check(lambda lib, a, b, c: lib.stack([a, b, c], dim), randn(*shape), randn(*shape),
          randn(*shape))
    check(lambda lib, a, b: lib.stack((a, b), dim=dim)[0] * 2, randn(2, *shape),
          randn(2, *shape))


def test_stack_errors():
    check_raises(lambda lib: lib.stack([]))
    check_raises(lambda lib, a, b: lib.stack([a, b]), randn(2, 3), randn(2, 4))
    check_raises(lambda lib, a, b: lib.stack([a, b], 3), randn(2, 3), randn(2, 3))


@pytest.mark.parametrize("fn", ["hstack", "vstack", "dstack"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 2)])
def test_hvdstack(fn, shape):
    check(lambda lib, a, b: getattr(lib, fn)([a, b]), randn(*shape), randn(*shape))


def test_atleast():
    for fn in ["atleast_1d", "atleast_2d", "atleast_3d"]:
        for shape in [(), (3,), (2, 3), (2, 3, 4)]:
            check(lambda lib, a: getattr(lib, fn)(a), randn(*shape))


# ------------------------------------------------------------------ flip / roll / repeat / tile
@pytest.mark.parametrize("dims", [(0,), (1,), (0, 1), (-1,), (0, 2), ()])
def test_flip(dims):
    check(lambda lib, a: lib.flip(a, dims), randn(2, 3, 4))
    check(lambda lib, a: a.transpose(0, 2).flip(dims), randn(2, 3, 4))


def test_flip_copies_and_errors():
    check(lambda lib, a: a.flip(0), randn(3))
    check(lambda lib, a: a.flip(0, 1), randn(2, 3))
    check(lambda lib, a: lib.fliplr(a), randn(2, 3))
    check(lambda lib, a: lib.flipud(a), randn(2, 3))
    check(lambda lib, a: lib.flip(a, (0,)), randn())
    check_raises(lambda lib, a: a.flip(0, 0), randn(2, 3))
    check_raises(lambda lib, a: lib.fliplr(a), randn(3))
    check_raises(lambda lib, a: lib.flipud(a), randn())
    for lib in LIBS:
        a = lib.zeros(3)
        f = a.flip(0)
        a.add_(1)
        assert f.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("shifts,dims", [(1, None), (-2, None), (1, 0), ((1, 2), (0, 1)),
                                         (5, -1), ((1, -1), (1, 1)), (0, 0)])
def test_roll(shifts, dims):
    check(lambda lib, a: lib.roll(a, shifts, dims), randn(3, 4))
    check(lambda lib, a: a.t().roll(shifts, dims), randn(4, 3))


def test_roll_0d_and_errors():
    check(lambda lib, a: lib.roll(a, 1), randn())
    check(lambda lib, a: lib.roll(a, 3), randn(0, 2))
    check_raises(lambda lib, a: lib.roll(a, (1, 2)), randn(3, 4))
    check_raises(lambda lib, a: lib.roll(a, (1, 2), 0), randn(3, 4))
    check_raises(lambda lib, a: lib.roll(a, 1, 0), randn())


@pytest.mark.parametrize("shape,reps", [((2, 3), (2, 1)), ((2, 3), (1, 2, 3)), ((3,), (2,)),
                                        ((), (2, 2)), ((2, 3), (2, 0, 1)), ((2, 1), (1, 3))])
def test_repeat(shape, reps):
    check(lambda lib, a: a.repeat(*reps), randn(*shape))
    check(lambda lib, a: a.repeat(reps), randn(*shape))


def test_repeat_errors():
    check_raises(lambda lib, a: a.repeat(2), randn(3, 4))
    check_raises(lambda lib, a: a.repeat(2, -1), randn(3, 4))


@pytest.mark.parametrize("shape,reps", [((2, 3), (2,)), ((2, 3), (2, 2)), ((3,), (2, 2)),
                                        ((), (3,)), ((2, 3), ())])
def test_tile(shape, reps):
    check(lambda lib, a: lib.tile(a, reps), randn(*shape))
    check(lambda lib, a: a.tile(reps), randn(*shape))


# ------------------------------------------------------------------ index_select / index_add …
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select(dim):
    check(lambda lib, a, i: lib.index_select(a, dim, i), randn(3, 4), np.array([0, 2, 2, 1]))
    check(lambda lib, a, i: a.t().index_select(dim, i), randn(4, 3), np.array([2, 0, 0]))
    check(lambda lib, a, i: a.index_select(dim, i), randn(3, 4),
          np.array([1, 0], dtype=np.int32))
    check(lambda lib, a, i: a.index_select(dim, i), randn(3, 4), np.array([], np.int64))
    check(lambda lib, a, i: a.index_select(dim, i), randn(3, 4), np.array(1))


def test_index_select_0d_and_errors():
    check(lambda lib, a, i: a.index_select(0, i), randn(), np.array(0))
    check(lambda lib, a, i: a.index_select(0, i), randn(), np.array([0]))
    check_raises(lambda lib, a, i: a.index_select(0, i), randn(), np.array([0, 0]))
    check_raises(lambda lib, a, i: a.index_select(0, i), randn(3, 4), np.array([5]))
    check_raises(lambda lib, a, i: a.index_select(0, i), randn(3, 4), np.array([-1]))
    check_raises(lambda lib, a, i: a.index_select(0, i), randn(3, 4), np.array([[1]]))
    check_raises(lambda lib, a, i: a.index_select(0, i), randn(3, 4), np.array([1.0]))
    check_raises(lambda lib, a, i: a.index_select(2, i), randn(3, 4), np.array([1]))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_add_copy(dim):
    idx = np.array([0, 2, 0])
    src_shape = (3, 4) if dim == 0 else (3, 3)
    check(lambda lib, a, i, s: lib.index_add(a, dim, i, s), randn(3, 4), idx, randn(*src_shape))
    check(lambda lib, a, i, s: a.index_add(dim, i, s, alpha=2.5), randn(3, 4), idx,
          randn(*src_shape))
    uidx = np.array([2, 0, 1])
    check(lambda lib, a, i, s: lib.index_copy(a, dim, i, s), randn(3, 4), uidx,
          randn(*src_shape))
    check(lambda lib, a, i, s: a.clone().index_copy_(dim, i, s), randn(3, 4), uidx,
          randn(*src_shape))
    check(lambda lib, a, i, s: (a * 1).index_add_(dim, i, s), randn(3, 4), idx,
          randn(*src_shape))


def test_index_add_int_and_errors():
    check(lambda lib, a, i, s: a.index_add(0, i, s), ints(3, 2), np.array([1, 1]), ints(2, 2))
    check_raises(lambda lib, a, i, s: a.index_add(0, i, s), randn(3, 4), np.array([0, 0]),
                 randn(2, 4).astype(np.float64))
    check_raises(lambda lib, a, i, s: a.index_add(0, i, s), randn(3, 4), np.array([0, 0]),
                 randn(2, 3))
    check_raises(lambda lib, a, i, s: a.index_add(0, i, s), randn(3, 4), np.array([0, 5]),
                 randn(2, 4))
    check_raises(lambda lib, a, i, s: a.index_copy(0, i, s), randn(3, 4), np.array([0, 5]),
                 randn(2, 4))


@pytest.mark.parametrize("value", [2.5, -1, "tensor"])
def test_index_fill(value):
    idx = np.array([0, 2])
    if value == "tensor":
        check(lambda lib, a, i, v: a.index_fill(1, i, v), randn(3, 4), idx, randn())
        check(lambda lib, a, i, v: (a * 1).index_fill_(0, i, v), randn(3, 4), idx, randn())
    else:
        check(lambda lib, a, i: lib.index_fill(a, 1, i, value), randn(3, 4), idx)
        check(lambda lib, a, i: a.index_fill(-2, i, value), ints(3, 4), idx)
    check_raises(lambda lib, a, i: a.index_fill(0, i, 1.0), randn(3, 4), np.array([0, 5]))
    check_raises(lambda lib, a, i, v: a.index_fill(0, i, v), randn(3, 4), idx, randn(1))


@pytest.mark.parametrize("idx", [[0, 5, -1, 5], [[1, 2], [0, 0]], [], 3])
def test_take(idx):
    check(lambda lib, a, i: lib.take(a, i), randn(2, 3), np.array(idx, np.int64))
    check(lambda lib, a, i: a.t().take(i), randn(3, 2), np.array(idx, np.int64))


def test_take_errors():
    check_raises(lambda lib, a, i: lib.take(a, i), randn(2, 3), np.array([6]))
    check_raises(lambda lib, a, i: lib.take(a, i), randn(2, 3), np.array([-7]))


# ------------------------------------------------------------------ gather / scatter
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather(dim):
    idx = np.array([[0, 1, 2], [2, 2, 0]])
    check(lambda lib, a, i: lib.gather(a, dim, i), randn(3, 3), idx)
    check(lambda lib, a, i: a.t().gather(dim, i), randn(3, 4), idx)
    check(lambda lib, a, i: a.gather(dim, i[:, :2]), randn(3, 4), idx)  # smaller index
    check(lambda lib, a, i: a.gather(dim, i), randn(3, 4), np.zeros((0, 2), np.int64))


def test_gather_3d_and_errors():
    check(lambda lib, a, i: a.gather(1, i), randn(2, 4, 3), ints(2, 5, 2, high=4))
    check(lambda lib, a, i: a.gather(0, i), randn(), np.array(0))
    check_raises(lambda lib, a, i: a.gather(1, i), randn(3, 4), np.array([0, 1]))
    check_raises(lambda lib, a, i: a.gather(1, i), randn(3, 4), np.array([[0, 5]]))
    check_raises(lambda lib, a, i: a.gather(0, i), randn(3, 4), np.array([[0, 1, 1, 1, 1]]))
    check(lambda lib, a, i: a.gather(1, i), randn(3, 4), np.array([[0, 1]], np.int32))
    check_raises(lambda lib, a, i: a.gather(1, i), randn(3, 4), np.array([[0, -1]]))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scatter_src(dim):
    idx = np.array([[0, 1, 2], [2, 0, 1]])  # unique along dim 0 columns and along dim 1 rows
    check(lambda lib, a, i, s: lib.scatter(a, dim, i, s), randn(3, 4), idx, randn(2, 3))
    # a src larger than the index (torch's own backward rejects a src gradient there)
    check(lambda lib, a, i, s: a.scatter(dim, i, s), randn(3, 4), idx, randn(4, 5),
          requires_grad=[True, False, False])
    check(lambda lib, a, i, s: (a * 1).scatter_(dim, i, s), randn(3, 4), idx, randn(2, 3))
    check(lambda lib, a, i: a.scatter(dim, i, 2.5), randn(3, 4), idx)
    check(lambda lib, a, i: a.scatter(dim, i, value=-1), ints(3, 4), idx)


def test_scatter_reduce_and_errors():
    idx = np.array([[0, 1, 0], [2, 0, 0]])
    check(lambda lib, a, i, s: a.scatter(1, i, s, reduce="add"), randn(3, 4), idx, randn(2, 3),
          grad=False)
    check(lambda lib, a, i, s: a.scatter(0, i, s, reduce="multiply"), randn(3, 4), idx,
          randn(2, 3), grad=False)
    check(lambda lib, a, i: a.scatter(0, i, 1.5, reduce="add"), randn(3, 4), idx, grad=False)
    check_raises(lambda lib, a, i, s: a.scatter(1, i, s), randn(3, 4), idx,
                 randn(2, 3).astype(np.float64))
    check_raises(lambda lib, a, i, s: a.scatter(1, i, s), randn(3, 4), idx, randn(1, 1))
    check_raises(lambda lib, a, i, s: a.scatter(1, i, s), randn(3, 4), np.array([[0, 9]]),
                 randn(2, 3))
    check_raises(lambda lib, a, i, s: a.scatter(1, i, s), randn(3, 4), np.array([[0, 1]]),
                 randn())
    for lib in LIBS:
        a = lib.ones(3, 4, requires_grad=True)
        with pytest.raises(RuntimeError):
            lib.scatter(a, 1, lib.tensor([[0, 1]]), lib.ones(2, 3), reduce="multiply").sum() \
                .backward()


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scatter_add(dim):
    idx = np.array([[0, 1, 0], [2, 0, 0]])
    check(lambda lib, a, i, s: lib.scatter_add(a, dim, i, s), randn(3, 4), idx, randn(2, 3))
    check(lambda lib, a, i, s: a.scatter_add(dim, i, s), randn(3, 4), idx, randn(3, 5),
          requires_grad=[True, False, False])
    check(lambda lib, a, i, s: (a * 1).scatter_add_(dim, i, s), randn(3, 4), idx, randn(2, 3))
    check(lambda lib, a, i, s: a.t().scatter_add(dim, i, s), randn(4, 3), idx, randn(2, 3))
    check(lambda lib, a, i, s: a.scatter_add(dim, i, s), ints(3, 4), idx, ints(2, 3))


def test_gather_scatter_double_backward():
    idx = np.array([[0, 1, 0], [2, 0, 0]])
    for lib in LIBS:
        pass
    res = []
    for lib in LIBS:
        a = (to_torch if lib is torch else to_suanzi)(randn(3, 4) * 0 + np.arange(12).reshape(
            3, 4).astype(np.float32), True)
        i = lib.tensor(idx)
        y = (a.gather(1, i) ** 2 if hasattr(a, "__pow__") else a.gather(1, i) * a.gather(1, i))
        (g,) = lib.autograd.grad(y.sum(), a, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), a)
        res.append(np.asarray(gg.detach().numpy()))
    np.testing.assert_allclose(res[0], res[1], rtol=1e-5)


# ------------------------------------------------------------------ masked_fill / masked_select
@pytest.mark.parametrize("mshape", [(3, 4), (4,), (3, 1), ()])
def test_masked_fill(mshape):
    m = bools(*mshape)
    check(lambda lib, a, m: a.masked_fill(m, 2.5), randn(3, 4), m)
    check(lambda lib, a, m: lib.masked_fill(a, m, -1), randn(3, 4), m)
    check(lambda lib, a, m, v: a.masked_fill(m, v), randn(3, 4), m, randn())
    check(lambda lib, a, m: (a * 1).masked_fill_(m, 0.0), randn(3, 4), m)
    check(lambda lib, a, m: a.t().masked_fill(m.t() if m.ndim == 2 else m, 7), randn(4, 3),
          bools(*mshape[::-1]) if len(mshape) == 2 else m)


def test_masked_fill_broadcast_dtypes_and_errors():
    check(lambda lib, a, m: lib.masked_fill(a, m, 0), randn(3), bools(2, 3))
    check(lambda lib, a, m: a.masked_fill(m, 1.7), ints(3, 4), bools(3, 4))
    check(lambda lib, a, m, v: a.masked_fill(m, v), randn(3, 4), bools(3, 4),
          randn().astype(np.float64))
    check(lambda lib, a, m: a.masked_fill(m, 2), bools(3, 4, seed=5), bools(3, 4))
    check(lambda lib, a, m: a.masked_fill(m, 2), randn(0, 4), bools(0, 4))
    check_raises(lambda lib, a, m: a.masked_fill_(m, 0), randn(3), bools(2, 3))
    check_raises(lambda lib, a, m: a.masked_fill(m, 0), randn(3), randn(3))
    check_raises(lambda lib, a, m: a.masked_fill(m, 0), randn(3),
                 np.ones(3, np.uint8))
    check_raises(lambda lib, a, m, v: a.masked_fill(m, v), randn(3), bools(3), randn(1))
    check_raises(lambda lib, a, m: a.masked_fill(m, 0), randn(3), bools(4))


@pytest.mark.parametrize("ashape,mshape", [((3, 4), (3, 4)), ((4,), (3, 4)), ((3, 4), (4,)),
                                           ((), ()), ((), (3,)), ((0, 2), (0, 2))])
def test_masked_select(ashape, mshape):
    check(lambda lib, a, m: lib.masked_select(a, m), randn(*ashape), bools(*mshape))
    check(lambda lib, a, m: a.masked_select(m), randn(*ashape), bools(*mshape))


@pytest.mark.parametrize("dt,v", [(np.int8, 200), (np.int8, -129), (np.uint8, -256),
                                  (np.float32, 1e300), (np.float16, 1e5)])
def test_fill_value_overflow(dt, v):
    idx = np.array([0])
    check_raises(lambda lib, a, m: a.masked_fill(m, v), np.zeros(3, dt), bools(3))
    check_raises(lambda lib, a, i: a.index_fill(0, i, v), np.zeros(3, dt), idx)
    check_raises(lambda lib, a, i: a.scatter(0, i, v), np.zeros(3, dt), idx)


def test_fill_value_wrap():
    check(lambda lib, a, m: a.masked_fill(m, -1), np.zeros(3, np.uint8), bools(3))
    check(lambda lib, a, m: a.masked_fill(m, 2.7), np.zeros(3, np.int8), bools(3))
    check(lambda lib, a, m: a.masked_fill(m, 5), np.zeros(3, np.bool_), bools(3))
    check(lambda lib, a, m: a.masked_fill(m, float("-inf")), randn(3), bools(3))


def test_masked_select_errors():
    check_raises(lambda lib, a, m: lib.masked_select(a, m), randn(3), np.ones(3, np.uint8))
    check_raises(lambda lib, a, m: lib.masked_select(a, m), randn(3), bools(4))


# ------------------------------------------------------------------ where / nonzero
@pytest.mark.parametrize("cs,as_,bs", [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)),
                                       ((), (2, 3), (3,)), ((4,), (), ()), ((0, 3), (3,), (1,))])
def test_where(cs, as_, bs):
    check(lambda lib, c, a, b: lib.where(c, a, b), bools(*cs), randn(*as_), randn(*bs))
    check(lambda lib, c, a, b: a.where(c, b), bools(*cs), randn(*as_), randn(*bs))


@pytest.mark.parametrize("a,b", [
    (1, 2), (1, 2.5), (True, False), ("i32", 2.5), ("i32", 2), ("i32", "f64_0d"),
    ("f32", "f64"), ("i64", "f16_0d"), ("f32", 3), ("bool", 1), ("u8", "i8"), ("f64_0d", 1.5),
])
def test_where_promotion(a, b):
    def mk(x):
        if not isinstance(x, str):
            return x
        dt = {"i32": np.int32, "f64": np.float64, "f32": np.float32, "i64": np.int64,
              "f16": np.float16, "bool": np.bool_, "u8": np.uint8, "i8": np.int8}[
            x.replace("_0d", "")]
        shape = () if x.endswith("_0d") else (3,)
        return (randn(*shape) * 3).astype(dt)
    check(lambda lib, c, a, b: lib.where(c, a, b), bools(3), mk(a), mk(b))


def test_where_condition_dtype():
    check(lambda lib, c: lib.where(c, 1, 2), np.array([1, 0, 1], np.uint8))
    check_raises(lambda lib, c: lib.where(c, 1, 2), randn(3))
    check_raises(lambda lib, c, a, b: lib.where(c, a, b), bools(3), randn(4), randn(3))


@pytest.mark.parametrize("shape", [(2, 3), (5,), (), (0, 3), (2, 2, 2)])
def test_nonzero(shape):
    x = (randn(*shape) > 0).astype(np.float32) * randn(*shape)
    for arr in [np.asarray(x, np.float32), np.asarray(randn(*shape) > 0)]:
        check(lambda lib, a: lib.nonzero(a), arr, grad=False)
        check(lambda lib, a: a.nonzero(as_tuple=True), arr, grad=False)
        check(lambda lib, a: lib.where(a), arr, grad=False)
        check(lambda lib, a: lib.argwhere(a), arr, grad=False)
    check(lambda lib, a: lib.nonzero(a), np.array(3.0, np.float32), grad=False)
    check(lambda lib, a: lib.nonzero(a, as_tuple=True), np.array(2, np.int64), grad=False)


# ------------------------------------------------------------------ diag / diagonal / tril / triu
@pytest.mark.parametrize("args", [(), (1,), (-1,), (2, 1, 2), (0, -1, 0), (10,), (-2, 0, 2)])
def test_diagonal(args):
    check(lambda lib, a: lib.diagonal(a, *args), randn(3, 4, 5))
    check(lambda lib, a: a.transpose(0, 1).diagonal(*args), randn(3, 4, 5))


def test_diagonal_view_and_errors():
    for lib in LIBS:
        a = lib.zeros(3, 3)
        a.diagonal()[1] = 4.0
        assert a[1, 1].item() == 4.0
    check_raises(lambda lib, a: a.diagonal(0, 1, 1), randn(3, 4))
    check_raises(lambda lib, a: a.diagonal(), randn(3))


@pytest.mark.parametrize("shape,k", [((3,), 0), ((3,), 1), ((3,), -2), ((3, 4), 0), ((3, 4), 1),
                                     ((3, 4), -2), ((0,), 0)])
def test_diag(shape, k):
    check(lambda lib, a: lib.diag(a, k), randn(*shape))
    check(lambda lib, a: a.diag(k), randn(*shape))


def test_diag_errors():
    check_raises(lambda lib, a: lib.diag(a), randn(2, 3, 4))
    check_raises(lambda lib, a: lib.diag(a), randn())


@pytest.mark.parametrize("k", [0, 1, -1, 5, -5])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 3), (0, 2)])
def test_tril_triu(k, shape):
    check(lambda lib, a: lib.tril(a, k), randn(*shape))
    check(lambda lib, a: a.triu(k), randn(*shape))
    check(lambda lib, a: (a * 1).tril_(k), randn(*shape))
    check(lambda lib, a: (a * 1).triu_(diagonal=k), randn(*shape))
    check(lambda lib, a: a.tril(k), ints(*shape))


def test_tril_errors():
    check_raises(lambda lib, a: lib.tril(a), randn(3))
    check_raises(lambda lib, a: lib.triu(a), randn())


# ------------------------------------------------------------------ views: memory and versions
VIEW_OPS = [
    lambda x: x.view(12), lambda x: x.reshape(4, 3), lambda x: x.t(), lambda x: x.T,
    lambda x: x.mT, lambda x: x.permute(1, 0), lambda x: x.transpose(0, 1),
    lambda x: x.unsqueeze(0), lambda x: x.unsqueeze(0).squeeze(0), lambda x: x.flatten(),
    lambda x: x.unflatten(1, (2, 2)), lambda x: x.narrow(1, 1, 2), lambda x: x.diagonal(),
    lambda x: x.split(1)[1], lambda x: x.chunk(3, 1)[0], lambda x: x.unbind(1)[2],
    lambda x: x.movedim(0, 1), lambda x: x[1:, ::2], lambda x: x[None, 1], lambda x: x[..., 2],
    lambda x: x.view_as(x), lambda x: x.tensor_split(2, 1)[1], lambda x: x.select(0, 1),
]


@pytest.mark.parametrize("op", VIEW_OPS)
def test_view_shares_memory_and_version(op):
    out = []
    for lib in LIBS:
        x = lib.zeros(3, 4)
        v = op(x)
        v0 = x._version
        v.mul_(0).add_(1)
        assert x._version == v._version > v0
        x.sub_(0.5)
        out.append((x.tolist(), v.tolist()))
    assert out[0] == out[1]


def test_copy_ops_do_not_share():
    for op in [lambda x: x.flip(0), lambda x: x.roll(1, 0), lambda x: x.repeat(1, 1),
               lambda x: x.t().reshape(9), lambda x: x[[0, 1]], lambda x: x.tril(),
               lambda x: lib.cat([x]), lambda x: lib.stack([x])[0], lambda x: x.diag(),
               lambda x: x.index_select(0, lib.tensor([0]))]:
        for lib in LIBS:
            x = lib.zeros(3, 3)
            y = op(x)
            y.add_(1)
            assert x.sum().item() == 0


def test_grad_through_view_inplace():
    def f(lib, x):
        y = x * 1
        v = y[1:]
        v.mul_(2)
        return y
    check(f, randn(3, 4))

    def g(lib, x, w):
        y = x * 1
        y.t()[0].mul_(w)
        return y
    check(g, randn(3, 4), randn(3))

    def h(lib, x):
        y = x * 1
        y.narrow(0, 2, 2).add_(3)
        y.select(1, 0).mul_(2)
        return y * y
    check(h, randn(4, 3))


# ------------------------------------------------------------------ double backward
DOUBLE_BACKWARD_OPS = [
    lambda lib, x: x.t().reshape(-1), lambda lib, x: x.permute(1, 0)[1:],
    lambda lib, x: lib.cat([x, x[:1]], 0), lambda lib, x: lib.stack([x, x * 2], 1),
    lambda lib, x: x.split(1)[1], lambda lib, x: x.chunk(2, 1)[0] * x.unbind(1)[0][:, None],
    lambda lib, x: x.flip(0).roll(1, 1), lambda lib, x: x.repeat(2, 1),
    lambda lib, x: x.index_select(1, lib.tensor([0, 0, 2])),
    lambda lib, x: x.index_add(0, lib.tensor([0, 0]), x[1:]),
    lambda lib, x: x.gather(1, lib.tensor([[0, 0], [1, 3], [2, 2]])),
    lambda lib, x: x.scatter_add(1, lib.tensor([[0, 0], [1, 3], [2, 2]]), x[:, :2]),
    lambda lib, x: x.scatter(1, lib.tensor([[0, 1], [1, 3], [2, 0]]), x[:, 2:]),
    lambda lib, x: x.masked_fill(x > 0, 0.5), lambda lib, x: lib.where(x > 0, x, x[0]),
    lambda lib, x: x.masked_select(x > 0), lambda lib, x: x.diagonal(1),
    lambda lib, x: lib.diag(x[0]), lambda lib, x: x.tril(), lambda lib, x: lib.take(x, lib.tensor([0, 5, 5])),
    lambda lib, x: x.index_fill(1, lib.tensor([1]), x[0, 0]),
    lambda lib, x: x.index_copy(0, lib.tensor([2, 0]), x[:2] * 3),
    lambda lib, x: x.expand(2, 3, 4).narrow(2, 1, 2),
]


@pytest.mark.parametrize("op", range(len(DOUBLE_BACKWARD_OPS)))
def test_double_backward(op):
    f = DOUBLE_BACKWARD_OPS[op]
    a = randn(3, 4).astype(np.float64)
    res = []
    for lib in LIBS:
        x = (to_torch if lib is torch else to_suanzi)(a, True)
        y = f(lib, x * x)
        w = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
        (g,) = lib.autograd.grad((y * w).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        res.append((g.detach().numpy().copy(), gg.detach().numpy().copy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("ashape,ishape,dim", [((3, 4), (3, 2), 1), ((3, 4), (1, 2), 1),
                                               ((3, 1), (3, 5), 0), ((2, 3, 4), (2, 1, 2), -1),
                                               ((3, 4), (5,), None), ((3, 4), (2, 2), None)])
def test_take_along_dim(ashape, ishape, dim):
    high = ashape[dim] if dim is not None else int(np.prod(ashape))
    check(lambda lib, a, i: lib.take_along_dim(a, i, dim), randn(*ashape), ints(*ishape, high=high))
    check(lambda lib, a, i: a.take_along_dim(i, dim=dim), randn(*ashape), ints(*ishape, high=high))


def test_take_along_dim_errors():
    check_raises(lambda lib, a, i: lib.take_along_dim(a, i, 1), randn(3, 4), ints(3, high=3))


NODE_NAME_OPS = [
    "x[0]", "x[1:]", "x[None]", "x[0, 1:]", "x[1:, 0]", "x[..., None]", "x[:]", "x[...]",
    "x[:, 0, :]", "x[0, None]", "x[[0, 1]]", "x[x > 0]", "x[0, [1, 2]]", "x.split(1)[0]",
    "x.split([1, 1])[0]", "x.chunk(2)[0]", "x.unbind(0)[0]", "x.tensor_split(2)[0]",
    "x.narrow(0, 0, 1)", "x.mT", "x.squeeze()", "x.flatten()", "x.unsqueeze(0)",
    "x.expand(2, 2, 3, 4)", "x.diagonal()", "x.reshape(-1)", "x.flip(0)", "x.roll(1)",
    "x.repeat(1, 1, 1)", "lib.cat([x, x])", "lib.stack([x, x])",
    "x.gather(0, lib.zeros(1, 1, 1, dtype=lib.long))", "x.masked_fill(x > 0, 1)",
    "lib.where(x > 0, x, 0)", "x.index_select(0, lib.tensor([0]))", "x.masked_select(x > 0)",
    "x.tril()", "x.triu()", "x.take(lib.tensor([0]))", "x[0].t()", "x.transpose(0, 1)",
    "x.movedim(0, 1)", "x.view(-1)", "x.select(0, 1)",
    "x.index_add(0, lib.tensor([0]), x[:1])",
    "x.scatter_add(0, lib.zeros(1, 1, 1, dtype=lib.long), x)",
    "x.scatter(0, lib.zeros(1, 1, 1, dtype=lib.long), x)",
    "x.scatter(0, lib.zeros(1, 1, 1, dtype=lib.long), 1.)",
    "x.index_fill(0, lib.tensor([0]), 1.)", "x.index_copy(0, lib.tensor([0]), x[:1])",
    "lib.diag(x[0, 0])", "x.tile(2)", "x.unflatten(2, (2, 2))", "x.view_as(x)",
    "x.expand_as(x)",
]


@pytest.mark.parametrize("expr", NODE_NAME_OPS)
def test_node_names(expr):
    names = []
    for lib in LIBS:
        x = lib.ones(2, 3, 4, requires_grad=True) * 1  # noqa: F841 - used by eval
        names.append(eval(expr).grad_fn.name())
    assert names[0] == names[1]


def test_setitem_node_names():
    for kind in ["int", "adv", "mask"]:
        names = []
        for lib in LIBS:
            y = lib.ones(2, 3, requires_grad=True) * 1
            if kind == "int":
                y[0] = 1.0
            elif kind == "adv":
                y[[0]] = 1.0
            else:
                y[y > 0] = 1.0
            names.append(y.grad_fn.name())
        assert names[0] == names[1]
