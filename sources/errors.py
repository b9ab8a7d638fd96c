"""Errors a source raises when an upstream cannot be read; the message is one line for the user."""

from __future__ import annotations


class SourceError(Exception):
    """An upstream could not be fetched or did not have the expected shape."""
