"""Utilities: ``suanzi.utils.data`` (datasets and loaders)."""
from . import data  # noqa: E402,F401  (suanzi.utils.data after ``import suanzi``, as in torch)
