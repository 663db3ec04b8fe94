"""``python -m analysis``: see ``analysis.cli``."""

import os
import sys

from cli_locale import use_vietnamese

use_vietnamese()  # argparse's own messages (usage:, error:) in Vietnamese, before it parses

from analysis.cli import run  # noqa: E402 (after the language is set, as the line above says)

try:
    sys.exit(run())
except BrokenPipeError:
    # The reader (e.g. `| head`) stopped early: not an error of ours, and no traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
