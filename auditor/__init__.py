"""auditor — reads procurement documents and court judgments and reports red flags
with page-cited, verbatim evidence."""

__version__ = "0.1.0"
