"""Start and stop real SPARQL servers on 127.0.0.1 for the remote-store tests.

``oxigraph serve`` comes from PyPI (``pip install oxigraph``); Virtuoso from
Debian (``apt-get install -y virtuoso-opensource``). A missing program is a
test failure with the install line, never a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

OXIGRAPH_PIP = "pip install oxigraph"
VIRTUOSO_APT = "apt-get install -y virtuoso-opensource"


def free_port() -> int:
    """A TCP port nobody listens on right now (on 127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_program(name: str) -> str | None:
    """``name`` on PATH or in this interpreter's scripts folder (a venv's bin/)."""
    found = shutil.which(name)
    if found:
        return found
    candidate = Path(sysconfig.get_path("scripts")) / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.is_file() else None


def _answers(url: str, data: bytes | None = None, timeout: float = 2.0) -> bool:
    try:
        req = urllib.request.Request(url, data=data, headers={
            "Accept": "application/sparql-results+json",
            **({"Content-Type": "application/x-www-form-urlencoded"} if data else {})})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Server:
    """A child process serving SPARQL on 127.0.0.1:port; stop() ends it (by its own pid only)."""

    name = "server"

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = self.workdir / f"{self.name}.log"
        self.startup_seconds = 0.0

    def command(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def ready(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def start(self, wait: float = 60.0) -> Server:
        t0 = time.monotonic()
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(self.command(), cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        while time.monotonic() - t0 < wait:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode}: {self.tail()}")
            if self.ready():
                self.startup_seconds = time.monotonic() - t0
                self.after_start()
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {wait:.0f} s: {self.tail()}")

    def after_start(self) -> None:
        pass

    def tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-5:])
        except OSError:
            return ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class OxigraphServer(Server):
    """``oxigraph serve --location DIR --bind 127.0.0.1:PORT``; ``store`` is its kg address."""

    name = "oxigraph"

    def __init__(self, workdir: Path):
        super().__init__(workdir)
        self.binary = find_program("oxigraph")
        if self.binary is None:
            pytest.fail(f"the oxigraph server binary is missing: {OXIGRAPH_PIP}", pytrace=False)

    def command(self) -> list[str]:
        return [self.binary, "serve", "--location", str(self.workdir / "db"), "--bind", f"127.0.0.1:{self.port}"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store(self) -> str:
        return f"sparql+http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        return _answers(f"{self.url}/query", urllib.parse.urlencode({"query": "ASK {}"}).encode())

    def clear(self) -> None:
        """Remove every quad (a fresh dataset for the next test)."""
        req = urllib.request.Request(f"{self.url}/store", method="DELETE")
        with urllib.request.urlopen(req, timeout=30):
            pass


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


class VirtuosoServer(Server):
    """Virtuoso Open Source 7 (Debian's ``virtuoso-t``) in a scratch folder, SPARQL updates allowed."""

    name = "virtuoso"

    def __init__(self, workdir: Path):
        super().__init__(workdir)
        self.sql_port = free_port()
        self.binary = find_program("virtuoso-t")
        self.isql = find_program("isql-vt")
        if self.binary is None or self.isql is None:
            pytest.fail(f"Virtuoso is missing (virtuoso-t, isql-vt): {VIRTUOSO_APT}", pytrace=False)
        (self.workdir / "virtuoso.ini").write_text(
            VIRTUOSO_INI.format(d=self.workdir, sql_port=self.sql_port, http_port=self.port))

    def command(self) -> list[str]:
        return [self.binary, "-f", "-c", str(self.workdir / "virtuoso.ini")]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    @property
    def store(self) -> str:
        return (f"sparql+http://127.0.0.1:{self.port}/sparql?union=native"
                f"&scope={urllib.parse.quote('https://w3id.org/kg/id/graph/', safe='')}")

    def ready(self) -> bool:
        return _answers(self.url + "?" + urllib.parse.urlencode({"query": "ASK {}"}))

    def after_start(self) -> None:
        # A fresh database's dba password is "dba"; let the anonymous SPARQL user write.
        subprocess.run([self.isql, f"127.0.0.1:{self.sql_port}", "dba", "dba",
                        'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                       check=True, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)

    def stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None and self.isql:
            # A clean shutdown (checkpoint) is quicker than waiting on SIGTERM.
            subprocess.run([self.isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", "exec=shutdown;"],
                           capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        super().stop()
