"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`.

The cyclic garbage collector is off while the app's modules load and build, and what they made
is then frozen out of its reach (`gc.freeze`), as Python's documentation advises for a server
that forks workers: the import makes about 1,000 modules' worth of long-lived objects and no
garbage, so collecting during it, and walking those objects again at every full collection
and at exit, is work for nothing. It takes about a third off a `flask` command's start and stop
(docs/benchmarks.md, "Start-up").

Loaded by the `flask` command (inside click's context), it first makes click's own messages
Vietnamese (`cli_locale`); gunicorn's workers load it outside any click context and are untouched.
"""

import gc
import sys

import click

from cli_locale import use_vietnamese

if click.get_current_context(silent=True) is not None:
    use_vietnamese()

gc.disable()
try:
    from survey import create_app
    from survey.config import ConfigError

    try:
        app = create_app()
    except ConfigError as exc:
        sys.stderr.write(f"survey: không khởi động được. {exc}\n")
        raise SystemExit(1) from None
finally:
    gc.freeze()
    gc.enable()
