"""A small W3C WebDriver client driving Debian's headless Chromium.

``chromedriver`` (package chromium-driver) runs on a loopback port for
one test; the client speaks the WebDriver HTTP protocol with requests.
A missing chromium or chromedriver fails the test, it never skips.
"""

import base64
import pathlib
import shutil
import subprocess
import time
from typing import Any

import fixtures
import requests

from tests.fixtures import ports

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
SCREENSHOTS = pathlib.Path(__file__).resolve().parents[2] / \
    ".browser-screenshots"


class WebDriverError(RuntimeError):
    """A WebDriver command failed; ``error`` is the protocol's code."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


# Errors of a page that is changing under the command: try again.
_TRANSIENT = ("stale element reference", "no such element")


class BrowserMissing(Exception):
    """chromium or chromedriver is not installed."""


def executables() -> tuple[str, str]:
    """The paths of chromedriver and chromium; raise BrowserMissing."""
    driver = shutil.which("chromedriver")
    browser = shutil.which("chromium")
    if driver is None or browser is None:
        raise BrowserMissing(
            "the browser tests need Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; tools/venv.sh "
            "installs them as root)")
    return driver, browser


class Browser(fixtures.Fixture):
    """One headless Chromium session, closed after the test."""

    def __init__(self, language: str = "en-US,en") -> None:
        super().__init__()
        self.language = language

    def _setUp(self) -> None:
        driver, browser = executables()
        port = ports.free_port()
        self._process = subprocess.Popen(
            [driver, "--port=%d" % port], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self.addCleanup(self._stop_driver)
        self._url = "http://127.0.0.1:%d" % port
        self._http = requests.Session()
        self.addCleanup(self._http.close)
        self._wait_ready()
        answer = self._call("POST", "/session", {"capabilities": {
            "alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
                "binary": browser,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1400,900",
                         "--no-first-run", "--no-default-browser-check"],
                "prefs": {"intl.accept_languages": self.language}},
                "goog:loggingPrefs": {"browser": "ALL"}}}})
        self._session = "/session/%s" % answer["sessionId"]
        self.addCleanup(self._call, "DELETE", self._session)

    def _stop_driver(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self._http.get(self._url + "/status", timeout=2).json()[
                        "value"]["ready"]:
                    return
            except (requests.RequestException, ValueError, KeyError):
                pass
            time.sleep(0.1)
        raise RuntimeError("chromedriver did not start in 30 s")

    def _call(self, method: str, path: str,
              body: dict[str, Any] | None = None) -> Any:
        answer = self._http.request(method, self._url + path,
                                    json=body if method == "POST" else None,
                                    timeout=60)
        value = answer.json().get("value")
        if answer.status_code != 200:
            value = value if isinstance(value, dict) else {}
            raise WebDriverError(
                str(value.get("error")), "WebDriver %s %s: %s" % (
                    method, path, value.get("message")))
        return value

    def go(self, url: str) -> None:
        self._call("POST", self._session + "/url", {"url": url})

    def url(self) -> str:
        return str(self._call("GET", self._session + "/url"))

    def find_all(self, css: str) -> list[str]:
        found = self._call("POST", self._session + "/elements",
                           {"using": "css selector", "value": css})
        return [item[ELEMENT] for item in found]

    def find(self, css: str) -> str:
        found = self.find_all(css)
        if not found:
            raise LookupError("no element matches %r" % css)
        return found[0]

    def text(self, css: str) -> str:
        return str(self._call("GET", self._session + "/element/%s/text"
                              % self.find(css)))

    def texts(self, css: str) -> list[str]:
        return [str(self._call("GET", self._session + "/element/%s/text"
                               % element)) for element in self.find_all(css)]

    def click(self, css: str) -> None:
        self._call("POST", self._session + "/element/%s/click"
                   % self.find(css), {})

    def click_when(self, css: str, what: str) -> None:
        """Click ``css`` once it is there, again if the page replaced it
        meanwhile."""
        self.wait(lambda: self.click(css) or True, what=what)

    def cookie(self, name: str) -> str:
        """The value of cookie ``name``, HttpOnly ones included."""
        return str(self._call("GET", self._session + "/cookie/%s" % name)[
            "value"])

    def type(self, css: str, text: str) -> None:
        self._call("POST", self._session + "/element/%s/value"
                   % self.find(css), {"text": text})

    def script(self, source: str, *args: Any) -> Any:
        return self._call("POST", self._session + "/execute/sync",
                          {"script": source, "args": list(args)})

    def wait(self, check: Any, timeout: float = 15,
             what: str = "the page") -> Any:
        """Call ``check`` until it returns a true value; fail after
        ``timeout`` seconds, saying ``what`` was awaited."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = check()
            except LookupError:
                last = None
            except WebDriverError as exc:
                if exc.error not in _TRANSIENT:
                    raise
                last = None
            if last:
                return last
            time.sleep(0.2)
        raise AssertionError("waited %.0f s for %s (last: %r)"
                             % (timeout, what, last))

    def console_messages(self) -> list[str]:
        """The browser console's messages since the last call (Chromium's
        log endpoint): CSP violations and script errors land there."""
        entries = self._call("POST", self._session + "/se/log",
                             {"type": "browser"})
        return [str(entry.get("message")) for entry in entries]

    def screenshot(self, name: str) -> pathlib.Path:
        """Write the page as ``.browser-screenshots/<name>.png``."""
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / ("%s.png" % name)
        path.write_bytes(base64.b64decode(
            self._call("GET", self._session + "/screenshot")))
        return path
