"""``torch.nn.functional``: the layers as functions. Each family lives in
``suanzi/ops/<family>.py`` with its forward and backward; this module
gathers their public functions under torch's names."""
from ..ops.activation import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.dropout import *  # noqa: F401,F403
from ..ops.embedding import *  # noqa: F401,F403
from ..ops.loss import *  # noqa: F401,F403
from ..ops.nn_linear import *  # noqa: F401,F403
from ..ops.normalization import *  # noqa: F401,F403
from ..ops.pooling import *  # noqa: F401,F403
from ..ops.resample import *  # noqa: F401,F403
