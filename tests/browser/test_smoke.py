from tests.browser.harness import COLD_START_TIMEOUT_MS, wait_for_app


def test_health_endpoint_answers(app_server):
    assert app_server.health() == (200, "ok")


def test_home_renders(page, app_server):
    page.goto(app_server.url)
    wait_for_app(page, timeout_ms=COLD_START_TIMEOUT_MS)
    heading = page.get_by_role("heading", level=1)
    assert "sound like" in heading.first.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
