"""An unexpected failure shows an error reference and logs it without content or identifiers."""

from __future__ import annotations

import logging
import re


def _failing_app(app):
    def boom():
        raise RuntimeError("salainen sisältö 12345")

    app.add_url_rule("/test-boom", "test_boom", boom, methods=["GET", "POST"])
    app.add_url_rule("/api/v1/test-boom", "test_api_boom", boom)
    return app


def test_page_failure_shows_a_reference_that_matches_the_log(app, caplog):
    _failing_app(app)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/test-boom", query_string={"text": "osallistujan ajatus"})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "salainen" not in html
    reference = re.search(r"([0-9a-f]{6,})\s*</", html) or re.search(
        r"[:：]\s*([0-9a-f]{6,})", html
    )
    assert reference, html[-800:]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert reference.group(1) in logged
    assert "salainen" not in logged and "osallistujan" not in logged and "127.0.0.1" not in logged


def test_api_failure_answers_an_error_id(app, caplog):
    _failing_app(app)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/v1/test-boom")
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "server_error" and error["error_id"]
    assert error["error_id"] in "\n".join(r.getMessage() for r in caplog.records)
