"""Print the mutation score of each rule module from the last `mutmut run` (make mutate).

Reads `mutmut results --all true`; exits 1 when fewer than TARGET of the checked
mutants were killed, so the figure in MUTATION.md can be checked again.
"""

import subprocess  # nosec B404
import sys
from collections import Counter, defaultdict
from pathlib import Path

TARGET = 0.90
MUTMUT = Path(sys.executable).with_name("mutmut")
KILLED = {"killed", "timeout", "segfault"}  # a test failed, hung or crashed: the change was noticed


def main():
    listing = subprocess.run(  # noqa: S603  # nosec B603
        [str(MUTMUT), "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    by_module = defaultdict(Counter)
    survivors = []
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name:
            continue
        # appointments.booking.x_cancel__mutmut_3, appointments.availability.xǁ_BusyTimesǁoverlaps__mutmut_1
        module = ".".join(part for part in name.split(".") if not part.startswith("x"))
        by_module[module][status] += 1
        if status == "survived":
            survivors.append(name)
    total = Counter()
    print(f"{'module':32} {'mutants':>8} {'killed':>8} {'survived':>9} {'other':>6} {'score':>7}")
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        print(_row(module, counts))
    print(_row("all", total))
    for name in survivors:
        print(f"survived: {name}  (mutmut show {name})")
    checked = sum(total.values()) - total["not checked"] - total["skipped"]
    killed = sum(total[status] for status in KILLED)
    return 0 if checked and killed / checked >= TARGET else 1


def _row(module, counts):
    killed = sum(counts[status] for status in KILLED)
    other = sum(counts.values()) - killed - counts["survived"]
    checked = killed + counts["survived"]
    score = f"{killed / checked:.1%}" if checked else "-"
    return f"{module:32} {sum(counts.values()):8} {killed:8} {counts['survived']:9} {other:6} {score:>7}"


if __name__ == "__main__":
    sys.exit(main())
