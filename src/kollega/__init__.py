"""Kollega: confidential peer support for doctors, and STC research on it."""

__version__ = "0.1.0"
