"""Errors shared by every app's actions."""


class ActionRefused(Exception):
    """A change that a record's state or the rules do not allow; the message is for people."""
