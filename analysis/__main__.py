"""``python -m analysis``: see ``analysis.cli``."""

import os
import sys

from analysis.cli import run

try:
    sys.exit(run())
except BrokenPipeError:
    # The reader (e.g. `| head`) stopped early: not an error of ours, and no traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
