"""Behind the reverse proxy the login throttle counts the client's address, not the proxy's
(KOLLEGA_PROXY_COUNT; issue 24)."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.test import RequestFactory


def test_the_login_throttle_reads_the_address_nginx_forwarded(settings: Any) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1
    # nginx appends the address it saw to whatever the client claimed.
    request = RequestFactory().post(
        "/staff/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7"
    )
    assert get_client_ip_address(request) == "198.51.100.7"


def test_without_a_proxy_a_claimed_address_is_ignored(settings: Any) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = None
    request = RequestFactory().post(
        "/staff/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert get_client_ip_address(request) == "198.51.100.7"
