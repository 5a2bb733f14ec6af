"""Entry point of ``yangao-geo`` (and ``python -m yangao_geo``).

Exit codes: 0 no finding at or above ``--fail-on``; 1 there are such
findings; 2 usage or input error — a one-line message on stderr, the
traceback only with ``-v``.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading
import traceback
import warnings

import click

from .. import __version__
from ..allocators import tune_for_a_run
from ..errors import YangaoError, use_interface
from ..i18n import N_, t, use_lang
from ..threads import shut_down
from .check import check_command
from .convert import convert_command
from .fix import fix_command
from .localized import Group, lang_of_args
from .partition import partition_command
from .propose import propose_command
from .rules import rules_command
from .usage_errors import usage_message

__all__ = ["cli", "main", "run"]

EXIT_USAGE = 2
#: the youngest generation's threshold for this process's cycle collector (CPython's default: 700); see run()
GC_YOUNG_THRESHOLD = 10_000


CLI_HELP = N_("Check mineral-planning blocks against the Yanggao County Mineral Resources Master Plan 2021–2025.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, cls=Group, help=CLI_HELP)
@click.version_option(__version__, prog_name="yangao-geo")
def cli():
    """The yangao-geo command group (its help: CLI_HELP, in the run's language)."""


cli.add_command(check_command)
cli.add_command(rules_command)
cli.add_command(convert_command)
cli.add_command(fix_command)
cli.add_command(propose_command)
cli.add_command(partition_command)


@contextlib.contextmanager
def _warnings_as_notes():
    """Python/GDAL warnings raised during a run become one ``yangao-geo: note:`` line each, once, not a
    ``file.py:123: RuntimeWarning`` dump on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen = set()
            for w in caught:
                text = str(w.message).strip().splitlines()[0] if str(w.message).strip() else w.category.__name__
                if text not in seen:
                    seen.add(text)
                    click.echo(t("yangao-geo: note: {text}", text=text), err=True)


def run() -> None:
    """The process's entry point (``yangao-geo``, ``python -m yangao_geo``): :func:`main`, then exit at once.

    When :func:`main` is over, everything the run wrote has been closed and moved into place. What is
    left is the interpreter's teardown, which frees the heap object by object before the kernel takes the
    whole of the process's memory back anyway: 0.08 s of a one-second check (200 blocks × 50 000
    parcels), 0.13 s at 2 000 × 200 000 (``benchmarks/phases.py`` and a timed process, issue 20). So
    this ends the pool's threads, runs the exit handlers (``atexit``: logging, temporary folders, a
    coverage run's data), flushes the standard streams, and leaves with :func:`os._exit`. The exit
    status is the one :func:`sys.exit` would give. Where a thread that is not a daemon is still
    running, the ordinary exit is taken: it waits for that thread.

    Before :func:`main`, the cycle collector is told to look at new objects every 10 000 allocations
    (CPython's default is every 700, with a full pass every 100 of those). Importing geopandas and pandas
    and reading the layers make hundreds of thousands of objects that live for the whole run; at the
    default, full passes traverse them again and again: 37 ms of a one-second check (200 blocks × 50 000
    parcels, hills), 173 ms of a five-second one (2 000 × 50 000, anywhere), against 10 and 62 ms with
    this threshold (``gc.callbacks`` timing each pass). Cycles are still collected, later; the run's large
    arrays hold no cycles. Peak memory is unchanged (``benchmarks/RESULTS.md``).

    :func:`main` itself never leaves this way: a test, a notebook or QGIS calling it keeps its interpreter.
    """
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # as sys.exit does with a message: print it, status 1
        print(code, file=sys.stderr)
        code = 1
    shut_down()
    if any(th.is_alive() and not th.daemon for th in threading.enumerate() if th is not threading.main_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe: the interpreter's own exit says 120 here
            code = code or 120
    os._exit(code)


def main(argv=None) -> None:
    """Run the CLI; map errors onto exit code 2 with a one-line message (in the run's language)."""
    tune_for_a_run(arenas=max(2, os.cpu_count() or 1))  # before pyarrow loads and threads start (peak memory)
    args = sys.argv[1:] if argv is None else list(argv)
    with use_lang(lang_of_args(args)):
        _main(args)


def _main(args) -> None:
    verbose = "-v" in args or "--verbose" in args
    try:
        with use_interface("cli"), _warnings_as_notes():
            code = cli.main(args=args, prog_name="yangao-geo", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo(t("yangao-geo: aborted"), err=True)
        sys.exit(EXIT_USAGE)
    except click.UsageError as exc:  # click words these in English: said again in the run's language
        click.echo(t("yangao-geo: error: {message}", message=usage_message(exc)), err=True)
        if exc.ctx is not None:
            click.echo(t("Try {command} --help for help.", command=exc.ctx.command_path), err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE if exc.exit_code != 0 else 0)
    except YangaoError as exc:
        if verbose:
            traceback.print_exc()
        with use_interface("cli"):
            click.echo(t("yangao-geo: error: {message}", message=exc), err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo(t("yangao-geo: interrupted; no output was written"), err=True)
        sys.exit(130)
    except Exception as exc:  # an internal error still gets one line, not a wall of text
        if verbose:
            traceback.print_exc()
        click.echo(
            t(
                "yangao-geo: internal error: {error}: {message} (run with -v for the traceback)",
                error=type(exc).__name__,
                message=exc,
            ),
            err=True,
        )
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else 0)
