"""Donor safety as the protocol folder states it: when infection tests must be sampled
(``donor-testing.yaml``, :mod:`.testing`) and how soon a serious adverse event must be reported
(``adverse-events.yaml``, :mod:`.reporting`). Pure Python: plain values in, plain values out."""
