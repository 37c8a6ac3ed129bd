"""Run every ``bench_*.py`` script of this folder, one after the other, and echo their output.

    python benchmarks/run_all.py             # the quick sizes
    python benchmarks/run_all.py --size all  # also the large sizes (minutes)
    python benchmarks/run_all.py overlay     # only scripts whose name contains "overlay"

``--size`` is passed to the scripts as the environment variable ``KAWASAN_BENCH_SIZE``
(``S``, ``L`` or ``all``); scripts that have no sizes ignore it. Other options (such as
``--quick``) are passed on to every script. The exit status is non-zero when a script failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import load, machine  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only scripts whose name contains one of these words")
    parser.add_argument("--size", default=os.environ.get("KAWASAN_BENCH_SIZE", "S"), help="S, L or all")
    args, extra = parser.parse_known_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if any(word in s.stem for word in args.only)]
    env = dict(os.environ, KAWASAN_BENCH_SIZE=args.size)
    print(f"machine: {machine()}; {load()}", flush=True)
    failed = []
    for script in scripts:
        print(f"\n# {script.name} (size {args.size})", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(script), *extra], env=env, cwd=HERE.parent, check=False)
        print(f"({script.name}: {time.perf_counter() - start:.0f} s, exit {result.returncode}; {load()})", flush=True)
        if result.returncode:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
