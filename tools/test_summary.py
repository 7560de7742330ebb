#!/usr/bin/env python3
"""Print 'N passed, N failed, N skipped' for the last run of stestr repos.

Each failed test is named on a line of its own first, so that the end of a
long CI log says which ones failed.

Usage: test_summary.py DIR [DIR ...]. Each directory holds an stestr
repository (DIR/.stestr); its last run is read with
``stestr --repo-url DIR last --subunit``. Exits 1
when any test failed or when no test ran at all.
"""

import io
import subprocess
import sys

import subunit
import testtools


class _Outcomes(testtools.StreamResult):
    def __init__(self) -> None:
        super().__init__()
        self.final: dict[str, str] = {}

    def status(self, test_id=None, test_status=None, **kwargs):  # noqa
        if test_id and test_status in ("success", "fail", "skip", "xfail",
                                       "uxsuccess"):
            self.final[test_id] = test_status


def _last_run(repo: str) -> dict[str, str]:
    stream = subprocess.run(
        ["stestr", "--repo-url", repo, "last", "--subunit"],
        check=True, capture_output=True).stdout
    outcomes = _Outcomes()
    case = subunit.ByteStreamToStreamResult(io.BytesIO(stream),
                                            non_subunit_name="stdout")
    case.run(outcomes)
    return outcomes.final


def main(repos: list[str]) -> int:
    final: dict[str, str] = {}
    for repo in repos:
        final.update({"%s:%s" % (repo, k): v
                      for k, v in _last_run(repo).items()})
    passed = sum(v in ("success", "xfail") for v in final.values())
    failed = sum(v in ("fail", "uxsuccess") for v in final.values())
    skipped = sum(v == "skip" for v in final.values())
    for test_id in sorted(k for k, v in final.items()
                          if v in ("fail", "uxsuccess")):
        print("failed: %s" % test_id)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    if passed + failed == 0:
        print("error: no test ran", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["."]))
