import numpy as np

from helpers import check, check_raises, randn


def test_add_mul_exp_broadcast():
    check(lambda lib, a, b: (a * b + a).exp().sum(1), randn(2, 3), randn(3))


def test_promotion_int_plus_float():
    check(lambda lib, a: a + 1.5, np.arange(3))


def test_broadcast_error():
    check_raises(lambda lib, a, b: a + b, randn(2, 3), randn(2))
