"""The ``flaws`` command: ``flaws fetch``, and subcommands provided by the stage modules."""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module whose main(argv) handles it, one-line help)
SUBCOMMANDS = {
    "samples": ("flaws.samples.cli", "import, inspect and export LLM samples (EvalPlus format)"),
    "generate": ("flaws.generate", "draw samples from an OpenAI-compatible chat endpoint"),
    "evaluate": ("flaws.execute.cli", "run samples against base and plus tests in the sandbox"),
    "report": ("flaws.report", "accuracy, resampling ceiling and optimal K for an eval_results.json"),
    "outputs": ("flaws.outputs", "the manifest of the committed outputs; fetch them outside a checkout"),
}


def _fetch(argv: list[str]) -> int:
    from . import data, sources

    p = argparse.ArgumentParser(
        prog="flaws fetch",
        description="Fetch and verify raw inputs into data/raw/ (from $FLAWS_MIRROR when set, else the canonical URLs).",
    )
    p.add_argument("source_ids", nargs="*", metavar="SOURCE_ID", help="sources to fetch (default: all)")
    p.add_argument("--list", action="store_true", help="list the registered sources and exit")
    args = p.parse_args(argv)
    if args.list:
        for s in sources.registry():
            print(f"{s['id']:<24} {s['kind']:<10} {len(s['file']):>4} files  {s['description']}")
        return 0
    try:
        for sid in args.source_ids:
            sources.source(sid)
        counts = data.fetch(args.source_ids or None)
    except (data.FetchError, KeyError) as e:
        print(f"flaws fetch: error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 1
    for sid, n in counts.items():
        print(f"{sid}: {n} file(s) verified in {data.relpath(data.raw_dir() / sid)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    usage = "flaws {fetch," + ",".join(SUBCOMMANDS) + "} ..."
    if not argv or argv[0] in ("-h", "--help"):
        print(f"usage: {usage}\n\nInference Scaling fLaws: reproduce and apply the analysis.\n")
        print(f"  {'fetch':<10} fetch and verify the raw inputs registered in data/sources.toml")
        for name, (_, help_) in SUBCOMMANDS.items():
            print(f"  {name:<10} {help_}")
        return 0 if argv else 2
    if argv[0] in ("-V", "--version"):
        from . import __version__

        print(f"flaws {__version__}")
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "fetch":
        return _fetch(rest)
    if cmd not in SUBCOMMANDS:
        print(f"usage: {usage}\nflaws: error: unknown command {cmd!r}", file=sys.stderr)
        return 2
    module = importlib.import_module(SUBCOMMANDS[cmd][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
