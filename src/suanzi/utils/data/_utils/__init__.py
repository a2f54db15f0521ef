"""Helpers behind ``suanzi.utils.data`` (``_utils.collate`` mirrors torch's module path)."""
from . import collate  # noqa: F401
