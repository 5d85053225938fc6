"""The one error the spreadsheet reader raises."""

from __future__ import annotations


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message is for the user."""
