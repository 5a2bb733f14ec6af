"""The ``yangao-geo`` command line: one module per command, wired up in :mod:`.main`."""
