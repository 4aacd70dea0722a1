import pytest
from dashboard_checks import APP


@pytest.fixture
def app():
    """A fresh dashboard session (AppTest), not yet run."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=120)
