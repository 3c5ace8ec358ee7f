"""What the benchmark scripts share: the scratch database, ports, child processes, the machine."""

import os
import platform
import signal
import socket
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/posture_bench"


# --- scratch database -----------------------------------------------------------------


def _maintenance_connection(database_url):
    import psycopg2

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(maintenance)
    connection.autocommit = True
    return connection, name


def recreate_database(database_url):
    from psycopg2 import sql

    connection, name = _maintenance_connection(database_url)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def drop_database(database_url):
    from psycopg2 import sql

    connection, name = _maintenance_connection(database_url)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    connection.close()


def postgres_version(database_url):
    connection, _ = _maintenance_connection(database_url)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    connection.close()
    return version


# --- ports and child processes ----------------------------------------------------------


def production_like_environment(*, database_url, redis_url, site_url, static_root):
    """The environment of a site served as in production (DEBUG off), but plain http on loopback and no email
    sent (no worker takes the queued ones), set in os.environ before django.setup() and given to gunicorn."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "False",
        "SECURE_SSL_REDIRECT": "False",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": site_url,
        "STATIC_ROOT": static_root,
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    return env


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process_group(process):
    """SIGTERM a child started with start_new_session=True and everything below it; SIGKILL after 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# --- the machine, for the results ---------------------------------------------------------


def _field(path, key, separator=":"):
    """The value after `key` and `separator` on the first such line of a text file, or None."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key) and separator in line:
                return line.split(separator, 1)[1].strip()
    except OSError:
        pass
    return None


def machine_summary(database_url):
    """One paragraph: date, cores, memory, CPU, OS, Python and PostgreSQL, and the load right now."""
    memory = _field("/proc/meminfo", "MemTotal")
    memory = f"{int(memory.split()[0]) / 1024**2:.0f} GiB" if memory else "memory unknown"
    cpu = _field("/proc/cpuinfo", "model name") or platform.processor() or "CPU unknown"
    system = _field("/etc/os-release", "PRETTY_NAME", "=")
    system = system.strip('"') if system else platform.platform()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"date:     {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"machine:  {os.cpu_count()} cores, {memory}, {cpu}\n"
        f"system:   {system}, Python {platform.python_version()}, PostgreSQL {postgres_version(database_url)}\n"
        f"load:     {load} (1, 5, 15 min averages at the start)"
    )
