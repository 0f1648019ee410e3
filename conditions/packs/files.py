"""Read a folder of content files, checking each against its schema (conditions.packs.schema).

    folder/
      pack.toml            review metadata every item shares unless its own file says otherwise
      references.toml      every source once, by key
      signs.toml           shared warning signs (optional)
      articles/<slug>.md   Markdown with TOML front matter between +++ lines
      comparisons/<condition>.toml
      questionnaires/<slug>.toml
      search-help.toml, kiosk.toml (optional)
      translations/        not read here (translated texts have their own loader)

Every problem is reported as `file: line N` or `file: key.path: problem`, and all problems of a
folder are collected before anything is loaded, so one run lists everything to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from conditions.packs import schema

FRONT = re.compile(r"\A\+\+\+\n(.*?)\n\+\+\+\n", re.S)
HEADING = re.compile(r"^## (.+)$", re.M)
CITE = re.compile(r"\[\[([a-z0-9_, ]+)\]\]")


class ContentFileError(ValueError):
    """One or more files are not valid content; str() lists every problem, one a line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Content:
    folder: Path
    pack: schema.Pack = field(default_factory=schema.Pack)
    references: dict[str, schema.Source] = field(default_factory=dict)
    signs: schema.Signs | None = None
    articles: list[schema.Article] = field(default_factory=list)
    comparisons: list[schema.Comparison] = field(default_factory=list)
    questionnaires: list[schema.QuestionnaireFile] = field(default_factory=list)
    search_help: schema.SearchHelp | None = None
    kiosk: schema.Kiosk | None = None
    paths: dict[int, Path] = field(default_factory=dict)  # id(item) -> the file it came from

    def next_review_due(self, item):
        return item.review.next_review_due or self.pack.review.next_review_due


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_of(text: str, loc: tuple, offset: int = 0) -> str:
    """' (line N)' for the first key of loc found in the text, when it can be found."""
    for part in reversed(loc):
        if isinstance(part, str):
            match = re.search(rf"^\s*{re.escape(part)}\s*=", text, re.M)
            if match:
                return f" (line {text.count(chr(10), 0, match.start()) + 1 + offset})"
    return ""


def _validate(model: type[BaseModel], data: dict, path: Path, text: str, problems, offset=0):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key (not in the schema; a typo?)"
            elif error["type"] == "missing":
                message = "missing (required)"
            problems.append(
                f"{path}: {_where(error['loc'])}{_line_of(text, error['loc'], offset)}: {message}"
            )
        return None


def _toml(path: Path, problems: list[str]) -> tuple[dict | None, str]:
    text = path.read_text(encoding="utf-8")
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: not valid TOML: {exc}")
        return None, text


def parse_article(path: Path, problems: list[str]) -> schema.Article | None:
    text = path.read_text(encoding="utf-8")
    match = FRONT.match(text)
    if not match:
        problems.append(
            f"{path}: line 1: the file must start with TOML front matter between +++ lines"
        )
        return None
    try:
        data = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: front matter is not valid TOML: {exc}")
        return None
    body = text[match.end() :]
    pieces = HEADING.split(body)
    data["summary"] = pieces[0].strip()
    data["sections"] = [
        {"heading": heading.strip(), "body": section.strip()}
        for heading, section in zip(pieces[1::2], pieces[2::2], strict=True)
    ]
    return _validate(schema.Article, data, path, match.group(1), problems, offset=1)


def _check_keys(path: Path, where: str, keys, known: dict, problems: list[str]) -> None:
    for key in keys:
        if key not in known:
            problems.append(
                f"{path}: {where}: unknown reference key {key!r} (not in references.toml)"
            )


def _texts(item: BaseModel):
    """Every string in an item, for its [[key]] citations."""
    for value in item.model_dump().values():
        yield from _strings(value)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def read(folder: str | Path) -> Content:
    """Every content file in the folder, validated; raises ContentFileError listing problems."""
    folder = Path(folder)
    problems: list[str] = []
    content = Content(folder)
    if not folder.is_dir():
        raise ContentFileError([f"{folder}: no such folder"])

    for name, attr, model in [
        ("pack.toml", "pack", schema.Pack),
        ("signs.toml", "signs", schema.Signs),
        ("search-help.toml", "search_help", schema.SearchHelp),
        ("kiosk.toml", "kiosk", schema.Kiosk),
    ]:
        path = folder / name
        if path.exists():
            data, text = _toml(path, problems)
            if data is not None:
                value = _validate(model, data, path, text, problems)
                if value is not None:
                    setattr(content, attr, value)
                    content.paths[id(value)] = path

    bib_path = folder / "references.toml"
    if bib_path.exists():
        data, text = _toml(bib_path, problems)
        for key, entry in (data or {}).items():
            if not isinstance(entry, dict):
                problems.append(f"{bib_path}: {key}: a source is a table of title, publisher, url")
                continue
            source = _validate(schema.Source, entry, bib_path, text, problems)
            if source is not None:
                content.references[key] = source

    for path in sorted((folder / "articles").glob("*.md")):
        article = parse_article(path, problems)
        if article is None:
            continue
        if path.stem != article.slug:
            problems.append(f"{path}: slug: {article.slug!r} differs from the file name")
        _check_keys(path, "references", article.references, content.references, problems)
        for text in _texts(article):
            for match in CITE.finditer(text):
                for key in match.group(1).split(","):
                    if key.strip() not in article.references:
                        problems.append(
                            f"{path}: citation [[{match.group(1)}]]: {key.strip()!r} is not "
                            "in this article's references"
                        )
        for n, advice in enumerate(article.care_advice):
            if advice.from_signs and content.signs is None:
                problems.append(f"{path}: care_advice[{n}].from_signs: there is no signs.toml")
        content.articles.append(article)
        content.paths[id(article)] = path
    content.articles.sort(key=lambda a: (a.order, a.slug))

    for kind, model, target in [
        ("comparisons", schema.Comparison, content.comparisons),
        ("questionnaires", schema.QuestionnaireFile, content.questionnaires),
    ]:
        for path in sorted((folder / kind).glob("*.toml")):
            data, text = _toml(path, problems)
            if data is None:
                continue
            item = _validate(model, data, path, text, problems)
            if item is None:
                continue
            if isinstance(item, schema.Comparison):
                _check_keys(path, "references", item.references, content.references, problems)
            target.append(item)
            content.paths[id(item)] = path
    if problems:
        raise ContentFileError(problems)
    return content
