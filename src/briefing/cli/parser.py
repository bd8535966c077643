"""The command line: the parser and `main`. What each command does is in `briefing.cli.commands`,
a thin layer over `briefing.pipeline` and `briefing.deliver.rendering`.

Errors a user can mend are one line on stderr and exit 2 (usage, input) or 1 (anything else);
a traceback means a bug in briefing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from briefing import __version__
from briefing.cli import commands as actions
from briefing.errors import BriefingError, UsageError

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


_OUTPUT_HELP = (
    "write here instead of to standard output ('-': standard output); a file is replaced "
    "atomically (through a link: the link's file, and the link kept), a device or a named "
    "pipe is written to"
)


def _at_least(least: int):
    """An argparse type: a whole number of at least `least`."""

    def whole(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if n < least:
            raise argparse.ArgumentTypeError(f"expected a number of at least {least}, got {n}")
        return n

    return whole


_positive = _at_least(1)
_count = _at_least(0)


def _seconds(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if not n > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {value}")
    return n


def _url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(
            f"expected an http:// or https:// URL such as http://localhost:11434/v1, got {value!r}"
        )
    return value


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
    build.add_argument(
        "paths", nargs="+", metavar="PATH", help="files, folders, or URLs of feeds and pages"
    )
    build.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=_OUTPUT_HELP,
    )
    _add_format_option(build)
    _add_briefing_options(build)
    build.add_argument(
        "--plan",
        action="store_true",
        help="read and chunk the documents, send nothing, and print what the run would send "
        "and cost: requests (and how many the cache answers), estimated tokens, dollars",
    )
    build.set_defaults(run=actions.run_build)
    _add_render_command(commands)
    _add_send_command(commands)
    _add_audiences_command(commands)
    _add_check_command(commands)
    _add_run_command(commands)
    return parser


def _add_run_command(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="run a briefing job described in a file (sources, audience, output, mail)",
        description="Run the briefing job(s) of a TOML file: what to read (files, folders, "
        "feeds, pages), for whom, where to write it and whom to mail it to. A file may hold "
        "one job (keys at the top) or several ([jobs.NAME]); see the README's 'Feeds and "
        "jobs'. The whole file is checked before any work.",
        epilog="Example: briefing run briefing.toml --job morning",
    )
    run.add_argument("job_file", metavar="JOB.toml", help="the job file")
    run.add_argument(
        "--job",
        metavar="NAME",
        action="append",
        default=[],
        help="run only this job of the file (repeatable; default: every job)",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="say what would be fetched, built, written and sent, and do none of it",
    )
    _add_quiet_option(run)
    run.set_defaults(run=actions.run_job)


def _add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=["md", "html", "txt", "json"],
        default=None,
        help="output format: Markdown, an HTML page (also an e-mail body), plain text, or JSON "
        "(default: from the -o extension: .md or .markdown, .html or .htm, .txt, .json; md "
        "for standard output or a name without an extension; any other extension needs "
        "--format)",
    )


def _add_folder_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--templates",
        metavar="DIR",
        action="append",
        default=[],
        help="your own template folders (DIR/AUDIENCE/FILE), looked in before the built-in "
        "ones, file by file; may be given more than once",
    )
    parser.add_argument(
        "--prompts",
        metavar="DIR",
        action="append",
        default=[],
        help="your own prompt folders (DIR/AUDIENCE/FILE), looked in before the built-in ones",
    )


def _add_audience_option(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--audience",
        metavar="NAME",
        help=f"who it is for: executive, analyst, default, or your own (see 'briefing "
        f"audiences'); picks prompts/NAME/ and templates/NAME/ (default: {default})",
    )
    _add_folder_options(parser)


def _add_briefing_options(parser: argparse.ArgumentParser) -> None:
    """What `build` and `send` share: how the briefing is made and what it covers."""
    parser.add_argument("--title", help="the briefing's title (default: from the documents)")
    parser.add_argument(
        "--max-claims",
        type=_positive,
        metavar="N",
        help="at most N claims in all (default: the audience's; 30)",
    )
    parser.add_argument(
        "--key-points",
        type=_positive,
        metavar="N",
        help="at most N key points (default: the audience's; 7)",
    )
    _add_audience_option(parser, "default")
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="remember here which documents (by content) were briefed, and mark what is new "
        "since the last briefing; updated only when the briefing was written or sent",
    )
    parser.add_argument(
        "--only-new",
        action="store_true",
        help="brief only documents that are new or changed since the last briefing "
        "(needs --state); when there are none, write or send nothing",
    )
    web = parser.add_argument_group(
        "web sources",
        "A PATH may be an http:// or https:// URL: a feed (RSS or Atom; each item is a source, "
        "its link fetched) or a web page (its main text). What is fetched is kept as snapshots, "
        "which citations refer to: 'briefing check brief.json SNAPSHOT_DIR' verifies later.",
    )
    web.add_argument(
        "--snapshots",
        metavar="DIR",
        help="keep the text of fetched documents here (default: 'snapshots' beside the "
        "--state file, else in the user cache folder)",
    )
    web.add_argument(
        "--fetch-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="give up on a feed or page after this long (default: 20)",
    )
    _add_engine_options(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any chunk could not be read (the briefing is still written)",
    )
    _add_quiet_option(parser)


def _add_quiet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing on stderr but errors"
    )


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    llm = parser.add_argument_group(
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
        type=_url,
        help="an OpenAI-compatible server, e.g. http://localhost:11434/v1 "
        "(default: $OPENAI_BASE_URL or OpenAI)",
    )
    llm.add_argument(
        "--concurrency", type=_positive, metavar="N", help="requests in flight at once (default: 8)"
    )
    llm.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="give up on a request after this long (default: 120)",
    )
    llm.add_argument(
        "--retries",
        type=_count,
        metavar="N",
        help="retry a request that met a network fault (429, 5xx, timeout, dropped connection) "
        "up to N times (default: 4)",
    )
    llm.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where answers are cached (default: the user cache folder)",
    )
    llm.add_argument(
        "--no-cache", action="store_true", help="neither read nor write cached answers"
    )
    _add_cost_options(parser)


def _dollars(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected dollars, got {value!r}") from None
    if not n >= 0:
        raise argparse.ArgumentTypeError(f"expected dollars of at least 0, got {value}")
    return n


def _add_cost_options(parser: argparse.ArgumentParser) -> None:
    cost = parser.add_argument_group(
        "cost", "What the model's requests cost, and a limit they stay within."
    )
    cost.add_argument(
        "--max-cost",
        type=_dollars,
        metavar="DOLLARS",
        help="send no request that would take the run's cost past DOLLARS; the briefing is "
        "written from what was read, the passages not sent are listed, and the exit code is "
        "1 (a rerun with more sends only those: the answers are cached)",
    )
    cost.add_argument(
        "--token-budget",
        type=_positive,
        metavar="N",
        help="the same, for N prompt and completion tokens in all",
    )
    cost.add_argument(
        "--price-in",
        type=_dollars,
        metavar="DOLLARS",
        help="dollars per million prompt tokens (default: $BRIEFING_PRICE_IN, else the "
        "shipped price of known models)",
    )
    cost.add_argument(
        "--price-out",
        type=_dollars,
        metavar="DOLLARS",
        help="dollars per million completion tokens (default: $BRIEFING_PRICE_OUT, else the "
        "shipped price)",
    )
    cost.add_argument(
        "--batch",
        action="store_true",
        help="send the extraction requests through the provider's Batch API: half the price, "
        "answered within 24 hours; a run cut short resumes the same batch",
    )


def _add_render_command(commands: argparse._SubParsersAction) -> None:
    render = commands.add_parser(
        "render",
        help="render a saved JSON briefing again (no engine, no model)",
        description="Render a briefing saved with '--format json' again, for another audience "
        "or in another format. Nothing is read but the JSON, and no model is called. For an "
        "audience with another budget, the key points, what to watch next and sections are "
        "chosen again within it from the claims the JSON holds. The JSON holds the claims its "
        "budget chose: build with --audience analyst to have every claim.",
        epilog="Example: briefing render brief.json --audience analyst -o brief.html",
    )
    render.add_argument("brief", metavar="BRIEF.json", help="a saved briefing ('-': stdin)")
    render.add_argument("-o", "--output", metavar="FILE", help=_OUTPUT_HELP)
    _add_format_option(render)
    _add_audience_option(render, "the one it was built for")
    render.set_defaults(run=actions.run_render)


def _add_send_command(commands: argparse._SubParsersAction) -> None:
    send = commands.add_parser(
        "send",
        help="build a briefing and mail it (plain text and HTML)",
        description="Build a briefing of the documents under PATH and mail it as one message "
        "with a plain-text and an HTML part, citations in both. The SMTP server comes from "
        "--smtp or BRIEFING_SMTP_URL: smtp://[USER[:PASSWORD]@]HOST[:PORT] (STARTTLS when "
        "offered) or smtps://... (TLS); the password may also be in BRIEFING_SMTP_PASSWORD.",
        epilog="Example: briefing send reports/ --to team@example.com --smtp "
        "smtp://mail.example.com:587 --audience executive",
    )
    send.add_argument(
        "paths", nargs="+", metavar="PATH", help="files, folders, or URLs of feeds and pages"
    )
    send.add_argument(
        "--to", action="append", required=True, metavar="ADDR", help="a recipient (repeatable)"
    )
    send.add_argument("--subject", help="the subject (default: the title and the dates)")
    send.add_argument("--smtp", metavar="URL", help="the SMTP server (default: $BRIEFING_SMTP_URL)")
    send.add_argument(
        "--from",
        dest="sender",
        metavar="ADDR",
        help="the sender (default: $BRIEFING_SMTP_FROM, else briefing@HOSTNAME)",
    )
    send.add_argument(
        "--dry-run",
        metavar="FILE.eml",
        help="write the message to this file ('-': standard output) instead of sending it "
        "(the state is not updated)",
    )
    _add_briefing_options(send)
    send.set_defaults(run=actions.run_send)


def _add_audiences_command(commands: argparse._SubParsersAction) -> None:
    audiences = commands.add_parser(
        "audiences",
        help="list the audiences a briefing can be written for",
        description="List the audiences (folders of prompts/ and templates/, built in and "
        "your own) with what each is for, from its audience.toml.",
    )
    _add_folder_options(audiences)
    audiences.set_defaults(run=actions.run_audiences)


def _add_check_command(commands: argparse._SubParsersAction) -> None:
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
    check.set_defaults(run=actions.run_check)


def _leave_now(what: str, code: int, session: actions.Session) -> NoReturn:
    """Exit at once, without waiting for requests still in flight in worker threads. Nothing is
    lost: output files and cache entries are only ever replaced whole. A rerun resumes only
    when an engine that keeps its finished answers ran, and only then is it promised."""
    resumes = "; finished answers are cached, so a rerun resumes" if session.resumable else ""
    print(f"briefing: {what}{resumes}", file=sys.stderr)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)


def _one_line(message: str) -> str:
    from briefing.text import one_line

    return one_line(message)


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _on_sigterm)
    parser = make_parser()
    session = actions.Session()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            parser.print_help(sys.stderr)
            return 2
        return args.run(args, session)
    except BriefingError as exc:
        print(f"briefing: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        _leave_now("interrupted", EXIT_INTERRUPTED, session)
    except Terminated:
        _leave_now("terminated", EXIT_TERMINATED, session)
    except BrokenPipeError:
        # The reader went away (| head): not an error worth a word.
        sys.stderr.close()
        return 1
