"""Start-up: how long before yangao_geo answers, against the libraries it stands on, in the same run.

Usage::

    python benchmarks/startup.py [--repeat 15]

Each command runs in a fresh interpreter (``sys.executable``), ``--repeat`` times; the median wall time is
printed with its ratio to the peer ``python -c "import geopandas"`` (what any geopandas script pays before
its first line) and to a bare ``python -c pass``:

* ``import yangao_geo`` — the package (its public names load on first use);
* ``yangao-geo --help`` and ``yangao-geo check --help`` — the command line parsed and answered;
* ``import geopandas``, ``import shapely`` — the peers;
* ``from yangao_geo import check`` then the first use — what a real run pays (geopandas and the rules).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import shapely": [sys.executable, "-c", "import shapely"],
    "import geopandas": [sys.executable, "-c", "import geopandas"],
    "import yangao_geo": [sys.executable, "-c", "import yangao_geo"],
    "yangao-geo --help": [sys.executable, "-m", "yangao_geo", "--help"],
    "yangao-geo check --help": [sys.executable, "-m", "yangao_geo", "check", "--help"],
    "import + first use (check)": [sys.executable, "-c", "import yangao_geo; yangao_geo.check"],
}


def _time(argv, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    results = {name: _time(argv, args.repeat) for name, argv in COMMANDS.items()}
    peer = results["import geopandas"]
    print("| command | median s | × import geopandas |\n|---|---:|---:|")
    for name, seconds in results.items():
        print(f"| `{name}` | {seconds:.3f} | {seconds / peer:.2f} |")


if __name__ == "__main__":
    main()
