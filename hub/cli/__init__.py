"""The ``hub`` command: ``hub.cli.main:main`` (also ``python -m hub``)."""
