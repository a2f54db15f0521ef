"""suanzi (算子): deep-learning operators from scratch on NumPy, behind PyTorch's API.

``import suanzi as torch`` and PyTorch code for tensors, autograd and the
common layers runs unchanged and gives PyTorch's results.
"""
import warnings as _warnings

from . import _dtype

# torch returns inf/nan silently for overflow, 0/0, log(0)…; NumPy warns. Silence
# those warnings only where suanzi's own code triggers them, leaving the user's
# NumPy settings alone and costing nothing per call.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"suanzi(\.|$)")
from ._dtype import (bfloat16, complex64, complex128, float16, float32, float64, int8, int16,
                     int32, int64, uint8, get_default_dtype, set_default_dtype, promote_types,
                     can_cast)
from ._dtype import bool_ as bool  # noqa: A001 - torch.bool
from ._dtype import dtype
from ._tensor import Size, Tensor, device
from . import autograd
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from . import _methods
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from .ops.conversion import *  # noqa: F401,F403
from .ops.creation import *  # noqa: F401,F403
from .ops.pointwise import *  # noqa: F401,F403
from .ops.reduction import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403

_methods.bind()
globals().update(_methods.torch_functions())

from . import nn  # noqa: E402  (after the Tensor methods are bound)
from . import optim, utils  # noqa: E402
from .serialization import *  # noqa: E402,F401,F403

# torch's aliases for dtypes
half = float16
float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64
cdouble = complex128


def result_type(tensor1, tensor2):
    return _dtype.result_type(tensor1, tensor2)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


__version__ = "0.1.0"
