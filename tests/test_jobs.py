"""`briefing run JOB.toml`: a job file checked whole before any work, run as `build` or `send`;
end to end, a job run twice against feeds on 127.0.0.1 mails all items, then only the new one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.web_server import Site, rss, serve
from tests.test_mail import smtp  # noqa: F401  (the SMTP server fixture: aiosmtpd on 127.0.0.1)

pytestmark = pytest.mark.e2e


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as s:
        yield s


def job_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "briefing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_key_is_one_error_naming_key_and_line(tmp_path):
    path = job_file(
        tmp_path,
        'sources = ["a/"]\noutput = "b.md"\n\n[jobs.morning]\naudience = "executive"\n'
        "onlynew = true\n",
    )
    r = run_cli("run", path)
    assert r.returncode == 1
    assert r.stderr == (
        f"briefing: error: {path}, line 6: unknown key 'onlynew' (did you mean 'only_new'?); "
        "a job's keys are sources, audience, title, output, formats, to, from, subject, smtp, "
        "state, only_new, snapshots, fetch_timeout, engine, model, base_url, budget, cache_dir, "
        "strict, "
        "templates, prompts\n"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'sources = "a/"\noutput = "b.md"\nonly_new = "yes"\n',
            "line 3: 'only_new' must be true or false, not 'yes'",
        ),
        ('sources = []\noutput = "b.md"\n', "line 1: 'sources' must be a list of paths"),
        ('sources = ["a/"]\nformats = ["md", "pdf"]\noutput = "b"\n', "line 2: 'formats' must"),
        (
            'sources = ["a/"]\nto = "x@example.com"\nsmtp = "smtp://u:pw@host"\n',
            "line 3: 'smtp' must not hold a password; put it in BRIEFING_SMTP_PASSWORD",
        ),
        (
            'sources = ["a/"]\noutput = "b.md"\n[budget]\nmax_claims = 0\n',
            "line 4: 'budget.max_claims' must be a whole number of at least 1, not 0",
        ),
        ('sources = ["a/"]\n', "give 'output' (a file to write) or 'to'"),
        (
            'sources = ["a/"]\noutput = "b.md"\n[jobs.x]\nengine = "gpt"\n',
            "line 4: 'engine' must be one of auto, extractive, llm",
        ),
        ("sources = [\n", "not valid TOML"),
        (
            'sources = ["a/"]\n[jobs.a]\noutput = "b.md"\n[jobs.b]\nto = "not an address"\n',
            "job 'b': to",
        ),
    ],
)
def test_wrong_values_are_one_error_before_any_work(tmp_path, body, message):
    path = job_file(tmp_path, body)
    r = run_cli("run", path)
    assert r.returncode in (1, 2)
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert message in r.stderr
    assert not (tmp_path / "b.md").exists()


def test_dry_run_says_what_would_be_fetched_built_written_and_sent(tmp_path, site):
    path = job_file(
        tmp_path,
        f"""smtp = "smtp://briefing@127.0.0.1:2525"
state = "state/morning.json"
only_new = true

[jobs.morning]
sources = ["{site.url("/feed.xml")}", "notes/"]
audience = "executive"
to = ["team@example.com"]
subject = "Morning"

[jobs.weekly]
sources = ["{site.url("/atom.xml")}"]
output = "out/weekly"
formats = ["md", "json"]
""",
    )
    r = run_cli("run", path, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "job morning:",
        f"  fetch {site.url('/feed.xml')}",
        f"  read {tmp_path / 'notes'}",
        "  build for audience executive, engine auto",
        f"  state {tmp_path / 'state/morning.json'}, only what is new",
        "  send to team@example.com via smtp://briefing@127.0.0.1:2525, subject 'Morning'",
        "job weekly:",
        f"  fetch {site.url('/atom.xml')}",
        "  build for audience default, engine auto",
        f"  state {tmp_path / 'state/morning.json'}, only what is new",
        f"  write {tmp_path / 'out/weekly.md'} (md)",
        f"  write {tmp_path / 'out/weekly.json'} (json)",
    ]
    assert not site.hits  # nothing fetched
    r = run_cli("run", path, "--dry-run", "--job", "weekly")
    assert r.stdout.startswith("job weekly:")
    r = run_cli("run", path, "--job", "daily")
    assert r.returncode == 1 and "no job named 'daily' (jobs: morning, weekly)" in r.stderr


def test_a_job_writes_every_format_it_names(tmp_path, site):
    path = job_file(
        tmp_path,
        f'sources = ["{site.url("/atom.xml")}"]\noutput = "out/brief"\nformats = ["md", "json"]\n'
        'title = "Port watch"\n[budget]\nmax_claims = 5\n',
    )
    r = run_cli("run", path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "brief.md").read_text().startswith("# Port watch")
    brief = json.loads((tmp_path / "out" / "brief.json").read_text())
    assert brief["title"] == "Port watch"
    # without a state file, a job keeps its snapshots beside the job file
    assert list((tmp_path / "snapshots").rglob("port.txt"))


JOB = """# The morning briefing: the harbour's news feed and the port's, mailed to the desk.
[jobs.morning]
sources = ["{feed}", "{atom}"]
title = "Harbour morning briefing"
audience = "default"
to = ["desk@example.com"]
from = "briefing@example.com"
subject = "Harbour morning briefing"
smtp = "smtp://127.0.0.1:{port}"
state = "state/morning.json"
only_new = true
output = "archive/morning.md"
engine = "extractive"
"""


def test_a_job_run_twice_mails_all_items_then_only_the_new_one(tmp_path, site, smtp):  # noqa: F811
    box, port = smtp
    text = JOB.format(feed=site.url("/feed.xml"), atom=site.url("/atom.xml"), port=port)
    path = job_file(tmp_path, text)

    first = run_cli("run", path)
    assert first.returncode == 0, first.stderr
    (mail1,) = box.received
    plain1 = mail1.message.get_body(("plain",)).get_content()
    for title in (
        "Storm closes the northern ferry line",
        "Council approves a smaller budget for 2027",
        "Port traffic rises for a third month",
    ):
        assert title in plain1
    assert (tmp_path / "archive" / "morning.md").exists()
    snapshots = tmp_path / "state" / "snapshots"
    assert len(list(snapshots.rglob("*.txt"))) == 3

    # one new item in the feed
    site.pages["/feed.xml"] = (
        200,
        "application/rss+xml",
        rss(["storm", "budget", "bridge"], site.base),
    )
    second = run_cli("run", path)
    assert second.returncode == 0, second.stderr
    assert len(box.received) == 2
    plain2 = box.received[1].message.get_body(("plain",)).get_content()
    assert "Bridge repairs to start in January" in plain2
    for title in ("Storm closes", "Council approves", "Port traffic"):
        assert title not in plain2
    assert site.hits["/news/storm.html"] == 1  # briefed items are not fetched again
    assert site.hits["/news/bridge.html"] == 1

    # a third run finds nothing new and sends nothing
    third = run_cli("run", path)
    assert third.returncode == 0, third.stderr
    assert "nothing new" in third.stderr and len(box.received) == 2

    # the mailed briefing checks against its snapshots
    md = tmp_path / "archive" / "morning.md"
    checked = run_cli("check", md, snapshots)
    assert checked.returncode == 0, checked.stdout

    (tmp_path / "mail-1.txt").write_text(plain1)  # for the report
    (tmp_path / "mail-2.txt").write_text(plain2)
    print(text)
    print(plain1)
    print(plain2)


def test_the_readme_job_file_is_a_valid_job_file(tmp_path):
    import re

    from briefing.cli.jobs import command_line, load_jobs
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(# briefing\.toml.*?)```", readme, re.DOTALL)
    assert block is not None
    path = job_file(tmp_path, block.group(1))
    morning, weekly = load_jobs(path)
    assert morning.name == "morning" and morning.sends
    argv = command_line(morning)
    assert argv[:2] == ["send", "https://news.example.com/feed.xml"]
    assert "--only-new" in argv and argv[argv.index("--max-claims") :][:2] == ["--max-claims", "20"]
    assert [fmt for _, fmt in weekly.outputs] == ["md", "json"]
    dry = run_cli("run", path, "--dry-run")
    assert dry.returncode == 0, dry.stderr


def test_a_job_that_fails_does_not_stop_the_others(tmp_path, site):
    path = job_file(
        tmp_path,
        f'[jobs.broken]\nsources = ["{site.url("/error")}"]\noutput = "broken.md"\n'
        f'[jobs.fine]\nsources = ["{site.url("/atom.xml")}"]\noutput = "fine.md"\n',
    )
    r = run_cli("run", path)
    assert r.returncode == 2
    assert "briefing: error: job broken: nothing could be read from" in r.stderr
    assert (tmp_path / "fine.md").exists() and not (tmp_path / "broken.md").exists()


def test_a_job_does_not_read_its_own_snapshots_back(tmp_path, site):
    # no state: the snapshots are beside the job file, in the folder the job briefs
    (tmp_path / "notes.txt").write_text(
        "The harbour board met on Monday and approved a budget of 4 million euros.\n"
    )
    path = job_file(
        tmp_path, f'sources = [".", "{site.url("/atom.xml")}"]\noutput = "brief.json"\n'
    )
    for _ in range(2):
        r = run_cli("run", path)
        assert r.returncode == 0, r.stderr
        assert len(json.loads((tmp_path / "brief.json").read_text())["sources"]) == 2


def test_an_output_that_cannot_be_written_sends_no_mail(tmp_path, site, smtp, monkeypatch):  # noqa: F811
    # mailed first and the output failing after, the state was not saved: the next run
    # mailed the same briefing again
    from briefing.deliver import output
    from briefing.errors import OutputError

    box, port = smtp
    path = job_file(
        tmp_path, JOB.format(feed=site.url("/feed.xml"), atom=site.url("/atom.xml"), port=port)
    )
    real = output.write_output

    def full_disk(where, text):
        raise OutputError(f"{where}: cannot be written (no space left on device)")

    monkeypatch.setattr(output, "write_output", full_disk)
    first = run_cli("run", path)
    assert first.returncode != 0 and "no space left on device" in first.stderr
    assert not box.received
    monkeypatch.setattr(output, "write_output", real)
    second = run_cli("run", path)
    assert second.returncode == 0, second.stderr
    assert len(box.received) == 1
    third = run_cli("run", path)
    assert "nothing new" in third.stderr and len(box.received) == 1
