"""``flaws samples``: build the sample cache, export samples, import user samples.

    flaws samples build [--source ID ...]                 # fill data/interim/samples/
    flaws samples summary                                  # one line per sample set, MBPP ids outside MBPP+
    flaws samples export --source ID --out samples.jsonl [--model M] [--prompt-style S] [--evalplus-only]
    flaws samples export --all --out samples.jsonl
    flaws samples import PATH --out samples.jsonl [--model M] [--prompt-style S] [--temperature T]
                         [--format auto|jsonl|dir|eval-results]
"""

from __future__ import annotations

import argparse
import math
import sys


def _parser() -> argparse.ArgumentParser:
    from . import MIRRORED_SOURCES
    from .evalplus_formats import FORMATS

    p = argparse.ArgumentParser(prog="flaws samples", description="Collect, export and import LLM samples.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="read and sanitize mirrored sources into the cache")
    b.add_argument("--source", action="append", choices=MIRRORED_SOURCES,
                   help="source id (repeatable; default: all mirrored sources)")

    sub.add_parser("summary", help="print one line per sample set (every mirrored source), the MBPP ids "
                                   "outside MBPP+ and the function-name table")

    e = sub.add_parser("export", help="write samples as EvalPlus jsonl ({task_id, solution, ...})")
    which = e.add_mutually_exclusive_group(required=True)
    which.add_argument("--source", choices=MIRRORED_SOURCES)
    which.add_argument("--all", action="store_true", help="every mirrored sample set")
    e.add_argument("--model", help="only this model (readable name, e.g. 'Llama 3 8B')")
    e.add_argument("--prompt-style", help="only this prompt style (base, instruction, rule)")
    e.add_argument("--out", required=True, help="output .jsonl (or .jsonl.gz)")
    e.add_argument("--evalplus-only", action="store_true", help="write only task_id and solution")

    i = sub.add_parser("import", help="read user samples in an EvalPlus layout and write canonical jsonl")
    i.add_argument("path", help="samples.jsonl, <model>/<Task_id>/<i>.py directory, or eval_results.json dir")
    i.add_argument("--out", required=True, help="output .jsonl (or .jsonl.gz)")
    i.add_argument("--model", help="model name (default: from the file or directory name)")
    i.add_argument("--prompt-style", default="base")
    i.add_argument("--temperature", type=float, default=math.nan)
    i.add_argument("--format", default="auto", choices=FORMATS)
    return p


def main(argv: list[str] | None = None) -> int:
    from . import MIRRORED_SOURCES, export, load, load_all, load_path, name_mismatches, set_table, unmapped_table

    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            for source in args.source or MIRRORED_SOURCES:
                df = load(source)
                print(f"{source}: {len(df)} samples")
            return 0
        if args.command == "summary":
            table = set_table(load_all(MIRRORED_SOURCES))
            print(table.to_string(index=False))
            print(f"{len(table)} sets, {int(table['total'].sum())} samples")
            outside = unmapped_table()
            print(f"\nrows naming a task outside the benchmark (not judged): {int(outside['outside'].sum())}")
            print(outside.drop(columns="task ids").to_string(index=False))
            names = name_mismatches()
            print(f"\nprompt asked for another function name than MBPP+: {len(names)} samples")
            print(names.groupby(["task_id", "asked", "entry_point", "resolution"], sort=False).size()
                  .rename("samples").reset_index().to_string(index=False))
            return 0
        if args.command == "export":
            df = load_all(MIRRORED_SOURCES) if args.all else load(args.source)
            if args.model:
                df = df[df["model"] == args.model]
            if args.prompt_style:
                df = df[df["prompt_style"] == args.prompt_style]
            if df.empty:
                print("error: no samples match the selection", file=sys.stderr)
                return 2
            out = export(df, args.out, evalplus_only=args.evalplus_only)
            print(f"wrote {len(df)} samples to {out}")
            return 0
        if args.command == "import":
            df = load_path(args.path, model=args.model, prompt_style=args.prompt_style,
                           temperature=args.temperature, fmt=args.format)
            out = export(df, args.out)
            sets = df.groupby(["model", "prompt_style"]).size()
            for (model, style), n in sets.items():
                print(f"{model} [{style}]: {n} samples")
            print(f"wrote {len(df)} samples to {out}")
            return 0
    except (ValueError, KeyError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 1  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
