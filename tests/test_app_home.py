from streamlit.testing.v1 import AppTest

from tests.conftest import APP


def test_home_renders_without_exception():
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    assert "sound like" in at.title[0].value
