"""The ceiling: a bare Flask app whose one POST inserts a row with the sqlite3 module.

No CSRF, no validation, no template: what gunicorn + Flask + one SQLite commit cost on this
machine. Served by bench/ceiling.py under the same gunicorn.conf.py as the real app.
"""

import os
import sqlite3

from flask import Flask, request

DATABASE = os.environ.get("BARE_DATABASE", "/tmp/bare.db")

app = Flask(__name__)


def _connect() -> sqlite3.Connection:
    connection = sqlite3.connect(DATABASE, timeout=15)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


with _connect() as setup:
    setup.execute("CREATE TABLE IF NOT EXISTS post (id INTEGER PRIMARY KEY, body TEXT)")


@app.post("/p")
def post():
    connection = _connect()
    with connection:
        connection.execute("INSERT INTO post (body) VALUES (?)", (request.form.get("v", ""),))
    connection.close()
    return "ok"
