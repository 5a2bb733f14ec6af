"""``python -m yangao_geo`` runs the ``yangao-geo`` command line."""

from .cli.main import run

if __name__ == "__main__":
    run()
