"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`.

The cyclic garbage collector is off while the app's modules load and build, and what they made
is then frozen out of its reach (`gc.freeze`), as Python's documentation advises for a server
that forks workers: the import makes about 1,000 modules' worth of long-lived objects and no
garbage, so collecting during it, and walking those objects again at every full collection
and at exit, is work for nothing. It takes about a third off a `flask` command's start and stop
(docs/benchmarks.md, "Start-up").
"""

import gc
import sys

gc.disable()
try:
    from survey import create_app
    from survey.config import ConfigError

    try:
        app = create_app()
    except ConfigError as exc:
        sys.stderr.write(f"survey: cannot start. {exc}\n")
        raise SystemExit(1) from None
finally:
    gc.freeze()
    gc.enable()
