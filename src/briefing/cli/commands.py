"""What the commands do: build, render, send, audiences, check. The parser in `briefing.cli`
maps each command onto one `run_*` function here, called with the arguments and the `Session`
(what the parser must know if the run is cut short); everything they share (reading the
documents, choosing the engine, writing the output, saying what happened) is below them.

Imports of the heavier modules are inside the functions, so `briefing --help` pays for none.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.errors import InputError, UsageError

if TYPE_CHECKING:
    from briefing.deliver.audiences import Audience
    from briefing.deliver.resources import Folders
    from briefing.deliver.state import Selection, State
    from briefing.engines.base import Engine
    from briefing.models import Briefing, Usage


@dataclass
class Session:
    """One command line run, as `main` sees it when the run is cut short (Ctrl-C, SIGTERM)."""

    resumable: bool = False
    """An engine that keeps the answers that finished (the LLM engine with its cache) ran, so
    a rerun resumes where this one stopped."""


def run_build(args: argparse.Namespace, session: Session) -> int:
    from briefing.deliver.output import check_writable, format_for, write_output
    from briefing.deliver.rendering import render

    if args.plan:
        return run_plan(args)
    fmt = format_for(args.output, args.format)
    if args.output:
        check_writable(args.output)
    run = _start(args, session, [fmt])
    if run.briefing is None:
        _nothing_new(args, run, "no briefing written")
        return 0
    write_output(args.output, render(run.briefing, fmt, run.audience.name, run.folders))
    run.done()
    return _finish(args, run, _where(args.output))


def run_render(args: argparse.Namespace, session: Session) -> int:
    from briefing.deliver.output import check_writable, format_for, write_output
    from briefing.deliver.rendering import render

    fmt = format_for(args.output, args.format)
    if args.output:
        check_writable(args.output)
    folders = _folders(args)
    briefing = _read_briefing(args.brief)
    write_output(args.output, render(briefing, fmt, args.audience, folders))
    return 0


def run_send(args: argparse.Namespace, session: Session) -> int:
    from briefing.deliver import mail
    from briefing.deliver.output import check_writable
    from briefing.deliver.rendering import render

    to = [mail.check_address(a) for a in args.to]
    sender = mail.check_address(args.sender or mail.default_sender(), "--from")
    if args.dry_run:
        check_writable(args.dry_run)
    settings = None if args.dry_run else mail.smtp_settings(args.smtp)
    warning = mail.sender_warning(sender)
    if warning and not args.quiet:
        _say(warning)
    if settings is not None:
        mail.check_server(settings)  # now, before any model request is paid for
    run = _start(args, session, ["txt", "html"])
    if run.briefing is None:
        _nothing_new(args, run, "no mail sent")
        return 0
    subject = args.subject or mail.default_subject(run.briefing)
    message = mail.compose(
        text=render(run.briefing, "txt", run.audience.name, run.folders),
        html=render(run.briefing, "html", run.audience.name, run.folders),
        subject=subject,
        sender=sender,
        to=to,
    )
    if settings is None:
        mail.write_message(message, args.dry_run)
        where = f"{_where(args.dry_run) or ' -> standard output'} (not sent)"
    else:
        mail.send(message, settings)
        run.done()
        where = f"; sent to {', '.join(to)} via {settings.where}"
    return _finish(args, run, where)


def run_plan(args: argparse.Namespace) -> int:
    """`build --plan`: what the run would send and cost, on standard output; nothing sent."""
    from briefing.deliver.audiences import load_audience
    from briefing.ingest.chunking import chunk_documents
    from briefing.ingest.sources import load_documents
    from briefing.pipeline import BuildOptions

    folders = _folders(args)
    audience = load_audience(args.audience or "default", folders)
    docs, notes = load_documents(args.paths)
    if args.state:
        from briefing.deliver.state import State

        docs = State.load(args.state).select(docs, args.only_new).docs
    say = _quiet if args.quiet else _say
    for note in notes:
        say(f"note: {note}")
    chunks = chunk_documents(list(docs), BuildOptions().chunk_chars)
    engine, _ = _engine(args, audience.name, folders, say)
    if engine.usage() is None:
        print(f"plan for the {engine.name} engine: {len(docs):,} documents, {len(chunks):,} chunks")
        print("no model: nothing is sent, and nothing costs money")
        return 0
    from briefing.engines.llm.plan import make_plan

    max_claims = args.max_claims or audience.budget.max_claims
    plan = make_plan(engine, docs, chunks, max_claims)  # type: ignore[arg-type]
    print("\n".join(plan.lines()))
    return 0


def run_audiences(args: argparse.Namespace, session: Session) -> int:
    from briefing.deliver.audiences import list_audiences

    audiences = list_audiences(_folders(args))
    width = max(len(a.name) for a in audiences)
    for a in audiences:
        print(f"{a.name:<{width}}  {a.description or '(no description: add an audience.toml)'}")
    return 0


# ---------------------------------------------------------------------------------------------
# What the commands share
# ---------------------------------------------------------------------------------------------


@dataclass
class _Run:
    """One briefing made for `build` or `send`: with what, of what, and the state to update."""

    folders: Folders
    audience: Audience
    selection: Selection
    state: State | None
    briefing: Briefing | None
    hint: str | None = None

    def done(self) -> None:
        """The briefing was written or sent: remember the documents it covered. A document
        with a chunk that could not be read is not remembered, so the next run tries again."""
        if self.state is not None:
            failed = self.briefing.stats.failed_chunks if self.briefing else []
            unread = {f.source for f in failed}
            self.state.record([d for d in self.selection.docs if d.id not in unread])
            self.state.save()


def _engine(
    args: argparse.Namespace, audience: str, folders: Folders, say: Callable[[str], None]
) -> tuple[Engine, str | None]:
    """The engine `args` ask for, and a hint when the choice was made for the user; the engine
    says what the user should know with `say`."""
    from briefing.engines.factory import EngineConfig, make_engine

    return make_engine(
        EngineConfig(
            engine=args.engine,
            model=args.model,
            base_url=args.base_url,
            concurrency=args.concurrency,
            timeout=args.timeout,
            retries=args.retries,
            cache_dir=args.cache_dir,
            use_cache=not args.no_cache,
            audience=audience,
            prompt_dirs=tuple(str(p) for p in folders.prompts),
            price_in=args.price_in,
            price_out=args.price_out,
            max_cost=args.max_cost,
            token_budget=args.token_budget,
            batch=args.batch,
            plan=getattr(args, "plan", False),
        ),
        notice=say,
    )


def _start(args: argparse.Namespace, session: Session, formats: Sequence[str]) -> _Run:
    """Read the documents and make the briefing `args` ask for, to be rendered in `formats`
    (whose templates are tried first, before any work is paid for); briefing None when
    --only-new finds nothing new."""
    from dataclasses import replace

    from briefing.cli.progress import ProgressLine
    from briefing.deliver.audiences import load_audience
    from briefing.deliver.output import check_writable, is_stdout
    from briefing.deliver.rendering import check_templates
    from briefing.deliver.state import Selection, State
    from briefing.ingest.sources import load_documents
    from briefing.pipeline import BuildOptions, build_from_documents

    if args.only_new and not args.state:
        raise UsageError("--only-new needs --state FILE, where earlier runs are remembered")
    folders = _folders(args)
    audience = load_audience(args.audience or "default", folders)
    check_templates(formats, audience.name, folders)
    budget = audience.budget
    if args.max_claims:
        budget = replace(budget, max_claims=args.max_claims)
    if args.key_points:
        budget = replace(budget, key_points=args.key_points)
    state = None
    if args.state:
        state = State.load(args.state)
        state.path.parent.mkdir(parents=True, exist_ok=True)
        check_writable(state.path)
    written = [getattr(args, "output", None), getattr(args, "dry_run", None)]
    docs, notes = load_documents(args.paths, exclude=[w for w in written if w and not is_stdout(w)])
    selection = state.select(docs, args.only_new) if state else Selection(docs)
    run = _Run(folders, audience, selection, state, None)
    if not selection.docs:
        return run
    progress = ProgressLine("extracting", enabled=None if not args.quiet else False)
    say = _quiet if args.quiet else (lambda message: progress.say(f"briefing: {message}"))
    engine, run.hint = _engine(args, audience.name, folders, say)
    session.resumable = engine.resumable
    progress.extra = lambda: _progress_extra(engine)
    try:
        briefing = build_from_documents(
            selection.docs,
            engine,
            BuildOptions(audience=audience.name, title=args.title, budget=budget),
            progress=progress,
            notes=notes,
        )
    finally:
        progress.close()
    run.briefing = selection.mark(briefing)
    return run


def _folders(args: argparse.Namespace) -> Folders:
    from pathlib import Path

    from briefing.deliver.resources import Folders

    for flag, dirs in (("--templates", args.templates), ("--prompts", args.prompts)):
        for d in dirs:
            if not Path(d).is_dir():
                raise InputError(f"{flag} {d}: no such folder")
    return Folders.of(prompts=args.prompts, templates=args.templates)


def _read_briefing(path: str) -> Briefing:
    from pathlib import Path

    from briefing.schema import read_briefing

    try:
        raw = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return read_briefing(raw, path)


def _where(output: str | None) -> str:
    """' -> FILE' for the run's last line; nothing for standard output."""
    from briefing.deliver.output import is_stdout

    return "" if is_stdout(output) else f" -> {output}"


def _nothing_new(args: argparse.Namespace, run: _Run, what: str) -> None:
    if not args.quiet:
        since = run.selection.since
        when = f" since {since:%Y-%m-%d %H:%M UTC}" if since else ""
        print(f"briefing: nothing new{when} (state: {args.state}); {what}", file=sys.stderr)


def _finish(args: argparse.Namespace, run: _Run, where: str) -> int:
    """Say what the run did; with --strict, a chunk that could not be read fails the run."""
    assert run.briefing is not None
    say = _quiet if args.quiet else _say
    _report(run.briefing, where, say)
    if run.hint:
        say(run.hint)
    from briefing.text import count

    failed = run.briefing.stats.failed_chunks
    usage = run.briefing.stats.usage
    if usage and usage.unsent:
        print(
            f"briefing: error: the budget was reached: {count(usage.unsent, 'passage')} not "
            f"sent (listed above); {_spent(usage)}; a rerun with a larger budget sends only those",
            file=sys.stderr,
        )
        return 1
    if args.strict and failed:
        print(
            f"briefing: error: {count(len(failed), 'passage')} could not be read (--strict)",
            file=sys.stderr,
        )
        return 1
    return 0


def run_check(args: argparse.Namespace, session: Session) -> int:
    from briefing.verify import check_file

    report = check_file(args.brief, args.paths)
    for note in report.notes:
        _say(f"note: {note}")
    for failure in report.failures:
        print(failure)
    print(report.summary())
    return 0 if report.ok else 1


def _report(briefing: Briefing, where: str, say: Callable[[str], None]) -> None:
    """What the run did, on stderr: notes, failures, counts, and what the model cost."""
    from briefing.text import REASON_CHARS, count, one_line

    st = briefing.stats
    for note in st.skipped_files:
        say(f"note: {note}")
    for failure in st.failed_chunks:  # the reason in full is in the JSON's stats
        reason = one_line(failure.reason, REASON_CHARS)
        if reason.startswith("not sent:"):  # the budget: said once, at the end
            say(f"not sent: {failure.source}#{failure.index}")
            continue
        say(f"warning: chunk not read: {failure.source}#{failure.index}: {reason}")
    new = f", {len(briefing.new_sources):,} new" if briefing.since else ""
    say(
        f"{count(st.documents, 'document')}{new}, {count(st.facts_found, 'fact')} "
        f"({st.facts_dropped:,} dropped as unverifiable), {count(st.claims, 'claim')}, "
        f"{st.claims_shown:,} shown{where}"
    )
    if st.usage:
        u = st.usage
        say(
            f"model {briefing.model}: {count(u.requests, 'request')} "
            f"({count(u.reasks, 're-ask')}), {count(u.cached, 'answer')} from cache, "
            f"{u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion tokens"
            + (f", {count(u.batched, 'request')} through the Batch API" if u.batched else "")
            + (f", {count(u.retries, 'network retry', 'network retries')}" if u.retries else "")
            + (f"; {_spent(u)}" if u.cost is not None else "")
        )


def _spent(usage: Usage) -> str:
    if usage.cost is None:
        return "cost unknown (no price for this model: see --price-in)"  # tokens are above
    return f"cost ${usage.cost:,.4f}"


def _say(message: str) -> None:
    """One line on stderr, whatever `message` holds (see briefing.text.one_line)."""
    from briefing.text import one_line

    print(f"briefing: {one_line(message)}", file=sys.stderr)


def _quiet(message: str) -> None:
    pass


def _progress_extra(engine: Engine) -> str:
    usage = engine.usage()
    if usage is None:
        return ""
    from briefing.text import count

    kept = getattr(engine, "facts_kept", 0)
    return (
        f"{count(kept, 'fact')} · {count(usage.prompt_tokens + usage.completion_tokens, 'token')}"
    )
