"""What the browser tests share: headless Chromium with the browser console kept, the
failure exit, and the closing check that the page logged no error."""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def chromium(width, height):
    """Headless Chromium (CHROMIUM_BIN, CHROMEDRIVER_BIN) whose console messages can be read."""
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}"]:
        options.add_argument(argument)
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")), options=options)


def finish(driver):
    """Fails if the page logged an error to its console; else says OK."""
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    if errors:
        fail("console errors: %r" % errors)
    print("OK", flush=True)
