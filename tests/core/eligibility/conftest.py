import pytest

from stromalab.core.protocol import Protocol, load_protocol


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return load_protocol("NCT05947682")
