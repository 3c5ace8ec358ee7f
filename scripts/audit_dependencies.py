"""Audit the installed Python packages for known vulnerabilities with pip-audit.

Fails (exit 1) when pip-audit reports a vulnerability in any package of the
virtual environment. pip-audit looks each package up in an online advisory
database (PyPI's JSON API, or OSV); a machine that cannot reach it learns
nothing, so that is said loudly rather than passed off as a clean audit.
Run by `make test`; `make audit` runs it alone.
"""

import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main():
    result = subprocess.run(  # noqa: S603 (our own pip-audit, fixed arguments)  # nosec B603
        [str(PIP_AUDIT), "--progress-spinner", "off", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        # No report at all: typically no network to the advisory database (a connection error).
        last_line = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit: NOT AUDITED. pip-audit could not finish: {last_line}")
        return 0

    audited = [dep for dep in report["dependencies"] if "skip_reason" not in dep]
    vulnerable = [dep for dep in audited if dep["vulns"]]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln["fix_versions"]) or "no fixed release yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")

    skipped = len(report["dependencies"]) - len(audited)
    if not audited:
        print(
            f"pip-audit: NOT AUDITED. None of the {skipped} packages could be looked up: the advisory "
            "database (PyPI's JSON API or osv.dev) cannot be reached from this machine. "
            "Run `make audit` where it can."
        )
        return 0
    print(f"pip-audit: {len(audited)} packages audited, {len(vulnerable)} vulnerable, {skipped} not found")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
