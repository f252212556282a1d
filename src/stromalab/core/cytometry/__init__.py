"""Flow cytometry: FCS reading, gating and the ISCT immunophenotype (numpy only, no Django)."""

from stromalab.core.cytometry.errors import FcsError
from stromalab.core.cytometry.model import Channel, FcsData
from stromalab.core.cytometry.reader import count_datasets, parse_fcs, read_fcs

__all__ = ["Channel", "FcsData", "FcsError", "count_datasets", "parse_fcs", "read_fcs"]
