"""Form and query values are cleaned of control characters before any view reads them."""

from __future__ import annotations

from tests.conftest import csrf_from


def test_nul_in_login_and_signup_forms_is_no_server_error(app, client):
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    form = {"email": "a\x00b@example.fi", "password": "x\x00y", "csrf_token": token}
    assert client.post("/auth/login", data=form).status_code in (200, 400, 429)
    token = csrf_from(client.get("/auth/signup").get_data(as_text=True))
    form = {
        "name": "Nimi\x00",
        "email": "c\x00@example.fi",
        "password": "salasana123\x00",
        "password2": "salasana123\x00",
        "csrf_token": token,
    }
    assert client.post("/auth/signup", data=form).status_code < 500


def test_nul_in_a_typed_join_code_is_answered_like_a_wrong_code(app):
    response = app.test_client().post("/join", data={"code": "ZZ\x00ZZZZ"})
    assert response.status_code == 404
    response = app.test_client().get("/join", query_string={"code": "\x00\x01"})
    assert response.status_code < 500
