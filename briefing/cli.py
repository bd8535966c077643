"""The command line: a thin layer over `briefing.pipeline` and `briefing.rendering`.

Errors a user can mend are one line on stderr and exit 2 (usage, input) or 1 (anything else);
a traceback means a bug in briefing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

from briefing import __version__
from briefing.errors import BriefingError, UsageError

if TYPE_CHECKING:
    from briefing.engines.base import Engine
    from briefing.models import Briefing

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line that says where to look."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


class Terminated(Exception):
    """SIGTERM arrived; unwinds like Ctrl-C so that nothing is left half-written."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {n}")
    return n


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="briefing",
        description="Turn a folder of documents into a short briefing. Every claim cites the "
        "files it came from, and every cited passage is checked against the file's text "
        "before it is printed.",
        epilog="Run 'briefing COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    build = commands.add_parser(
        "build",
        help="write a briefing of documents",
        description="Read the documents under PATH (folders are read recursively; .txt, .md, "
        ".html, .pdf, .docx and .eml files), keep the facts whose quoted evidence is found in "
        "the files, merge what several sources say, and write the briefing.",
        epilog="Example: briefing build seeds/ -o brief.md",
    )
    build.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to brief")
    build.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write here (atomically) instead of to standard output",
    )
    build.add_argument(
        "--format",
        choices=["md", "json"],
        default=None,
        help="output format (default: from the -o extension, else md)",
    )
    build.add_argument("--title", help="the briefing's title (default: from the documents)")
    build.add_argument(
        "--max-claims", type=_positive, metavar="N", help="at most N claims in all (default: 30)"
    )
    build.add_argument(
        "--key-points", type=_positive, metavar="N", help="at most N key points (default: 7)"
    )
    llm = build.add_argument_group(
        "engine",
        "With a model configured (--model, or OPENAI_API_KEY / OPENAI_BASE_URL / BRIEFING_MODEL "
        "in the environment) the LLM engine writes the claims; otherwise the extractive engine "
        "picks sentences and needs no model.",
    )
    llm.add_argument(
        "--engine",
        choices=["auto", "extractive", "llm"],
        default="auto",
        help="force an engine (default: auto)",
    )
    llm.add_argument("--model", help="model name (default: $BRIEFING_MODEL or gpt-4.1-mini)")
    llm.add_argument(
        "--base-url",
        metavar="URL",
        help="an OpenAI-compatible server, e.g. http://localhost:11434/v1 "
        "(default: $OPENAI_BASE_URL or OpenAI)",
    )
    llm.add_argument(
        "--concurrency", type=_positive, metavar="N", help="requests in flight at once (default: 8)"
    )
    llm.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="give up on a request after this long (default: 120)",
    )
    llm.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where answers are cached (default: the user cache folder)",
    )
    llm.add_argument(
        "--no-cache", action="store_true", help="neither read nor write cached answers"
    )
    build.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any chunk could not be read (the briefing is still written)",
    )
    build.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing on stderr but errors"
    )
    build.set_defaults(run=run_build)

    check = commands.add_parser(
        "check",
        help="verify a briefing against the files it cites",
        description="Verify a briefing against the files under PATH, matched by file ID. For "
        "JSON, every citation's quote must be at its offsets in the file read again as the "
        "briefing records, and each file's sha256 must be the recorded one; for Markdown, every "
        "cited [id] must be a file, and every passage a claim quotes must be in a file it cites. "
        "Prints each failure, then a summary; exit 0 when all hold, 1 otherwise.",
        epilog="Example: briefing check brief.json seeds/",
    )
    check.add_argument("brief", metavar="BRIEF", help="a briefing written as .json or .md")
    check.add_argument("paths", nargs="+", metavar="PATH", help="the files or folders it cites")
    check.set_defaults(run=run_check)
    return parser


def _format_for(output: str | None, explicit: str | None) -> str:
    if explicit:
        return explicit
    if output and output.lower().endswith(".json"):
        return "json"
    return "md"


def run_build(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from briefing.composing import Budget
    from briefing.config import EngineConfig, make_engine
    from briefing.output import check_writable, write_atomic
    from briefing.pipeline import BuildOptions, build
    from briefing.progress import ProgressLine
    from briefing.rendering import render

    fmt = _format_for(args.output, args.format)
    if args.output:
        check_writable(args.output)
    budget = Budget()
    if args.max_claims:
        budget = replace(budget, max_claims=args.max_claims)
    if args.key_points:
        budget = replace(budget, key_points=args.key_points)
    say = _quiet if args.quiet else _say
    engine, hint = make_engine(
        EngineConfig(
            engine=args.engine,
            model=args.model,
            base_url=args.base_url,
            concurrency=args.concurrency,
            timeout=args.timeout,
            cache_dir=args.cache_dir,
            use_cache=not args.no_cache,
        ),
        notice=say,
    )
    progress = ProgressLine("extracting", enabled=False if args.quiet else None)
    progress.extra = lambda: _progress_extra(engine)
    try:
        briefing = build(
            args.paths, engine, BuildOptions(title=args.title, budget=budget), progress=progress
        )
    finally:
        progress.close()
    text = render(briefing, fmt)
    if args.output:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    _report(briefing, args.output, say)
    if hint:
        say(hint)
    if args.strict and briefing.stats.failed_chunks:
        print(
            f"briefing: error: {len(briefing.stats.failed_chunks)} chunk(s) could not be read "
            "(--strict)",
            file=sys.stderr,
        )
        return 1
    return 0


def run_check(args: argparse.Namespace) -> int:
    from briefing.checking import check_file

    report = check_file(args.brief, args.paths)
    for note in report.notes:
        _say(f"note: {note}")
    for failure in report.failures:
        print(failure)
    print(report.summary())
    return 0 if report.ok else 1


def _report(briefing: Briefing, output: str | None, say: Callable[[str], None]) -> None:
    """What the run did, on stderr: notes, failures, counts, and what the model cost."""
    st = briefing.stats
    for note in st.skipped_files:
        say(f"note: {note}")
    for failure in st.failed_chunks:
        say(f"warning: chunk not read: {failure}")
    where = f" -> {output}" if output else ""
    say(
        f"{st.documents} documents, {st.facts_found} facts ({st.facts_dropped} dropped as "
        f"unverifiable), {st.claims} claims, {st.claims_shown} shown{where}"
    )
    if st.usage:
        u = st.usage
        say(
            f"model {briefing.model}: {u.requests} requests ({u.reasks} re-asks), {u.cached} "
            f"answers from cache, {u.prompt_tokens} prompt + {u.completion_tokens} "
            "completion tokens"
        )


def _say(message: str) -> None:
    print(f"briefing: {message}", file=sys.stderr)


def _quiet(message: str) -> None:
    pass


def _progress_extra(engine: Engine) -> str:
    usage = engine.usage()
    if usage is None:
        return ""
    kept = getattr(engine, "facts_kept", 0)
    return f"{kept} facts · {usage.prompt_tokens + usage.completion_tokens} tokens"


def _leave_now(what: str, code: int) -> NoReturn:
    """Exit at once, without waiting for requests still in flight in worker threads. Nothing is
    lost: output files and cache entries are only ever replaced whole."""
    print(f"briefing: {what}; finished answers are cached, so a rerun resumes", file=sys.stderr)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _on_sigterm)
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            parser.print_help(sys.stderr)
            return 2
        return args.run(args)
    except BriefingError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        _leave_now("interrupted", EXIT_INTERRUPTED)
    except Terminated:
        _leave_now("terminated", EXIT_TERMINATED)
    except BrokenPipeError:
        # The reader went away (| head): not an error worth a word.
        sys.stderr.close()
        return 1
