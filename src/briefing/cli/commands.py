"""What the commands do: build, render, send, audiences, check. The parser in `briefing.cli`
maps each command onto one `run_*` function here, called with the arguments and the `Session`
(what the parser must know if the run is cut short); everything they share (reading the
documents, choosing the engine, writing the output, saying what happened) is below them.

Imports of the heavier modules are inside the functions, so `briefing --help` pays for none.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.errors import BriefingError, InputError, UsageError

if TYPE_CHECKING:
    from briefing.deliver.audiences import Audience
    from briefing.deliver.resources import Folders
    from briefing.deliver.state import Selection, State
    from briefing.engines.base import Engine
    from briefing.ingest.web import WebOptions, WebResult
    from briefing.models import Briefing, Document, Usage


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
    targets = getattr(args, "outputs", None) or [
        (args.output, format_for(args.output, args.format))
    ]
    for path, _ in targets:
        if path:
            check_writable(path)
    run = _start(args, session, [fmt for _, fmt in targets])
    if run.briefing is None:
        run.nothing_new()
        _nothing_new(args, run, "no briefing written")
        return 0
    for path, fmt in targets:
        write_output(path, render(run.briefing, fmt, run.audience.name, run.folders))
    run.done()
    return _finish(args, run, "".join(_where(path) for path, _ in targets))


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
    from briefing.deliver.output import check_writable, write_output
    from briefing.deliver.rendering import render

    to = [mail.check_address(a) for a in args.to]
    sender = mail.check_address(args.sender or mail.default_sender(), "--from")
    if args.dry_run:
        check_writable(args.dry_run)
    for path, _ in getattr(args, "outputs", []):
        check_writable(path)
    settings = None if args.dry_run else mail.smtp_settings(args.smtp)
    warning = mail.sender_warning(sender)
    if warning and not args.quiet:
        _say(warning)
    if settings is not None:
        mail.check_server(settings)  # now, before any model request is paid for
    run = _start(args, session, ["txt", "html"])
    if run.briefing is None:
        if settings is not None:
            run.nothing_new()
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
    outputs = getattr(args, "outputs", [])
    if settings is None:
        mail.write_message(message, args.dry_run)
        where = f"{_where(args.dry_run) or ' -> standard output'} (not sent)"
    else:
        # The outputs first: one that cannot be written fails the run before the mail goes,
        # so the state is not left behind a mail that was sent (and sent again next run).
        for path, fmt in outputs:
            write_output(path, render(run.briefing, fmt, run.audience.name, run.folders))
        mail.send(message, settings)
        run.done()
        where = "".join(_where(p) for p, _ in outputs)
        where += f"; sent to {', '.join(to)} via {settings.where}"
    return _finish(args, run, where)


def run_job(args: argparse.Namespace, session: Session) -> int:
    """`briefing run JOB.toml`: each job of the file (or those --job names), checked all
    before any runs, run as the `build` or `send` command line it stands for."""
    from briefing.cli import jobs as job_files
    from briefing.cli.parser import make_parser

    jobs = job_files.load_jobs(args.job_file, args.job)
    parser = make_parser()
    commands = []
    for job in jobs:
        argv = job_files.command_line(job)
        try:
            job_args = parser.parse_args([*argv, *(["--quiet"] if args.quiet else [])])
        except UsageError as exc:
            raise UsageError(f"{args.job_file}: job '{job.name}': {exc}") from exc
        job_args.outputs = job.outputs
        if job.sends:  # the addresses too are checked before any job runs
            from briefing.deliver.mail import check_address

            try:
                for address in job_args.to:
                    check_address(address, "to")
                if job_args.sender:
                    check_address(job_args.sender, "from")
            except UsageError as exc:
                raise UsageError(f"{args.job_file}: job '{job.name}': {exc}") from exc
        commands.append((job, job_args))
    if args.dry_run:
        for job, _ in commands:
            for line in job_files.describe(job):
                print(line)
        return 0
    from pathlib import Path

    for job, _ in commands:  # a job's folders are made for it, as for the state file
        for file, _ in job.outputs:
            try:
                Path(file).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"{file}: its folder cannot be made ({exc.strerror})") from exc
    if len(commands) == 1:
        return int(commands[0][1].run(commands[0][1], session))
    worst = 0  # one job that fails does not stop the others; the exit status is the worst
    for job, job_args in commands:
        if not args.quiet:
            _say(f"job {job.name}")
        try:
            worst = max(worst, job_args.run(job_args, session))
        except BriefingError as exc:
            from briefing.text import one_line

            print(f"briefing: error: job {job.name}: {one_line(str(exc))}", file=sys.stderr)
            worst = max(worst, exc.exit_code)
    return worst


def run_plan(args: argparse.Namespace) -> int:
    """`build --plan`: what the run would send and cost, on standard output; nothing sent."""
    from briefing.deliver.audiences import load_audience
    from briefing.ingest.chunking import chunk_documents
    from briefing.ingest.sources import is_url, load_documents
    from briefing.pipeline import BuildOptions

    if args.only_new and not args.state:
        raise UsageError("--only-new needs --state FILE, where earlier runs are remembered")
    folders = _folders(args)
    audience = load_audience(args.audience or "default", folders)
    state = None
    if args.state:
        from briefing.deliver.state import State

        state = State.load(args.state)
    if any(is_url(p) for p in args.paths):  # fetched as a build would (the model is not asked)
        from briefing.ingest.web import load_inputs

        inputs = load_inputs(args.paths, web=_web_options(args, state))
        docs, notes = inputs.docs, inputs.notes
    else:
        docs, notes = load_documents(args.paths)
    since = None
    if state is not None:
        selection = state.select(docs, args.only_new)
        docs, since = selection.docs, selection.since
    say = _quiet if args.quiet else _say
    for note in notes:
        say(f"note: {note}")
    if not docs:  # only with --only-new: nothing new, so no briefing and nothing to send
        when = f" since {since:%Y-%m-%d %H:%M UTC}" if since else ""
        print(f"plan: nothing new{when} (state: {args.state}); nothing to send")
        return 0
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
    web: WebResult | None = None

    def nothing_new(self) -> None:
        """Nothing new was found: remember the feed items and servers' validators of what was
        fetched (all of it briefed before), so the next run need not fetch it again."""
        if self.state is not None and self.web is not None:
            self._remember_web(set())
            self.state.save()

    def done(self) -> None:
        """The briefing was written or sent: remember the documents it covered (and the feed
        items and servers' validators of web sources). A document with a chunk that could not
        be read is not remembered, so the next run tries again."""
        if self.state is not None:
            failed = self.briefing.stats.failed_chunks if self.briefing else []
            unread = {f.source for f in failed}
            self.state.record([d for d in self.selection.docs if d.id not in unread])
            self._remember_web(unread)
            self.state.save()

    def _remember_web(self, unread: set[str]) -> None:
        """The feed items of the web documents read in full, and the servers' validators,
        unless a document of theirs was not (a 304 next time would hide it)."""
        if self.state is None or self.web is None:
            return
        read = sorted(d for d in self.web.items if d not in unread)
        validators = {url: (v.etag, v.last_modified) for url, v in self.web.validators.items()}
        if unread & {d.id for d in self.web.docs}:
            validators = {}
        self.state.record_web(self.web.items, read, validators)


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
    from briefing.deliver.state import State, select_as_read
    from briefing.ingest.sources import is_url, iter_documents
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
    written += [path for path, _ in getattr(args, "outputs", [])]
    exclude = [w for w in written if w and not is_stdout(w)]
    # Files are read one at a time as the engine takes them, so that a model's requests start
    # while the rest are still being read; the first is read before the engine is made
    # (nothing new: no engine at all). Web sources are fetched first, all of them.
    web = None
    notes: list[str] = []
    if any(is_url(p) for p in args.paths):
        from briefing.ingest.web import load_inputs

        inputs = load_inputs(args.paths, exclude=exclude, web=_web_options(args, state))
        docs: Iterator[Document] = iter(inputs.docs)
        notes, web = inputs.notes, inputs.web
    else:
        docs = iter_documents(args.paths, exclude, notes)
    selection, chosen = state.stream(docs, args.only_new) if state else select_as_read(docs)
    first = next(chosen, None)
    run = _Run(folders, audience, selection, state, None, web=web)
    if first is None:
        if not args.quiet and web is not None:
            for note in notes:
                _say(f"note: {note}")
        return run
    progress = ProgressLine("extracting", enabled=None if not args.quiet else False)
    say = _quiet if args.quiet else (lambda message: progress.say(f"briefing: {message}"))
    engine, run.hint = _engine(args, audience.name, folders, say)
    session.resumable = engine.resumable
    progress.extra = lambda: _progress_extra(engine)
    try:
        briefing = build_from_documents(
            itertools.chain([first], chosen),
            engine,
            BuildOptions(audience=audience.name, title=args.title, budget=budget),
            progress=progress,
            notes=notes,
        )
    finally:
        progress.close()
    run.briefing = selection.mark(briefing)
    return run


def _web_options(args: argparse.Namespace, state: State | None) -> WebOptions | None:
    """How URLs among the paths are fetched, and where their snapshots go: --snapshots, else
    a folder 'snapshots' beside the state file, else the user cache folder. None when no path
    is a URL."""
    from pathlib import Path

    from briefing.ingest.fetching import FetchPolicy, Validators
    from briefing.ingest.sources import is_url
    from briefing.ingest.web import WebOptions

    if not any(is_url(p) for p in args.paths):
        return None
    if args.snapshots:
        folder = Path(args.snapshots).expanduser()
    elif state is not None:
        folder = state.path.parent / "snapshots"
    else:
        from briefing.deliver.resources import user_cache_dir

        folder = user_cache_dir() / "snapshots"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"snapshot folder {folder}: cannot be made ({exc.strerror or exc})"
        ) from exc
    policy = FetchPolicy(timeout=args.fetch_timeout) if args.fetch_timeout else FetchPolicy()
    return WebOptions(
        snapshots=folder,
        policy=policy,
        only_new=bool(args.only_new and state is not None),
        seen_items=state.seen_items() if state else {},
        validators={
            url: Validators(etag, modified)
            for url, (etag, modified) in (state.validators() if state else {}).items()
        },
    )


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
