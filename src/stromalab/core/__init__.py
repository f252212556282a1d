"""The core layer: pure Python computations with no Django and no I/O during evaluation.

Anything here may be imported by the web layer and by the CLI; nothing here imports them.
"""
