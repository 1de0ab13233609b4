from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_no_store() -> None:
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_templates_contain_no_inline_scripts() -> None:
    body = Client().get("/").content.decode()
    assert "<script>" not in body
    assert " style=" not in body
