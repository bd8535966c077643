"""Check that the evaluation corpora agree with their manifests.

    python tests/corpora/check_manifests.py            # all four corpora
    python tests/corpora/check_manifests.py DIR ...    # only these corpus folders

For each corpus folder (disagree_dev, disagree_dev2, disagree_dev3, disagree_holdout) it
checks that:

- every .txt file is UTF-8, named `<story>-<outlet>.txt` in lower case, listed under its story,
  and between 120 and 350 words long; every listed file exists;
- every value of a conflict or an agreement occurs verbatim in each file it is listed under,
  and, where a sentence is given for that file, in that sentence;
- every sentence (of conflicts, agreements and hazards) is an exact substring of its file;
- every conflict has at least two different values, each file under one value only, and a
  sentence for every file it lists; files named in `same_wording` have sentences that are the
  same once their values are taken out; `hard`, where given, is true or false;
- an agreement's `story` may be a list of stories (like figures in unrelated stories); each of
  its files then belongs to one of them;
- the corpus has what the design asks for: conflicts of each kind, agreements of each type, a
  conflict in the same wording, a hazard, and a conflict between files in other languages.

It also checks that no two corpora have a story in common. Exit status 0 when everything
holds, 1 otherwise (each problem on one line on stderr).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = ("disagree_dev", "disagree_dev2", "disagree_dev3", "disagree_holdout")

KINDS = {"money", "count", "percent", "amount", "date", "year"}
AGREEMENT_TYPES = {"spelling", "qualified", "different_measures", "different_years"}
MIN_WORDS, MAX_WORDS = 120, 350
FILE_NAME = re.compile(r"^(?P<story>[a-z0-9]+)-(?P<outlet>[a-z0-9]+)\.txt$")


class Checker:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[str] = []
        self.texts: dict[str, str] = {}

    def fail(self, message: str) -> None:
        self.problems.append(f"{self.folder.name}: {message}")

    # -- files ------------------------------------------------------------------------------

    def read_files(self) -> None:
        for path in sorted(self.folder.iterdir()):
            if path.suffix != ".txt":
                continue
            if not FILE_NAME.match(path.name):
                self.fail(f"{path.name}: name is not <story>-<outlet>.txt in lower case")
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError as e:
                self.fail(f"{path.name}: not UTF-8 ({e})")
                continue
            words = len(text.split())
            if not MIN_WORDS <= words <= MAX_WORDS:
                self.fail(f"{path.name}: {words} words, expected {MIN_WORDS}-{MAX_WORDS}")
            self.texts[path.stem] = text

    # -- manifest ---------------------------------------------------------------------------

    def check(self) -> dict:
        self.read_files()
        try:
            manifest = json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            self.fail(f"manifest.json cannot be read: {e}")
            return {}
        story_of: dict[str, str] = {}
        for story, files in manifest.get("stories", {}).items():
            for name in files:
                file_id = name.removesuffix(".txt")
                if file_id not in self.texts:
                    self.fail(f"story {story!r}: {name} does not exist")
                if not name.startswith(story + "-"):
                    self.fail(f"story {story!r}: {name} does not start with '{story}-'")
                if file_id in story_of:
                    self.fail(f"{name} is listed under two stories")
                story_of[file_id] = story
        for file_id in self.texts:
            if file_id not in story_of:
                self.fail(f"{file_id}.txt is not listed under any story")
        for file_id in manifest.get("languages", {}):
            if file_id not in self.texts:
                self.fail(f"languages: {file_id} is not a file of the corpus")

        for n, item in enumerate(manifest.get("conflicts", []), 1):
            self.check_item(f"conflict {n} ({item.get('measure')!r})", item, story_of, True)
        for n, item in enumerate(manifest.get("agreements", []), 1):
            self.check_item(f"agreement {n} ({item.get('measure')!r})", item, story_of, False)
        for n, hazard in enumerate(manifest.get("hazards", []), 1):
            self.check_hazard(f"hazard {n}", hazard)
        self.check_design(manifest)
        return manifest

    def check_item(self, where: str, item: dict, story_of: dict[str, str], conflict: bool) -> None:
        story = item.get("story")
        stories = story if isinstance(story, list) and not conflict else [story]
        for name in stories:
            if not isinstance(name, str) or name not in set(story_of.values()):
                self.fail(f"{where}: unknown story {name!r}")
        if "hard" in item and not isinstance(item["hard"], bool):
            self.fail(f"{where}: 'hard' is {item['hard']!r}, not true or false")
        if not item.get("measure"):
            self.fail(f"{where}: no measure")
        if conflict and item.get("kind") not in KINDS:
            self.fail(f"{where}: kind {item.get('kind')!r} is not one of {sorted(KINDS)}")
        if not conflict:
            if item.get("type") not in AGREEMENT_TYPES:
                self.fail(f"{where}: type {item.get('type')!r} not in {sorted(AGREEMENT_TYPES)}")
            if not item.get("why"):
                self.fail(f"{where}: no 'why'")
        values: dict[str, list[str]] = item.get("values", {})
        sentences: dict[str, str] = item.get("sentences", {})
        if len(values) < 2:
            self.fail(f"{where}: fewer than two values")
        seen: dict[str, str] = {}
        for value, files in values.items():
            if not files:
                self.fail(f"{where}: value {value!r} lists no file")
            for file_id in files:
                text = self.texts.get(file_id)
                if text is None:
                    self.fail(f"{where}: {file_id} is not a file of the corpus")
                    continue
                if story_of.get(file_id) not in stories:
                    self.fail(f"{where}: {file_id} is not a file of story {story!r}")
                if value not in text:
                    self.fail(f"{where}: value {value!r} is not in {file_id}.txt")
                if conflict and file_id in seen and seen[file_id] != value:
                    self.fail(f"{where}: {file_id} is listed under {seen[file_id]!r} and {value!r}")
                seen.setdefault(file_id, value)
                sentence = sentences.get(file_id)
                if sentence is None:
                    if conflict:
                        self.fail(f"{where}: no sentence for {file_id}")
                elif value not in sentence:
                    self.fail(f"{where}: value {value!r} is not in the sentence of {file_id}")
        for file_id, sentence in sentences.items():
            if file_id not in seen:
                self.fail(f"{where}: sentence given for {file_id}, which no value lists")
            text = self.texts.get(file_id, "")
            if sentence not in text:
                self.fail(f"{where}: sentence is not in {file_id}.txt: {sentence[:70]!r}...")
        if conflict:
            if len(set(seen.values())) < 2:
                self.fail(f"{where}: the files give fewer than two different values")
            same = item.get("same_wording", [])
            stripped = set()
            for file_id in same:
                if file_id not in sentences:
                    self.fail(f"{where}: same_wording names {file_id}, which has no sentence")
                    continue
                stripped.add(sentences[file_id].replace(seen.get(file_id, ""), "<VALUE>"))
            if len(stripped) > 1:
                self.fail(f"{where}: the same_wording sentences differ in more than the value")
            if len(same) == 1:
                self.fail(f"{where}: same_wording needs at least two files")

    def check_hazard(self, where: str, hazard: dict) -> None:
        file_id = hazard.get("file", "").removesuffix(".txt")
        text = self.texts.get(file_id)
        if text is None:
            self.fail(f"{where}: {file_id!r} is not a file of the corpus")
            return
        sentence = hazard.get("sentence", "")
        if not sentence or sentence not in text:
            self.fail(f"{where}: sentence is not in {file_id}.txt: {sentence[:70]!r}")
        if not hazard.get("why"):
            self.fail(f"{where}: no 'why'")
        for key in ("supports", "does_not_support"):
            for value in hazard.get(key, []):
                if value not in sentence:
                    self.fail(f"{where}: {key} value {value!r} is not in the sentence")

    def check_design(self, manifest: dict) -> None:
        conflicts = manifest.get("conflicts", [])
        kinds = {c.get("kind") for c in conflicts}
        if missing := KINDS - kinds:
            self.fail(f"no conflict of kind {sorted(missing)}")
        types = {a.get("type") for a in manifest.get("agreements", [])}
        if missing := AGREEMENT_TYPES - types:
            self.fail(f"no agreement of type {sorted(missing)}")
        if not any(c.get("same_wording") for c in conflicts):
            self.fail("no conflict stated in the same wording")
        if not any(c.get("same_wording") is None for c in conflicts):
            self.fail("no conflict stated in different wording only")
        if not manifest.get("hazards"):
            self.fail("no hazard")
        foreign = set(manifest.get("languages", {}))
        if len(foreign) < 2:
            self.fail("fewer than two files in another language")
        elif not any(
            len(foreign & {f for fs in c.get("values", {}).values() for f in fs}) >= 2
            for c in conflicts
        ):
            self.fail("no conflict between the files in other languages")


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or [HERE / name for name in CORPORA]
    problems: list[str] = []
    stories: dict[str, set[str]] = {}
    for folder in folders:
        if not folder.is_dir():
            problems.append(f"{folder}: no such folder")
            continue
        checker = Checker(folder)
        manifest = checker.check()
        problems += checker.problems
        stories[folder.name] = set(manifest.get("stories", {}))
        print(
            f"{folder.name}: {len(checker.texts)} files, {len(stories[folder.name])} stories, "
            f"{len(manifest.get('conflicts', []))} conflicts, "
            f"{len(manifest.get('agreements', []))} agreements, "
            f"{len(manifest.get('hazards', []))} hazards"
        )
    names = list(stories)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if common := stories[a] & stories[b]:
                problems.append(f"{a} and {b} share stories: {sorted(common)}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("all manifests hold")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
