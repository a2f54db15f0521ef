"""``python -m suanzi …``: the same as the ``suanzi`` console script."""
import sys

from .cli import main

sys.exit(main())
