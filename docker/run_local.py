"""The docker/compose.yaml topology as plain processes on one machine (no container engine): bot replicas,
a model tier and an nginx reverse proxy in front of them, using the Postgres and Redis you point it at.

    SHOPGUIDE_DATABASE_URL=postgresql://... SHOPGUIDE_REDIS_URL=redis://... \\
        python docker/run_local.py --telegram 2 --slack 0 --llm 1

Ctrl-C stops everything it started. Each bot replica serves /healthz, /readyz and /metrics on 9100 + n.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TELEGRAM_BASE_PORT = 8443
SLACK_BASE_PORT = 3000
LLM_BASE_PORT = 8088
METRICS_BASE_PORT = 9100


def render_nginx(listen: int, telegram: int, slack: int, llm: int, llm_url: str) -> str:
    """The proxy template with loopback upstreams; an empty group gets a closed port (nginx needs one)."""

    def servers(count: int, base: int) -> str:
        return " ".join(f"server 127.0.0.1:{base + n};" for n in range(count)) or "server 127.0.0.1:9;"

    llm_servers = servers(llm, LLM_BASE_PORT) if llm else f"server {llm_url.split('//', 1)[1].split('/', 1)[0]};"
    return (
        (HERE / "nginx.conf")
        .read_text("utf-8")
        .replace("@TELEGRAM_UPSTREAMS@", servers(telegram, TELEGRAM_BASE_PORT))
        .replace("@SLACK_UPSTREAMS@", servers(slack, SLACK_BASE_PORT))
        .replace("@LLM_UPSTREAMS@", llm_servers)
        .replace("@LISTEN@", f"127.0.0.1:{listen}")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--telegram", type=int, default=2, help="Telegram webhook replicas")
    parser.add_argument("--slack", type=int, default=0, help="Slack HTTP-mode replicas")
    parser.add_argument("--llm", type=int, default=1, help="`shopguide serve llm` instances (0: use --llm-url)")
    parser.add_argument("--llm-url", default="http://127.0.0.1:8088/v1", help="an existing OpenAI-compatible server")
    parser.add_argument("--proxy-port", type=int, default=8080)
    parser.add_argument("--check", action="store_true", help="render and test the proxy config, start nothing")
    args = parser.parse_args()

    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        print("error: nginx not found; install it (Debian: apt-get install nginx-light)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="shopguide-proxy-"))
    conf = workdir / "nginx.conf"
    conf.write_text(render_nginx(args.proxy_port, args.telegram, args.slack, args.llm, args.llm_url), "utf-8")
    nginx_cmd = [nginx, "-c", str(conf), "-p", str(workdir), "-e", str(workdir / "error.log")]
    (workdir / "logs").mkdir()
    test = subprocess.run(
        [*nginx_cmd, "-t", "-g", f"pid {workdir}/nginx.pid;"], check=False, capture_output=True, text=True
    )
    if test.returncode != 0:
        print(test.stderr, file=sys.stderr)
        return 2
    if args.check:
        print(f"proxy config ok: {conf}")
        return 0
    if (args.telegram or args.slack) and not (
        os.environ.get("SHOPGUIDE_DATABASE_URL") and os.environ.get("SHOPGUIDE_REDIS_URL")
    ):
        print("error: replicas share state: set SHOPGUIDE_DATABASE_URL and SHOPGUIDE_REDIS_URL", file=sys.stderr)
        return 2

    proxy_url = f"http://127.0.0.1:{args.proxy_port}"
    shared = {
        **os.environ,
        "SHOPGUIDE_LLM_BACKEND": "openai",
        "SHOPGUIDE_OPENAI_BASE_URL": f"{proxy_url}/v1",
        "SHOPGUIDE_LOG_FORMAT": os.environ.get("SHOPGUIDE_LOG_FORMAT", "json"),
        "SHOPGUIDE_LOG_STREAM": "stdout",
    }
    children: list[subprocess.Popen[bytes]] = []
    try:
        for n in range(args.llm):
            children.append(subprocess.Popen(["shopguide", "serve", "llm", "--port", str(LLM_BASE_PORT + n)]))
        children.append(subprocess.Popen([*nginx_cmd, "-g", f"daemon off; pid {workdir}/nginx.pid;"]))
        metrics = METRICS_BASE_PORT
        for n in range(args.telegram):
            env = {**shared, "SHOPGUIDE_METRICS_PORT": str(metrics)}
            port = str(TELEGRAM_BASE_PORT + n)
            children.append(subprocess.Popen(["shopguide", "serve", "telegram", "--port", port], env=env))
            metrics += 1
        for n in range(args.slack):
            env = {**shared, "SHOPGUIDE_METRICS_PORT": str(metrics)}
            port = str(SLACK_BASE_PORT + n)
            children.append(subprocess.Popen(["shopguide", "serve", "slack", "--http", "--port", port], env=env))
            metrics += 1
        print(f"proxy on {proxy_url}; metrics on ports {METRICS_BASE_PORT}-{metrics - 1}; Ctrl-C stops")
        while all(child.poll() is None for child in children):
            time.sleep(1)
        print("a process exited; stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    sys.exit(main())
