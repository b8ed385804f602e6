"""Browser smoke test: the server answers, Home renders, a guest reaches a radar chart."""

from tests.browser.harness import COLD_START_TIMEOUT_MS, RUN_TIMEOUT_MS, wait_for_app


def test_health_endpoint_answers(app_server):
    assert app_server.health() == (200, "ok")


def test_home_renders(page, app_server):
    page.goto(app_server.url)
    wait_for_app(page, timeout_ms=COLD_START_TIMEOUT_MS)
    heading = page.get_by_role("heading", level=1)
    assert "sound like" in heading.first.inner_text()
    page.locator(".st-key-guest_search input").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_guest_reaches_a_radar_chart(page, app_server):
    page.goto(app_server.url)
    wait_for_app(page, timeout_ms=COLD_START_TIMEOUT_MS)
    search = page.locator(".st-key-guest_search input")
    search.wait_for(timeout=RUN_TIMEOUT_MS)
    search.fill("memories maroon 5")
    search.press("Enter")
    add = page.get_by_role("button", name="Add", exact=True).first
    add.wait_for(timeout=RUN_TIMEOUT_MS)
    add.click()
    page.get_by_role("button", name="Remove").first.wait_for(timeout=RUN_TIMEOUT_MS)
    page.locator(".st-key-get_recommendations button").click()
    page.wait_for_url("**/recommendations*", timeout=RUN_TIMEOUT_MS)
    radar = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    radar.wait_for(timeout=RUN_TIMEOUT_MS)
    assert page.locator("g.polarlayer, .polarlayer").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
