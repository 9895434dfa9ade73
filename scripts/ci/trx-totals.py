#!/usr/bin/env python3
"""Sums the outcomes in every TRX file under a folder and prints the CI totals line last.

Usage: trx-totals.py RESULTS_DIR
Prints the failed and skipped tests by name, then `N passed, N failed` on a line of its own.
Exits 1 when any test failed or no test ran.
"""
import glob, os, sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"

def main(folder):
    passed = failed = skipped = 0
    failures, skips = [], []
    files = sorted(glob.glob(os.path.join(folder, "**", "*.trx"), recursive=True))
    for path in files:
        root = ET.parse(path).getroot()
        for r in root.iter(NS + "UnitTestResult"):
            outcome, name = r.get("outcome"), r.get("testName")
            if outcome == "Passed":
                passed += 1
            elif outcome in ("NotExecuted", "Inconclusive", "Skipped"):
                skipped += 1
                skips.append(name)
            else:
                failed += 1
                failures.append(name)
    for n in failures:
        print(f"FAILED  {n}")
    for n in skips:
        print(f"SKIPPED {n}")
    print(f"{len(files)} result files, {skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "TestResults"))
