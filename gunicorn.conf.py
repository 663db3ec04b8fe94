"""gunicorn settings for a 2-core server: `gunicorn -c gunicorn.conf.py wsgi:app`.

Why these values (figures in docs/benchmarks.md, "Reliability under load"):

- 2 workers × 4 threads (gthread). A page post spends part of its time waiting on the
  database (SQLite's fsync, a lock held by another writer, a PostgreSQL round trip) and an
  official's upload may hold a thread for up to 20 s, so extra threads keep citizens served
  meanwhile. When only page posts arrive at full speed, 2 threads gave 20–30 % more posts per
  second than 4 (less GIL contention; `SURVEY_THREADS=2` for a server that takes nothing else). Processes, not only
  threads: `kill -9` of one worker leaves the other serving while the master restarts it.
- A slow upload cannot starve the citizen form: an officer's counts upload occupies one
  thread of one worker for at most the upload reader's time bound (survey.uploads, 20 s),
  and 7 other threads keep serving page posts. `timeout` (the worker heartbeat) is above
  that bound so a long but bounded upload is not killed half-way; a worker hung for longer
  is killed and replaced.
- `limit_request_line` at its maximum (8190): an over-long /r/ or /q/ address reaches the app,
  which answers with the citizen's "invalid QR code" page in their language, instead of
  gunicorn's bare English 414. Lines longer still are refused by gunicorn (no QR code or
  sharing app makes them).
- `max_requests` with jitter recycles workers now and then, bounding any slow leak.
- Put nginx in front (README): it buffers slow clients' bodies, so a phone on a weak 3G link
  does not hold a gunicorn thread while its upload trickles in.
"""

import os

bind = os.environ.get("SURVEY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SURVEY_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("SURVEY_THREADS", "4"))
timeout = 60
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
limit_request_field_size = 8190
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("SURVEY_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
