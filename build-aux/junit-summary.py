#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print one line, "N passed, N failed, N skipped", for meson test JUnit logs.

Usage: junit-summary.py [TESTLOG.junit.xml ...]

Every <testcase> counts once: with a <failure> or <error> child it failed,
with a <skipped> child it was skipped, otherwise it passed. meson writes one
testcase per TAP subtest, so a GTest program counts each of its cases.

meson's JUnit log does not record that a TAP program as a whole failed (a
crash after some "ok" lines, a timeout, a bad plan): only its subtests are
there. So, when the JSON log that meson writes beside it (testlog.json for
testlog.junit.xml) says a test failed and none of that test's testcases did,
one failure is added for it.

Exits 1 when something failed or when no test passed or failed (no log, an
empty log or a missing one is not a success), 0 otherwise. Missing or
unreadable files are reported on stderr and count as no tests.
"""

import json
import os
import sys
import xml.etree.ElementTree as ET

FAILED_RESULTS = {"FAIL", "ERROR", "TIMEOUT", "INTERRUPT", "UNEXPECTEDPASS"}


def case_outcome(case):
    """'failed', 'skipped' or 'passed' for one <testcase> element."""
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    if case.find("skipped") is not None:
        return "skipped"
    return "passed"


def json_log_for(junit_path):
    """The meson JSON log written beside a JUnit log, or None."""
    suffix = ".junit.xml"
    if not junit_path.endswith(suffix):
        return None
    path = junit_path[: -len(suffix)] + ".json"
    return path if os.path.exists(path) else None


def failed_tests(json_path):
    """Names of the tests that meson's JSON log (one object a line) marks failed."""
    names = []
    with open(json_path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("result") in FAILED_RESULTS and "name" in entry:
                names.append(entry["name"])
    return names


def summarize(junit_path):
    """(passed, failed, skipped) for one JUnit file."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    # Outcomes of the testcases that belong to each meson test, keyed both by
    # suite name ("project.test" for TAP tests) and by testcase name (for
    # tests with a single result, recorded in a suite named after the project).
    by_suite = {}
    by_case = {}

    root = ET.parse(junit_path).getroot()
    for suite in root.iter("testsuite"):
        suite_name = suite.get("name", "")
        for case in suite.iter("testcase"):
            outcome = case_outcome(case)
            counts[outcome] += 1
            by_suite.setdefault(suite_name, []).append(outcome)
            by_case.setdefault(case.get("name", ""), []).append(outcome)

    json_path = json_log_for(junit_path)
    if json_path is not None:
        for name in failed_tests(json_path):
            outcomes = [o for suite_name, suite_outcomes in by_suite.items()
                        if suite_name.endswith("." + name) for o in suite_outcomes]
            outcomes += by_case.get(name, [])
            if "failed" not in outcomes:
                counts["failed"] += 1

    return counts["passed"], counts["failed"], counts["skipped"]


def main(argv):
    if len(argv) > 1 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(argv) < 2:
        print("junit-summary: no JUnit log given (no test ran)", file=sys.stderr)

    passed = failed = skipped = 0
    for path in argv[1:]:
        try:
            p, f, s = summarize(path)
        except (OSError, ET.ParseError) as e:
            print(f"junit-summary: {path}: {e}", file=sys.stderr)
            continue
        passed += p
        failed += f
        skipped += s

    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed > 0 or passed + failed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
