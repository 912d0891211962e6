"""Top frames of a py-spy profile (``--format raw``, as ``bench/ingest.py --profile`` writes).

Prints the functions holding the most samples, by self time (the frame on top of the stack)
and by total time (anywhere on the stack), as a share of the process's busy samples, so that
a profile can be summarised in ``docs/benchmarks.md``::

    .venv/bin/python bench/flame_top.py /tmp/prof/api.txt --top 15
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

#: ``function (path/to/file.py:123)``: the line number is dropped to group a function.
_FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^():]+)(?::\d+)?\)$")


def _function(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match['name']} ({path})"


def parse(lines: Iterator[str]) -> tuple[Counter[str], Counter[str], int]:
    """Self and total samples per function, and the number of samples."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        # py-spy puts the process and thread first; the rest are Python frames, root first.
        frames = [_function(f) for f in stack.split(";") if "(" in f and ".py" in f]
        if not frames:
            continue
        n = int(count)
        samples += n
        own[frames[-1]] += n
        for name in set(frames):
            total[name] += n
    return own, total, samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", type=Path, help="py-spy raw output (collapsed stacks)")
    parser.add_argument("--top", type=int, default=15, help="functions to list (default 15)")
    parser.add_argument(
        "--match", default="", help="only list functions whose name or file contains this"
    )
    args = parser.parse_args(argv)
    with args.profile.open() as lines:
        own, total, samples = parse(lines)
    if not samples:
        print(f"{args.profile}: no samples", file=sys.stderr)
        return 1
    print(f"{args.profile}: {samples} samples")
    for title, counter in (("self", own), ("total", total)):
        print(f"\n{title:>6}  function")
        shown = (kv for kv in counter.most_common() if args.match in kv[0])
        for _, (name, n) in zip(range(args.top), shown, strict=False):
            print(f"{100 * n / samples:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
