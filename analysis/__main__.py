"""``python -m analysis``: see ``analysis.cli``."""

import sys

from analysis.cli import run

sys.exit(run())
