"""`python -m bench [NAME]`: run one benchmark or all of them, each in its own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    names = sys.argv[1:] or sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))
    failed = 0
    for name in names:
        code = subprocess.call([sys.executable, "-m", f"bench.{name}"])  # noqa: S603
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
