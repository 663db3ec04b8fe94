"""gunicorn settings for a 2-core server: `gunicorn -c gunicorn.conf.py wsgi:app`.

Why these values (figures in docs/benchmarks.md, "Reliability under load"):

- 2 workers × 2 threads (gthread). Processes, not only threads: `kill -9` of one worker
  leaves the other serving while the master restarts it, and two processes use both cores
  without sharing one GIL. Two threads each, not one: a page post also waits (SQLite's fsync or
  a lock another writer holds, a PostgreSQL round trip) and an official's upload may hold a
  thread for up to 20 s, and meanwhile the other thread of that worker keeps serving. Not
  four: with only page posts at full speed, 4 threads gave about a fifth fewer posts per
  second than 2, and 1 thread about a tenth more (figures in docs/benchmarks.md). Threads of
  one worker take turns on its GIL, and a thread that has SQLite's write lock can wait for the
  GIL while holding it, so every other writer waits too. `SURVEY_THREADS` and
  `SURVEY_WORKERS` override these.
- A slow upload cannot starve the citizen form: an officer's counts upload occupies one
  thread of one worker for at most the upload reader's time bound (survey.uploads, 20 s),
  and the 3 other threads keep serving page posts. `timeout` (the worker heartbeat) is above
  that bound so a long but bounded upload is not killed half-way; a worker hung for longer
  is killed and replaced.
- `limit_request_line` at its maximum (8190): an over-long /r/ or /q/ address reaches the app,
  which answers with the citizen's "invalid QR code" page in their language. Lines longer
  still, and header fields over 8190 bytes, gunicorn refuses itself; the worker class
  (`survey.server.ThreadWorker`, gunicorn's gthread worker) answers them with the same words in
  Vietnamese instead of gunicorn's bare English 414 and 431 pages.
- `max_requests` with jitter recycles a worker now and then, bounding any slow leak. Not often:
  a new worker imports the app again (about 2.5 s of CPU when this was set, about 0.45 s since
  issue 27, docs/benchmarks.md "Start-up"), so at 5,000 the benchmarks' full speed restarted a
  worker every few seconds and a third of the CPU went to restarts. At
  100,000, a sustained 10 questionnaires a second (about 80 requests a second) restarts each
  worker about every 40 minutes, one at a time thanks to the jitter.
- `logger_class` redacts the leaders' link tokens: every `/l/<token>` in an access-log line
  (request line, path, Referer) is written `/l/[redacted]` (survey/leaders/access_log.py;
  tests/survey/leaders/test_access_log.py reads the log of a real gunicorn run). The README's
  nginx configuration does the same in the proxy's log.
- Put nginx in front (README): it buffers slow clients' bodies, so a phone on a weak 3G link
  does not hold a gunicorn thread while its upload trickles in.
"""

import os

bind = os.environ.get("SURVEY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SURVEY_WORKERS", "2"))
worker_class = "survey.server.ThreadWorker"
threads = int(os.environ.get("SURVEY_THREADS", "2"))
timeout = 60
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
limit_request_field_size = 8190
max_requests = 100000
max_requests_jitter = 10000
accesslog = os.environ.get("SURVEY_ACCESS_LOG", "-") or None  # empty: no access log
logger_class = "survey.leaders.access_log.RedactingLogger"
errorlog = "-"
