"""``suanzi.optim``: torch's optimizers and learning-rate schedulers.

``SGD``, ``Adam``, ``AdamW``, ``RMSprop`` and ``Adagrad`` with torch's
signatures, parameter groups, ``state_dict`` format and update formulas;
schedulers in ``suanzi.optim.lr_scheduler``.
"""
from . import lr_scheduler  # noqa: F401
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
