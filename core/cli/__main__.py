"""``python -m core.cli`` runs the ``atd`` command line."""

from core.cli import main

main()
