"""The request type of pages behind a staff sign-in, for the type checker.

Django's `HttpRequest.user` may be anonymous; a view that only signed-in staff reach (its
access decorator refuses everyone else) takes a `StaffRequest`, so the `do_*` actions it calls
can ask for a `User`. Django builds the request as always: nothing here runs.
"""

from __future__ import annotations

from django.http import HttpRequest

from kollega.accounts.models import User


class StaffRequest(HttpRequest):
    user: User
