"""The limiter skips its before-request pass only where that pass had nothing to check.

`survey.extensions.RouteLimiter` leaves a decorated view's limits to its decorator (issue 27);
these tests play a client over a view's limit and over an application-wide limit, on a bare
Flask app so that nothing else in the survey app answers for the limiter.
"""

from flask import Flask

from survey.extensions import RouteLimiter


def _app(**limiter_options) -> tuple[Flask, RouteLimiter]:
    app = Flask(__name__)
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter = RouteLimiter(key_func=lambda: "one client", **limiter_options)
    limiter.init_app(app)

    @app.post("/limited")
    @limiter.limit("2 per minute")
    def limited():
        return "ok"

    @app.post("/free")
    def free():
        return "ok"

    return app, limiter


def test_a_views_own_limit_still_holds():
    app, limiter = _app()
    client = app.test_client()
    assert limiter.route_limits_only
    assert [client.post("/limited").status_code for _ in range(3)] == [200, 200, 429]
    assert client.post("/free").status_code == 200


def test_an_application_limit_keeps_the_before_request_pass():
    app, limiter = _app(application_limits=["1 per minute"])
    client = app.test_client()
    assert not limiter.route_limits_only
    assert [client.post("/limited").status_code for _ in range(2)] == [200, 429]
