"""Command line: ``python -m solver solve problem.json [--mode M] [--time-limit S]``.

Prints the result JSON on stdout and exits 0; bad or infeasible input exits 2 with a
message naming the culprit on stderr. ``-`` reads the problem from standard input.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import msgspec

from . import MODES_HELP, ProblemError, solve_json


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m solver",
        description="Allocate offers to needs for the whole portfolio (Matchmaker solver).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    solve = commands.add_parser(
        "solve",
        help="solve a problem file and print the result JSON",
        description="Solve a JSON problem and print the result JSON on stdout.",
    )
    solve.add_argument("problem", help="problem JSON file, or - for standard input")
    solve.add_argument("--mode", choices=["whole", "split"], help=MODES_HELP)
    solve.add_argument(
        "--time-limit", type=float, metavar="S", help="seconds allowed (overrides time_limit_s)"
    )
    solve.add_argument("--indent", action="store_true", help="pretty-print the result")
    parser.set_defaults(command_parser=solve)  # so input errors print the solve usage
    return parser


def _process_started() -> float:
    """perf_counter() value at process start, so interpreter start-up and imports count
    against the time limit too (Linux /proc; elsewhere, from now)."""
    try:
        with open("/proc/self/stat") as stat:
            ticks = int(stat.read().rpartition(")")[2].split()[19])
        with open("/proc/uptime") as uptime:
            since_boot = float(uptime.read().split()[0])
        age = since_boot - ticks / os.sysconf("SC_CLK_TCK")
        return time.perf_counter() - min(max(age, 0.0), 5.0)
    except (OSError, ValueError, IndexError):
        return time.perf_counter()


def main(argv: list[str] | None = None) -> int:
    started = _process_started()
    parser = build_parser()
    args = parser.parse_args(argv)
    solve_parser = args.command_parser
    if args.time_limit is not None and not args.time_limit > 0:
        solve_parser.error(f"--time-limit: must be > 0, got {args.time_limit}")
    try:
        if args.problem == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(args.problem, "rb") as handle:
                raw = handle.read()
    except OSError as exc:
        solve_parser.error(f"cannot read {args.problem}: {exc.strerror}")
    try:
        result = solve_json(raw, args.mode, args.time_limit, started=started)
    except ProblemError as exc:
        solve_parser.error(str(exc))
    output = msgspec.json.encode(result)
    if args.indent:
        output = msgspec.json.format(output, indent=2)
    sys.stdout.buffer.write(output + b"\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown (freeing OR-Tools and SciPy takes a noticeable fraction of
    # a second); everything is written and nothing else is pending.
    os._exit(code)
