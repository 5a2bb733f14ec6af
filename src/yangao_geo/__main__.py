"""``python -m yangao_geo`` runs the ``yangao-geo`` command line."""

from .cli.main import main

if __name__ == "__main__":
    main()
