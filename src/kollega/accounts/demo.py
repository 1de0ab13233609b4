"""Synthetic demo users, one per role, with sign-in codes derivable for the demo only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kollega.accounts.actions import do_create_staff
from kollega.core import roles

DEMO_PASSWORD = "kollega-demo"  # noqa: S105 - printed by `make demo`; demo databases only


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]


DEMO_USERS = (
    DemoUser("ingrid", "Ingrid", "Haugen", (roles.COUNSELLOR,)),
    DemoUser("tor", "Tor", "Lunde", (roles.COUNSELLOR,)),
    DemoUser("kari", "Kari", "Moen", (roles.COORDINATOR,)),
    DemoUser("sara", "Sara", "Berg", (roles.RESEARCHER,)),
    # A second researcher on the demo study, so that blind double coding can be tried.
    DemoUser("rune", "Rune", "Strand", (roles.RESEARCHER,)),
    DemoUser("admin", "Aksel", "Dahl", (roles.ADMINISTRATOR,)),
)


def demo_totp_key(username: str) -> str:
    """A fixed TOTP key per demo user, so the demo can print codes without a phone."""
    return hashlib.sha256(f"kollega-demo-totp:{username}".encode()).hexdigest()[:40]


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def ensure_demo_users() -> list[DemoUser]:
    """Create the demo users if missing; idempotent. Returns the users that exist afterwards."""
    user_model = get_user_model()
    for demo in DEMO_USERS:
        if user_model.objects.filter(username=demo.username).exists():
            continue
        _user, device = do_create_staff(
            username=demo.username,
            password=DEMO_PASSWORD,
            roles=list(demo.roles),
            first_name=demo.first_name,
            last_name=demo.last_name,
            email=f"{demo.username}@demo.invalid",
        )
        device.key = demo_totp_key(demo.username)
        device.save(update_fields=["key"])
    return list(DEMO_USERS)
