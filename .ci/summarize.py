"""Prints the closing 'N passed, N failed, N skipped' line of a lit run."""
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
passed = failed = skipped = 0
failures = []
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
        failures.append(f"{case.get('classname')}.{case.get('name')}")
    elif case.find("skipped") is not None:
        skipped += 1
    else:
        passed += 1
for name in failures:
    print("FAILED:", name)
if passed + failed == 0:
    print("no test ran")
    sys.exit(1)
print(f"lit: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
