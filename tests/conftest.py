import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import torch

# torch's intra-op thread pool spins on this 2-core machine while pytest-xdist
# runs two workers: tiny convolutions then take ~25 ms each. One thread each.
torch.set_num_threads(1)
