"""Vietnamese for the messages click and argparse print themselves (Usage:, Error: Missing option…).

Both libraries look their strings up with the standard library's ``gettext`` in the default
domain (``messages``). ``use_vietnamese()`` points that domain at ``vi.po`` compiled to
``vi/LC_MESSAGES/messages.mo`` beside this file and makes ``vi`` the language gettext asks for.
It is called where our command lines start (``wsgi.py`` when loaded by ``flask``, and the
``__main__`` of ``python -m analysis`` and ``python -m survey.jobs``), never by the web app,
whose own texts come from ``survey/i18n.py``.

gettext takes the language only from the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), so
LANGUAGE is set in this process; programs it starts inherit it, which is what an official wants
of them too. The ``.mo`` is committed so that no machine needs a compiler at run time;
``tools/cli_catalog.py`` rebuilds it (and the ``.po`` from an upgraded click or Python), and a
test fails when the two disagree. This package imports nothing but the standard library, so
``--help`` stays as light as before.
"""

import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent
DOMAIN = "messages"  # gettext's default domain, the one click and argparse use
LANGUAGE = "vi"


def use_vietnamese() -> None:
    """Make click's and argparse's own messages Vietnamese for the rest of this process."""
    os.environ["LANGUAGE"] = LANGUAGE
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
