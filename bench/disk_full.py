"""A real full disk under the running app: SQLite on a small tmpfs, filled while a citizen answers.

Needs root (it mounts a tmpfs). Migrates and seeds a database on an 16 MB tmpfs, starts gunicorn
with `gunicorn.conf.py`, and has one citizen (requests, one cookie jar) answer every page. Just
before the final submit it fills the tmpfs to the last byte, then:

1. submits: expected a 503 page in the citizen's language saying to try again, with every
   answer kept in the page (nothing stored, no 500);
2. reads `/healthz`: expected 503 with `writes: refused`;
3. reads gunicorn's log: expected one CRITICAL line naming the refused write;
4. frees the space and presses submit again on the page it got back: expected 303 to "Cảm ơn"
   and exactly one stored response with its answers.

Usage: sudo .venv/bin/python bench/disk_full.py [--port 8140]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import _query, form_of, prepare_database, start_gunicorn, stop  # noqa: E402

TMPFS_SIZE = "16m"


def fill(directory: Path) -> int:
    """Write a file into `directory` until the file system refuses; return the bytes written."""
    written = 0
    descriptor = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 1 << 12, 1):
            block = b"\0" * size
            try:
                while True:
                    written += os.write(descriptor, block)
            except OSError:
                pass
    finally:
        os.close(descriptor)
    return written


def main() -> None:
    import requests

    from survey.questionnaire import load_questionnaire

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8140)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench/disk_full.py mounts a tmpfs: run it as root")
    mount = Path(tempfile.mkdtemp(prefix="survey-full-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount)], check=True)
    database = f"sqlite:///{mount}/app.db"
    log_path = Path(tempfile.gettempdir()) / f"gunicorn-{args.port}.log"
    report: dict = {"tmpfs": TMPFS_SIZE}
    server = None
    try:
        centre = prepare_database(database)
        server = start_gunicorn(database, args.port)
        base = f"http://127.0.0.1:{args.port}"
        items = load_questionnaire(ROOT / "questionnaires" / "sipas-2026.yaml").items_by_code
        citizen = requests.Session()
        html = citizen.get(f"{base}/q/{centre}").text
        while 'value="submit"' not in html:
            html = citizen.post(f"{base}/s", data=form_of(html, items), allow_redirects=False).text
        report["filler_bytes"] = fill(mount)
        answered = form_of(html, items)
        refused = citizen.post(f"{base}/s", data=answered, allow_redirects=False)
        report["submit_on_full_disk"] = {
            "status": refused.status_code,
            "retry_after": refused.headers.get("Retry-After"),
            "message": " ".join(re.findall(r'<(?:h1|p class="lead"|div class="alert"[^>]*)>([^<]+)', refused.text)),
            "form_given_back": 'name="state"' in refused.text,
            "stored": _query(database, "SELECT count(*) FROM response")[0][0],
        }
        health = citizen.get(f"{base}/healthz")
        report["healthz_on_full_disk"] = {**health.json(), "http_status": health.status_code}
        report["alert_log_lines"] = [line.strip() for line in log_path.read_text().splitlines()
                                     if "REFUSES WRITES" in line][:3]
        (mount / "filler").unlink()
        again = citizen.post(f"{base}/s", data=form_of(refused.text, items), allow_redirects=False)
        report["submit_after_freeing_space"] = {
            "status": again.status_code, "location": again.headers.get("Location"),
            "stored": _query(database, "SELECT count(*) FROM response")[0][0],
            "answers": _query(database, "SELECT count(*) FROM answer")[0][0],
        }
        report["no_500"] = all(r.status_code < 500 or r.status_code == 503 for r in (refused, again))
    finally:
        if server is not None:
            stop(server)
        subprocess.run(["umount", str(mount)], check=False)
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
