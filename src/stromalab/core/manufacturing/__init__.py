"""Manufacturing computations: ISBT 128 identifiers, population doublings, release decisions.

Everything here takes plain values and returns plain values; the web layer stores them.
"""
