"""The STC workbench: a researcher's analysis of a study's de-identified transcripts through
the four steps of systematic text condensation. ``adapters.py`` is the one module that
converts to and from :mod:`kollega.stc`."""
