"""``python -m kingress.install DIR``: (re)write the manifests of ``deploy/``."""

from __future__ import annotations

import sys
from pathlib import Path

from kingress.install.manifests import render


def main(argv: list[str]) -> int:
    """Write every rendered file into the directory given (default ``deploy``)."""
    target = Path(argv[0] if argv else "deploy")
    target.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (target / name).write_text(text, encoding="utf-8")
        print(target / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
