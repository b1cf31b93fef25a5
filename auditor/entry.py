"""The ``auditor`` console script.

``auditor scan ...`` with options the scan's own parser knows runs without
importing typer (see ``auditor.scan_command``): a warm rescan then costs the
interpreter, the pipeline's imports and the cache look-ups, nothing more.
Everything else (``--help``, the other commands, a malformed option) goes to the
typer CLI in ``auditor.cli``.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import sys  # noqa: E402


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["scan"]:
        from auditor import scan_command

        parsed = scan_command.parse_scan_args(argv[1:])
        if parsed is not None:
            values, given = parsed
            scan_command.guarded(lambda: scan_command.run(values, given, T_START), argv[1:])
            return
    from auditor.cli import main as typer_main

    typer_main()


if __name__ == "__main__":
    main()
