"""One module per CLI command.

Each module defines ``add_arguments(parser)`` and ``run(args) -> int``. Modules import only
the standard library at import time and load what they need inside ``run`` so that
``stromalab screen`` does not pay for numpy, DuckDB or Django.
"""
