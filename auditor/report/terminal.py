"""What the terminal asks of the table: how wide it is and whether it wants colour.

Decided here once, for the CLI (no rich import: it runs before any renderer).

- Width: ``--width`` when given; else ``COLUMNS`` from the environment (also
  when the output is piped, as ``less``, ``watch`` and CI logs set it); else the
  terminal's own width; else ``DEFAULT_WIDTH``.
- Colour (https://no-color.org, https://force-color.org): a non-empty
  ``NO_COLOR`` turns it off, even on a terminal; else a non-empty
  ``FORCE_COLOR`` (other than ``0``/``false``) turns it on, even when piped;
  else colour only when the table goes to a terminal.  Never into a file
  (``--output``) and never in another format than the table.
"""

from __future__ import annotations

import os
from typing import Mapping, TextIO

DEFAULT_WIDTH = 120  # piped output with no COLUMNS: wide enough for the full table
MIN_WIDTH = 40  # narrower than this, nothing reads; the table keeps this width


def table_width(explicit: int, stream: TextIO, environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    if explicit > 0:
        return max(MIN_WIDTH, explicit)
    columns = env.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    if _isatty(stream):
        try:
            return max(MIN_WIDTH, os.get_terminal_size(stream.fileno()).columns)
        except (OSError, ValueError):
            pass
    return DEFAULT_WIDTH


def use_color(stream: TextIO, to_file: bool, is_table: bool, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if to_file or not is_table:
        return False
    if env.get("NO_COLOR", ""):
        return False
    force = env.get("FORCE_COLOR", "").strip().lower()
    if force and force not in ("0", "false", "no", "off"):
        return True
    return _isatty(stream)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
