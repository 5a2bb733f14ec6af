"""Memory the C allocators keep is handed back between the steps of a run (issue 20: peak memory)."""

import os
import subprocess
import sys

import pytest

from yangao_geo import allocators

glibc = pytest.mark.skipif(allocators._glibc() is None, reason="glibc's malloc_trim and mallopt")


def _rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS"))


@glibc
def test_free_pages_held_by_malloc_are_given_back():
    # 300 MiB in 2 KiB pieces (glibc's heap, not mmap); every 64th kept alive, so the heap cannot shrink from its top
    pieces = [bytearray(2048) for _ in range(150_000)]
    kept = pieces[::64]
    del pieces
    held = _rss_mib()
    assert allocators.release_free_memory() is True
    assert _rss_mib() < held - 100  # most of the freed 290 MiB left the process
    del kept  # alive until here: what kept the heap from shrinking on its own


def _pool_in_a_fresh_process(env) -> str:
    code = (
        "from yangao_geo.allocators import tune_for_a_run; tune_for_a_run(arenas=2); "
        "import pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    )
    env = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


@glibc
def test_a_run_puts_arrow_on_the_system_allocator_unless_the_user_chose():
    assert _pool_in_a_fresh_process({"ARROW_DEFAULT_MEMORY_POOL": None}) == "system"
    import pyarrow

    others = [name for name in ("mimalloc", "jemalloc") if name in pyarrow.supported_memory_backends()]
    if others:
        assert _pool_in_a_fresh_process({"ARROW_DEFAULT_MEMORY_POOL": others[0]}) == others[0]


@glibc
def test_the_command_line_tunes_the_allocators_before_pyarrow_loads():
    """``yangao-geo`` runs with Arrow on the system allocator; a library caller's process is left alone."""
    code = (
        "import sys; from yangao_geo.cli.main import main; "
        "sys.argv = ['yangao-geo', 'rules', '--json']; import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
        "import os, pyarrow\n"
        "print(os.environ.get('ARROW_DEFAULT_MEMORY_POOL'), pyarrow.default_memory_pool().backend_name)"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["system", "system"]
    library = subprocess.run(
        [sys.executable, "-c", "import os, yangao_geo.checker; print(os.environ.get('ARROW_DEFAULT_MEMORY_POOL'))"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert library.returncode == 0, library.stderr
    assert library.stdout.strip() == "None"  # the library leaves its caller's process as it was
