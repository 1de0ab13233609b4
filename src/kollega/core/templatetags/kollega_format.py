"""Template filters every app uses to show numbers the same way."""

from __future__ import annotations

from django import template

from kollega.core.phone import tel_uri

register = template.Library()


@register.filter
def tel(number: object) -> str:
    """The digits for a tel: link: `<a href="tel:{{ phone|tel }}">{{ phone }}</a>`."""
    return tel_uri(str(number or ""))
