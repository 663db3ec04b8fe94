"""Measure the citizen's first questionnaire page: bytes transferred and time to render on slow 3G.

Serves the app on a seeded temporary SQLite database, opens `/q/<centre>` in Debian's
headless Chromium through Playwright, emulates slow 3G with the DevTools protocol
(400 kbit/s down and up, 400 ms round trip), and reports:
- bytes transferred per request (compressed, as on the wire) and in total;
- any request to another origin, and any font download;
- time from navigation start to the load event and to first contentful paint.

Usage: .venv/bin/python bench/page_weight.py [--runs 5] [--screenshot FILE.png]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
           "uploadThroughput": 400_000 / 8}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _serve(tmp: Path):
    os.environ["SURVEY_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    os.environ.setdefault("SURVEY_SECRET_KEY", "bench-only-secret")
    os.environ["SURVEY_STARTUP_CHECK"] = "0"
    from flask_migrate import upgrade

    from survey import create_app

    app = create_app({"RATE_LIMIT_QUESTIONNAIRE": "100000 per hour"})
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed"])
    if result.exit_code != 0:
        raise SystemExit(f"seeding failed: {result.output} {result.exception!r}")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(base: str, runs: int, screenshot: str | None) -> dict:
    from playwright.sync_api import sync_playwright

    loads, paints, totals = [], [], []
    foreign, fonts, per_request = set(), 0, {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for run in range(runs):
            context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            sizes: dict[str, int] = {}
            urls: dict[str, str] = {}
            cdp.on("Network.requestWillBeSent",
                   lambda e, urls=urls: urls.__setitem__(e["requestId"], e["request"]["url"]))
            cdp.on("Network.loadingFinished",
                   lambda e, sizes=sizes: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
            page.goto(f"{base}/q/tinh", wait_until="load")
            # Chromium may record first-contentful-paint after the load event: wait for it
            # (buffered observer), up to 5 s, rather than read it too early.
            timing = page.evaluate("""() => new Promise(resolve => {
                const nav = performance.getEntriesByType('navigation')[0];
                const done = fcp => resolve({load: nav.loadEventEnd, fcp: fcp});
                new PerformanceObserver(list => {
                    const entry = list.getEntriesByName('first-contentful-paint')[0];
                    if (entry) done(entry.startTime);
                }).observe({type: 'paint', buffered: true});
                setTimeout(() => done(null), 5000);
            })""")
            loads.append(timing["load"])
            paints.append(timing["fcp"])
            totals.append(sum(sizes.values()))
            for rid, url in urls.items():
                if not url.startswith(base) and not url.startswith("data:"):
                    foreign.add(url)
                if url.endswith((".woff", ".woff2", ".ttf", ".otf")):
                    fonts += 1
                per_request[url.replace(base, "")] = sizes.get(rid, 0)
            if screenshot and run == 0:
                page.set_viewport_size({"width": 320, "height": 640})
                page.screenshot(path=screenshot, full_page=True)
            context.close()
        browser.close()
    return {
        "runs": runs,
        "bytes_total_median": statistics.median(totals),
        "per_request": per_request,
        "load_ms_median": statistics.median(loads),
        "load_ms_max": max(loads),
        "fcp_ms_median": statistics.median(measured) if (measured := [p for p in paints if p is not None]) else None,
        "foreign_requests": sorted(foreign),
        "font_downloads": fonts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = _serve(Path(tmp))
        try:
            result = measure(f"http://127.0.0.1:{server.server_port}", args.runs, args.screenshot)
        finally:
            server.shutdown()
    print(f"first page, {result['runs']} runs, slow 3G (400 kbit/s, 400 ms RTT), cache disabled")
    for url, size in result["per_request"].items():
        print(f"  {size:>7,} B  {url}")
    print(f"transferred (median): {result['bytes_total_median']:,} B "
          f"({result['bytes_total_median'] / 1024:.1f} KiB; budget 30 KB)")
    print(f"load event: median {result['load_ms_median']:.0f} ms, max {result['load_ms_max']:.0f} ms "
          f"(budget 2000 ms); first contentful paint median {result['fcp_ms_median']:.0f} ms")
    print(f"third-party requests: {len(result['foreign_requests'])}; font downloads: {result['font_downloads']}")


if __name__ == "__main__":
    main()
