"""Processes for bench_scale: a private Postgres and Redis (so restarting them disturbs no one else's), and
shopguide Telegram replicas in webhook mode, each a real ``shopguide serve telegram`` process."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

# Postgres refuses to run as root; the Debian package's system user runs the private cluster.
POSTGRES_USER = "postgres"
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, within: float = START_TIMEOUT_S, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {within:.0f} s")


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", POSTGRES_USER, "--", *args] if os.geteuid() == 0 else args


class PrivatePostgres:
    """A throwaway cluster from the Debian binaries on its own port and directory."""

    def __init__(self, root: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
        if not found:
            raise RuntimeError("no PostgreSQL server binaries (Debian: apt-get install postgresql)")
        self.bin = Path(found[-1]).parent
        self.dir = root / "pg"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(root, POSTGRES_USER)
            shutil.chown(self.dir, POSTGRES_USER)
        subprocess.run(
            _as_postgres([str(self.bin / "initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres"]),
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        # synchronous_commit=off: a commit returns before its WAL is flushed; a clean restart loses nothing.
        args = [str(self.bin / "postgres"), "-D", str(self.dir), "-p", str(self.port), "-k", str(self.dir)]
        args += ["-c", "listen_addresses=127.0.0.1", "-c", "synchronous_commit=off", "-c", "max_connections=200"]
        log = (self.dir / "server.log").open("ab")
        self.proc = subprocess.Popen(_as_postgres(args), stdout=log, stderr=log)
        wait_port(self.port, proc=self.proc)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        # runuser does not pass signals on: signal the postmaster (its pid heads postmaster.pid).
        pid_file = self.dir / "postmaster.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)  # fast shutdown: connections are cut
        else:
            self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)

    def restart(self) -> float:
        started = time.monotonic()
        self.stop()
        self.start()
        return time.monotonic() - started


class PrivateRedis:
    """redis-server on its own port with an append-only file, so a restart keeps the queues and leases."""

    def __init__(self, root: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("no redis-server (Debian: apt-get install redis-server)")
        self.binary = binary
        self.dir = root / "redis"
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)]
        args += ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"]
        log = (self.dir / "server.log").open("ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=log)
        wait_port(self.port, proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def restart(self) -> float:
        started = time.monotonic()
        self.stop()
        self.start()
        return time.monotonic() - started


class Replica:
    """One ``shopguide serve telegram`` process in webhook mode; its log goes to a file."""

    def __init__(self, index: int, root: Path, env: dict[str, str]) -> None:
        self.index = index
        self.port = free_port()
        self.env = {**env, "SHOPGUIDE_METRICS_PORT": str(free_port())}
        self.log_path = root / f"replica-{index}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts: list[float] = []

    def start(self) -> None:
        args = [sys.executable, "-m", "bots.cli", "serve", "telegram", "--webhook-url"]
        # The public URL is only registered with the fake Bot API; the bench posts to the local port.
        args += ["https://bench.example/tg", "--url-path", "tg", "--listen", "127.0.0.1", "--port", str(self.port)]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(args, env=self.env, stdout=log, stderr=log)

    def wait_ready(self, within: float = START_TIMEOUT_S * 2) -> float:
        started = time.monotonic()
        wait_port(self.port, within=within, proc=self.proc)
        self.starts.append(time.monotonic() - started)
        return self.starts[-1]

    def kill(self) -> None:
        """SIGKILL: no handler runs, no lease is released, the turns in flight stop where they are."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
