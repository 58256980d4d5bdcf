"""Static checks of the book: table of contents, configuration, citations, metadata.

Fast, need no build and no notebook execution. The browser check of the built HTML is in
test_book_browser.py.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

import flaws
from flaws.bookcheck import toc_pages

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"
PAPER_DOI = "10.48550/arXiv.2411.17501"

# The stage notebooks, in reading order (issue 6). Only those that exist must be in the toc.
STAGES = [
    "01_collect_samples",
    "02_measure_false_positives",
    "03_ceiling_and_correlation",
    "04_scaling_curves",
    "05_two_type_model",
    "06_code_quality",
    "07_external_validity",
    "08_verifier_strength",
    "09_mbpp_plus",
]
# Works the book must cite (issue 6): key in book/references.bib.
REQUIRED_REFERENCES = {
    "the paper": "stroebl2024flaws",
    "EvalPlus": "liu2023evalplus",
    "HumanEval": "chen2021codex",
    "MBPP": "austin2021mbpp",
    "CodeT": "chen2023codet",
    "MultiPL-E": "cassano2023multiple",
    "CodeBERTScore": "zhou2023codebertscore",
    "Large Language Monkeys": "brown2024monkeys",
    "Llama 3": "dubey2024llama3",
    "Qwen2.5-Coder": "hui2024qwen25coder",
    "Mistral NeMo": "mistral2024nemo",
    "Code Llama": "roziere2023codellama",
    "GPT-4": "openai2023gpt4",
    "CodeGen": "nijkamp2023codegen",
}
# Every source of data/sources.toml must be cited: source id -> bib keys.
SOURCE_REFERENCES = {
    "humanevalplus-v0.1.10": ["liu2023evalplus", "chen2021codex"],
    "mbppplus-2023-11": ["liu2023evalplus", "austin2021mbpp"],
    "codet-codegen16b": ["chen2023codet", "nijkamp2023codegen"],
    "multipl-e-davinci-keep": ["cassano2023multiple", "zhou2023codebertscore"],
    "mvce-ollama": ["cho2025mvce"],
    "humaneval-results-md": ["murdza2023humanevalresults"],
    "evalplus-leaderboard": ["evalplus2024leaderboard"],
    "codet-codegen16b-tests": ["chen2023codet", "nijkamp2023codegen"],
    "agentcoder-gpt35": ["huang2023agentcoder"],
    "reflexion-gpt4-tests": ["shinn2023reflexion"],
    "reflexion-gpt4-mbpp": ["shinn2023reflexion", "cassano2023multiple"],
    "paircoder-outputs": ["zhang2024paircoder"],
    "wizardcoder-greedy": ["luo2023wizardcoder"],
    "llmdebugger-seeds": ["zhong2024ldb"],
    "mgdebugger-seeds": ["shi2024mgdebugger"],
    "evalplus-chatgpt-mbpp": ["liu2023evalplus"],
}

CITE_RE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
DOC_RE = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
GLUE_RE = re.compile(r"\{glue(?::[a-z]+)?\}`([^`]+)`")
BIB_ENTRY_RE = re.compile(r"^@([A-Za-z]+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)


def load_yaml(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def book_sources() -> dict[Path, str]:
    """Text of every page: MyST files in book/ and Markdown cells of the notebooks."""
    texts = {p: p.read_text(encoding="utf-8") for p in sorted(BOOK.glob("*.md"))}
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        texts[nb] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return texts


def bib_keys() -> dict[str, str]:
    text = (BOOK / "references.bib").read_text(encoding="utf-8")
    entries = BIB_ENTRY_RE.findall(text)
    keys = [k for _, k in entries]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"book/references.bib: duplicate keys {duplicates}"
    return {k: t.lower() for t, k in entries}


def cited_keys() -> dict[str, set[Path]]:
    cited: dict[str, set[Path]] = {}
    for path, text in book_sources().items():
        for group in CITE_RE.findall(text):
            for key in group.split(","):
                cited.setdefault(key.strip(), set()).add(path)
    return cited


# ------------------------------------------------------------------------ table of contents


def test_toc_files_exist():
    missing = [
        page
        for page in toc_pages(ROOT / "_toc.yml")
        if not any((ROOT / f"{page}{suffix}").is_file() for suffix in (".md", ".ipynb"))
    ]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"


def test_every_page_is_in_the_toc():
    listed = set(toc_pages(ROOT / "_toc.yml"))
    pages = [f"book/{p.stem}" for p in BOOK.glob("*.md")]
    pages += [f"notebooks/{p.stem}" for p in NOTEBOOKS.glob("*.ipynb")]
    missing = sorted(set(pages) - listed)
    assert not missing, f"pages missing from _toc.yml: {missing}"


def test_toc_order():
    pages = toc_pages(ROOT / "_toc.yml")
    assert pages[0] == "book/intro", "the landing page must be the root of the toc"
    stages = [p.removeprefix("notebooks/") for p in pages if p.startswith("notebooks/")]
    assert stages == [s for s in STAGES if s in stages], f"stage notebooks out of order: {stages}"
    unknown = sorted(set(stages) - set(STAGES))
    assert not unknown, f"notebooks that are not stages of the pipeline: {unknown}"
    # Chapters the issue asks for, in this order.
    expected = [
        "book/intro", "book/claim", "book/setup", "book/provenance", "book/report",
        "book/own_model", "book/data_schema", "book/environment", "book/validation",
        "book/changelog", "book/cite",
    ]
    assert [p for p in pages if p in expected] == expected
    if stages:
        assert pages.index("book/setup") < pages.index(f"notebooks/{stages[0]}") < pages.index("book/report")


def test_doc_references_resolve():
    problems = []
    for path, text in book_sources().items():
        for target in DOC_RE.findall(text):
            base = ROOT if target.startswith("/") else path.parent
            resolved = (base / target.lstrip("/")).resolve()
            if not any(resolved.with_name(resolved.name + s).is_file() for s in (".md", ".ipynb")):
                problems.append(f"{path.relative_to(ROOT)}: {{doc}}`{target}` does not exist")
    assert not problems, "\n".join(problems)


def glued_keys(notebook: Path) -> tuple[set[str], list[re.Pattern]]:
    """Keys a notebook glues: from its committed outputs and its literal glue("key", ...) calls,
    plus patterns for f-string keys (glue(f"fit_{name}_slope", ...) -> fit_.+_slope)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    keys: set[str] = set()
    patterns: list[re.Pattern] = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                keys.add(name)
        source = "".join(cell["source"])
        keys.update(re.findall(r"glue\(\s*[\"']([^\"'{}]+)[\"']", source))
        for template in re.findall(r"glue\(\s*f[\"']([^\"']+)[\"']", source):
            parts = re.split(r"\{[^{}]*\}", template)
            patterns.append(re.compile(".+".join(re.escape(p) for p in parts)))
    return keys, patterns


def glues(notebook: Path, key: str) -> bool:
    keys, patterns = glued_keys(notebook)
    return key in keys or any(p.fullmatch(key) for p in patterns)


def test_glued_keys_reads_literals_and_fstrings(tmp_path):
    nb = tmp_path / "x.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": [], "source": [
        'glue("plain_key", 1)\n', 'glue(f"fit_{name}_slope", 2)\n']}]}), encoding="utf-8")
    assert glues(nb, "plain_key") and glues(nb, "fit_ours_slope")
    assert not glues(nb, "fit_ours_intercept") and not glues(nb, "other")


def test_glue_references_are_defined():
    """Every cross-document {glue} names a notebook in the toc that glues that key."""
    listed = set(toc_pages(ROOT / "_toc.yml"))
    problems = []
    for path, text in book_sources().items():
        for ref in GLUE_RE.findall(text):
            if "::" not in ref:
                continue  # same-document glue is checked by the build
            doc, key = ref.split("::", 1)
            key = key.split(":", 1)[0]
            nb = (ROOT / doc.lstrip("/")) if doc.startswith("/") else (path.parent / doc)
            nb = nb.resolve()
            where = path.relative_to(ROOT)
            if not nb.is_file():
                problems.append(f"{where}: glue source {doc} does not exist")
            elif nb.relative_to(ROOT).with_suffix("").as_posix() not in listed:
                problems.append(f"{where}: glue source {doc} is not in _toc.yml")
            elif not glues(nb, key):
                problems.append(f"{where}: {doc} never glues {key!r}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------ configuration


def test_config():
    config = load_yaml("_config.yml")
    execute = config["execute"]
    assert execute["execute_notebooks"] in ("cache", "force")
    assert isinstance(execute["timeout"], int) and execute["timeout"] > 0
    assert execute["allow_errors"] is False
    excluded = {p.rstrip("/*") for p in config["exclude_patterns"]}
    for name in ("src", "tests", "data", "benchmarks", ".venv", "_build", "README.md", ".github"):
        assert name in excluded, f"_config.yml: {name} is not excluded from the book"
    assert config.get("only_build_toc_files") is True
    assert config["bibtex_bibfiles"] == ["book/references.bib"]
    # Extra Sphinx extensions are installed with the book: each comes from a distribution that the
    # `book` extra of pyproject.toml requires and constraints.txt pins (nothing fetched at build time).
    book_extra = {re.split(r"[<>=!~ ;\[]", r, 1)[0].lower()
                  for r in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]["book"]}
    pins = {line.split("==")[0].lower() for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()}
    for extension in config["sphinx"].get("extra_extensions") or []:
        dists = importlib.metadata.packages_distributions().get(extension.split(".")[0], [])
        assert any(d.lower() in book_extra and d.lower() in pins for d in dists), \
            f"_config.yml: extension {extension} is not installed by the book extra (pyproject.toml, constraints.txt)"
    launch = config["launch_buttons"]
    assert launch["binderhub_url"].startswith("https://")
    assert launch["colab_url"].startswith("https://")
    assert config["repository"]["url"].startswith("https://github.com/")
    assert config["html"]["use_repository_button"] is True
    assert config["html"]["use_download_button"] is True


def test_version_is_the_same_everywhere():
    version = flaws.__version__
    cff = load_yaml("CITATION.cff")
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    config = load_yaml("_config.yml")
    assert str(cff["version"]) == version, "CITATION.cff version differs from flaws.__version__"
    assert zenodo["version"] == version, ".zenodo.json version differs from flaws.__version__"
    assert f"version {version}" in config["html"]["extra_footer"], "_config.yml footer shows another version"
    assert f"version = {{{version}}}" in (BOOK / "cite.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(version)}\b", (BOOK / "changelog.md").read_text(encoding="utf-8"), re.M)


def test_workflow_builds_and_deploys():
    workflow = load_yaml(".github/workflows/book.yml")
    steps = [s for job in workflow["jobs"].values() for s in job.get("steps", [])]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    for action in ("actions/checkout", "actions/setup-python", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses, f"book.yml does not use {action}"
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert str(python["with"]["python-version"]) == "3.11"
    assert any(s.get("run", "").strip() == "make book" for s in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"


# ------------------------------------------------------------------------ citations


def test_bibliography_has_the_required_works():
    keys = bib_keys()
    missing = {work: key for work, key in REQUIRED_REFERENCES.items() if key not in keys}
    assert not missing, f"book/references.bib lacks {missing}"


def test_every_source_is_cited():
    sources = tomllib.loads((ROOT / "data" / "sources.toml").read_text(encoding="utf-8"))["source"]
    ids = [s["id"] for s in sources]
    unmapped = sorted(set(ids) - set(SOURCE_REFERENCES))
    assert not unmapped, f"sources without a bibliography entry (add them here and to references.bib): {unmapped}"
    keys, cited = bib_keys(), cited_keys()
    for source_id in ids:
        for key in SOURCE_REFERENCES[source_id]:
            assert key in keys, f"{source_id}: {key} missing from book/references.bib"
            assert key in cited, f"{source_id}: {key} is never cited in the book"


def test_citations_resolve_and_every_entry_is_cited():
    keys, cited = bib_keys(), cited_keys()
    unknown = {k: sorted(str(p.relative_to(ROOT)) for p in v) for k, v in cited.items() if k not in keys}
    assert not unknown, f"cited but not in book/references.bib: {unknown}"
    uncited = sorted(set(keys) - set(cited))
    assert not uncited, f"entries of book/references.bib never cited: {uncited}"


PAPER_TITLE = "The Limits of Inference Scaling Through Resampling"  # v3, ICLR 2026
PAPER_FIRST_TITLE = "The Limits of {LLM} Resampling with Imperfect Verifiers"  # v1 (2024): "Inference Scaling fLaws: ..."


def paper_entry(text: str) -> str:
    match = re.search(r"@[a-z]+\{stroebl2024flaws,.*?\n\}\n", text, re.S)
    assert match, "no stroebl2024flaws entry"
    return match.group(0)


def test_paper_entry():
    entry = paper_entry((BOOK / "references.bib").read_text(encoding="utf-8"))
    for field in ("Stroebl", "Kapoor", "Narayanan", "2411.17501v3", PAPER_DOI, PAPER_TITLE, "ICLR", "2026"):
        assert field in entry
    assert PAPER_FIRST_TITLE in entry and "{fLaws}" in entry, "the earlier title is noted"


def test_the_paper_is_cited_in_its_current_version_everywhere():
    """v3 (ICLR 2026) on the title page, the cite page, README, CITATION.cff and .zenodo.json,
    with the first title noted; the claim chapter quotes v3's wording where it changed."""
    cite = (BOOK / "cite.md").read_text(encoding="utf-8")
    assert paper_entry(cite).replace(" ", "").replace("\n", "") == paper_entry(
        (BOOK / "references.bib").read_text(encoding="utf-8")
    ).replace(" ", "").replace("\n", ""), "cite.md shows book/references.bib's entry"
    readme_first = (ROOT / "README.md").read_text(encoding="utf-8").split("\n\n")[1]
    intro_first = (BOOK / "intro.md").read_text(encoding="utf-8").split("\n\n")[1]
    for where, text in {"README.md": readme_first, "book/intro.md": intro_first,
                        "_config.yml": load_yaml("_config.yml")["description"]}.items():
        flat = " ".join(text.split())
        assert PAPER_TITLE in flat and "2411.17501v3" in flat and "ICLR 2026" in flat, where
        assert "Inference Scaling fLaws: The Limits of LLM Resampling with Imperfect Verifiers" in flat, where
    paper = [r for r in load_yaml("CITATION.cff")["references"] if r.get("doi") == PAPER_DOI][0]
    assert paper["title"] == PAPER_TITLE and paper["year"] == 2026 and "ICLR 2026" in paper["collection-title"]
    assert "Inference Scaling fLaws" in paper["notes"]
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert PAPER_TITLE in zenodo["description"] and "2411.17501v3" in zenodo["description"]
    claim = " ".join((BOOK / "claim.md").read_text(encoding="utf-8").split())
    assert '"often fewer than 10"' in claim  # v3
    assert '"can be less than 10 under realistic assumptions"' in claim  # v1, named as such


def test_the_pdf_is_the_archived_form():
    assert "The archived form of this book is one PDF" in (BOOK / "cite.md").read_text(encoding="utf-8")
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert "archived form of the book is" in zenodo["description"] and "book.pdf" in zenodo["notes"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^pdf: .*\n\t.*--builder singlehtml.*\n\t.*-m flaws\.bookpdf", makefile, re.M)
    release = load_yaml(".github/workflows/release.yml")
    steps = [s for job in release["jobs"].values() for s in job.get("steps", [])]
    assert any(s.get("run", "").strip() == "make pdf" for s in steps)
    assert any("gh release upload" in s.get("run", "") and "_build/pdf/book.pdf" in s.get("run", "") for s in steps)


CFF_SCHEMA = ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json"


def cff_errors(cff: dict) -> list[str]:
    """Schema violations of a CITATION.cff, as `cffconvert --validate` finds them (CFF 1.2.0
    JSON schema, draft 7, with format checks). Dates are compared as ISO strings."""
    import jsonschema

    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    instance = json.loads(json.dumps(cff, default=str))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(instance))


def test_citation_cff_is_valid():
    cff = load_yaml("CITATION.cff")
    assert cff["cff-version"] == "1.2.0"
    errors = cff_errors(cff)
    assert not errors, "CITATION.cff is not valid CFF 1.2.0:\n" + "\n".join(errors)


@pytest.mark.parametrize("break_it", [
    lambda c: c.pop("authors"),
    lambda c: c.update(license="MIT-ish"),
    lambda c: c["references"][0].update(doi="not a doi"),
    lambda c: c.update(unknown_key=1),
])
def test_citation_cff_validation_can_fail(break_it):
    cff = load_yaml("CITATION.cff")
    break_it(cff)
    assert cff_errors(cff)


def test_citation_cff_references_the_paper():
    cff = load_yaml("CITATION.cff")
    paper = [r for r in cff["references"] if r.get("doi") == PAPER_DOI]
    assert len(paper) == 1, "CITATION.cff must list the reproduced paper under references"
    assert [a["family-names"] for a in paper[0]["authors"]] == ["Stroebl", "Kapoor", "Narayanan"]
    assert cff["license"] == ["MIT", "CC-BY-4.0"]


def test_zenodo_metadata():
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    for key in ("title", "description", "creators", "license", "upload_type", "version"):
        assert zenodo.get(key), f".zenodo.json: {key} missing"
    assert zenodo["upload_type"] == "software"
    assert any(r["identifier"] == PAPER_DOI for r in zenodo["related_identifiers"])
    cff = load_yaml("CITATION.cff")
    assert zenodo["title"] == " ".join(cff["title"].split())


def test_licenses():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "CC-BY-4.0" in (ROOT / "LICENSE-text").read_text(encoding="utf-8")


# ------------------------------------------------------------------------ data schema


def documented_columns(file: str = "outcomes.csv.gz") -> list[str]:
    text = (BOOK / "data_schema.md").read_text(encoding="utf-8")
    section = text.split(f"## `data/processed/{file}`", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_0-9]+)` \|", section, re.M)


def test_data_schema_lists_the_columns_the_code_writes():
    from flaws.execute.agreement import RERUN_COLUMNS, VERDICT_COLUMNS
    from flaws.metrics import OUTCOME_COLUMNS

    assert documented_columns() == list(OUTCOME_COLUMNS)
    assert documented_columns("evalplus_verdicts.csv.gz") == VERDICT_COLUMNS + RERUN_COLUMNS
    from flaws.execute.plus_failures import COLUMNS as PLUS_FAILURE_COLUMNS

    assert documented_columns("plus_failures.csv.gz") == PLUS_FAILURE_COLUMNS


def test_data_schema_matches_the_committed_outcomes():
    import gzip

    path = ROOT / "data" / "processed" / "outcomes.csv.gz"
    if not path.exists():
        pytest.skip("data/processed/outcomes.csv.gz not committed yet")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
    assert header == documented_columns()


# ------------------------------------------------------------------------ local Sphinx extension


def test_dedupe_scripts_extension_keeps_first_copy_of_inline_scripts():
    import importlib.util
    from types import SimpleNamespace

    config = load_yaml("_config.yml")
    folder = config["sphinx"]["local_extensions"]["dedupe_scripts"]
    spec = importlib.util.spec_from_file_location("dedupe_scripts", ROOT / folder / "dedupe_scripts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def script(filename, body=None):
        return SimpleNamespace(filename=filename, attributes={"body": body} if body else {})

    scripts = [script("a.js"), script(None, "const X = 1"), script("b.js"), script(None, "const X = 1"),
               script(None, "let y = 2"), script("a.js")]
    context = {"script_files": scripts}
    module.dedupe_inline_scripts(None, "page", "page.html", context, None)
    assert context["script_files"] == [scripts[0], scripts[1], scripts[2], scripts[4], scripts[5]]


#: what a machine's own path looks like in a committed output (a traceback, a warning)
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|tmp|root|home|usr|opt)/[^\s'\"]*?(?:site-packages|\.venv|\.ipynb|/src/flaws)")


def test_committed_notebook_outputs_show_no_machine_paths():
    """Outputs say paths relative to the project root: a warning or traceback that prints the
    machine's absolute path makes nbval fail in any other checkout."""
    found = []
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        for k, cell in enumerate(json.loads(nb.read_text())["cells"]):
            for out in cell.get("outputs", []):
                text = "".join(out.get("text", [])) + json.dumps(out.get("data", {}).get("text/plain", ""))
                found += [f"{nb.name} cell {k}: {m}" for m in MACHINE_PATH.findall(text)]
    assert not found, found


def test_machine_path_pattern():
    assert MACHINE_PATH.search("/tmp/fc/clone/.venv/lib/python3.11/site-packages/tqdm/auto.py:21: TqdmWarning")
    assert MACHINE_PATH.search("File /work/main/src/flaws/metrics.py, line 3")
    assert not MACHINE_PATH.search("data/processed/outcomes.csv.gz and notebooks/03.ipynb")
