"""gunicorn settings for the page benchmarks: the production file's, on loopback, without the access log.

The production file routes gunicorn's loggers through a dictConfig, which keeps
access logging on whatever `accesslog` says; here there is no dictConfig and no
access log, and errors go to stderr (pages.py sends it to a file).
"""

import os
import runpy
from pathlib import Path

_production = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update({name: value for name, value in _production.items() if not name.startswith("_")})

bind = os.environ["BENCH_BIND"]
workers = int(os.environ.get("BENCH_WORKERS", "2"))
accesslog = None
logconfig_dict = {}
errorlog = "-"
loglevel = "warning"
