"""The backup tests reuse the quality app's batch, analyst and generated FCS panel fixtures."""

from tests.web.quality.conftest import analyst, batch, good_panel, make_batch  # noqa: F401
