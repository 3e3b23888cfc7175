"""tests/integration/checks.py: the ok/FAIL tally the integration scripts share.

    from checks import check, finish
    check("what must hold", cond, detail_shown_on_failure)
    finish()   # prints "N passed, M failed", exits 1 on any failure
"""
import sys

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok: {name}")
    else:
        failed += 1
        print(f"FAIL: {name}: {detail}")


def finish():
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
