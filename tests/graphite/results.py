# SPDX-License-Identifier: GPL-2.0-or-later
"""The result lines of the Python test programs (lint.py, e2e.py, fleet.py):
PASS|FAIL|SKIP <tab> description, or "#" <tab> a note, one a line, which
tests/graphite/pytap.sh turns into TAP."""

failed = 0


def result(ok, desc, detail=""):
    global failed
    if not ok:
        failed += 1
    d = desc + (": " + detail if detail and not ok else "")
    print("%s\t%s" % ("PASS" if ok else "FAIL", d.replace("\n", " ")),
          flush=True)


def skip(desc):
    print("SKIP\t%s" % desc, flush=True)


def note(text):
    print("#\t%s" % text, flush=True)


def exit_status():
    """1 when a result failed, else 0."""
    return 1 if failed else 0
