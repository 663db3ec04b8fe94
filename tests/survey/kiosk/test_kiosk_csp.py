"""The kiosk keeps the app's strict Content-Security-Policy: scripts from 'self' only, no inline code.

The kiosk needs no exception: its service worker and its requests (the questionnaire, the
submissions) are same-origin, which `default-src 'self'` already allows for `worker-src` and
`connect-src`. A test plays the attacker who got markup into a kiosk page: no inline script
or handler would run, and the kiosk's own code never builds markup from text.
"""

from __future__ import annotations

import re
from pathlib import Path

from survey.security import CONTENT_SECURITY_POLICY

KIOSK = Path(__file__).resolve().parents[3] / "survey" / "kiosk"


def test_every_kiosk_route_carries_the_apps_policy(tablet, desk, submission):
    centre, _ = desk
    answers = [
        tablet.get(f"/k/{centre.code}"),
        tablet.get(f"/k/{centre.code}/questionnaire.json"),
        tablet.get("/k/sw.js"),
        tablet.get("/k/static/kiosk.js"),
        tablet.post(f"/k/{centre.code}/submissions", json=submission),
    ]
    for answer in answers:
        assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        answer.close()
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY


def test_kiosk_templates_have_no_inline_script_style_or_handler():
    for path in (KIOSK / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text, re.I), path.name
        assert not re.search(r"<style\b|\sstyle\s*=", text, re.I), path.name
        assert not re.search(r"\son[a-z]+\s*=", text, re.I), path.name


def test_kiosk_scripts_never_turn_text_into_code_or_markup():
    for path in (KIOSK / "static").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert risky not in text, f"{path.name} uses {risky}"


def test_the_service_worker_is_served_as_javascript_from_the_kiosk_scope(client):
    answer = client.get("/k/sw.js")
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert answer.headers["Cache-Control"] == "no-cache"  # a new version is picked up on the next visit
    answer.close()
