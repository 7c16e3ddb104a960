"""Where the fault suite finds the code and the demo catalog, and the environment of a shopguide process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = ROOT / "knowledge" / "data" / "demo"
# A real process start (imports, encoder, Chroma) takes ~3-5 s here; a loaded CI box gets more slack.
COMMAND_TIMEOUT_S = 120.0


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPGUIDE_")}
    env.update(
        SHOPGUIDE_DATA_DIR=str(data_dir),
        SHOPGUIDE_LLM_BACKEND="none",
        SHOPGUIDE_EMBED_THREADS="1",
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    return env


@dataclass(frozen=True)
class Seed:
    data_dir: Path
    catalog: Path  # the first release's files
    catalog2: Path  # the live release's files (prices changed)
    update_file: Path  # the live update applied on top
    products: int
