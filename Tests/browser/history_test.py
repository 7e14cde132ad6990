"""Browser test of the history page in headless Chromium (driven by GatewayStatisticsTests.swift).

Loads /reminders/history as a signed-in user whose execution log the Swift test wrote, and
checks what the page shows against EXPECTED_JSON: the summary counts, the chart's bars per day
and outcome over the last 30 days, the table's rows (a title holding markup shown as text and
never run), then filters by one outcome. Saves a screenshot; exits non-zero with a reason on
any failure.

Usage: history_test.py BASE_URL TOKEN EXPECTED_JSON SCREENSHOT_PATH
"""
import json
import sys
import time

from headless import chromium, fail, finish
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def wait_loaded(driver, previous=None):
    WebDriverWait(driver, 15, poll_frequency=0.05).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") not in (None, previous)
    )
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-loaded")


def main():
    base, token, expected_path, screenshot = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    with open(expected_path, encoding="utf-8") as handle:
        expected = json.load(handle)
    driver = chromium(1100, 1250)
    try:
        driver.get(f"{base}/reminders/history#token={token}")
        loaded = wait_loaded(driver)
        error = driver.find_element(By.ID, "error")
        if error.is_displayed():
            fail("the page shows an error: " + error.text)

        # Summary: one card per outcome with its count.
        for outcome, count in expected["outcomes"].items():
            card = driver.find_element(By.CSS_SELECTOR, f'#summary .stat[data-outcome="{outcome}"] .value')
            if card.text != str(count):
                fail(f"summary {outcome}: {card.text!r}, expected {count}")

        # Acknowledgement: the rate and the median time.
        cards = [card.text for card in driver.find_elements(By.CSS_SELECTOR, "#summary .stat")]
        if not any(expected["acknowledged"] in card and expected["median"] in card for card in cards):
            fail(f"no acknowledgement card with {expected['acknowledged']} and {expected['median']}: {cards}")

        # Chart: the bars add up per day and outcome.
        bars = driver.find_elements(By.CSS_SELECTOR, "#chart rect.bar")
        drawn = {}
        for bar in bars:
            key = bar.get_attribute("data-date") + " " + bar.get_attribute("data-outcome")
            drawn[key] = drawn.get(key, 0) + int(bar.get_attribute("data-count"))
            if float(bar.get_attribute("height")) <= 0:
                fail(f"bar {key} has no height")
        if drawn != expected["bars"]:
            fail(f"chart bars {drawn}, expected {expected['bars']}")

        # Table: every row, newest first, the markup in a title shown as text and not run.
        rows = driver.find_elements(By.CSS_SELECTOR, "#history-table tbody tr")
        if len(rows) != expected["rows"]:
            fail(f"{len(rows)} rows, expected {expected['rows']}")
        titles = [row.find_element(By.CSS_SELECTOR, ".reminder-title").text for row in rows]
        if not any(expected["hostile_title"] in title for title in titles):
            fail(f"the title with markup is not shown as text: {titles[:3]}")
        if driver.find_elements(By.CSS_SELECTOR, "#history-table img, #history-table b"):
            fail("markup from a title became an element")
        if driver.execute_script("return window.__injected === undefined") is not True:
            fail("script from a title ran")
        ids = [int(row.get_attribute("data-id")) for row in rows]
        times = [row.find_element(By.CSS_SELECTOR, "td").text for row in rows]
        if len(set(ids)) != len(ids):
            fail("a row is shown twice")
        time.sleep(0.3)  # let the layout settle for the screenshot only
        driver.save_screenshot(screenshot)
        print(f"rows={len(rows)} bars={len(bars)} first_time={times[0]!r}", flush=True)

        # Filtered by one outcome: only its rows remain, and the chart shows only it.
        Select(driver.find_element(By.ID, "status")).select_by_value("failed")
        driver.find_element(By.ID, "apply").click()
        wait_loaded(driver, loaded)
        badges = [b.get_attribute("data-status") for b in driver.find_elements(By.CSS_SELECTOR, "#history-table tbody .badge")]
        if badges != ["failed"] * expected["outcomes"]["failed"]:
            fail(f"filtered rows {badges}, expected {expected['outcomes']['failed']} failed")
        outcomes = {bar.get_attribute("data-outcome") for bar in driver.find_elements(By.CSS_SELECTOR, "#chart rect.bar")}
        if outcomes != {"failed"}:
            fail(f"filtered chart shows {outcomes}")

        finish(driver)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
