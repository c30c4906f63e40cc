"""`slakeeper mail ...` through the real command line, against a real IMAP
server (pymap on loopback), on both backends: fetch and its summary, the
quarantine listed, shown, released and discarded; failures as one-line
messages with exit code 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.settings import Settings
from tests.cli.helpers import ERIKA, Cli, in_force_workspace, use_workspace
from tests.mail.helpers import PASSWORD, USER, ImapServer, free_port, mail

run = Cli("mail")


@pytest.fixture
def env(
    sessions: sessionmaker[Session],
    db_settings: Settings,
    imap: ImapServer,
    monkeypatch: pytest.MonkeyPatch,
) -> ImapServer:
    """A workspace with an agreement with Acme in force now, and the settings
    of the IMAP server."""
    _cast, name = in_force_workspace(sessions)
    use_workspace(monkeypatch, db_settings, name)
    for variable, value in {
        "IMAP_HOST": imap.host,
        "IMAP_PORT": str(imap.port),
        "IMAP_USER": USER,
        "IMAP_PASSWORD": PASSWORD,
        "IMAP_SECURITY": "none",
    }.items():
        monkeypatch.setenv(f"SLAKEEPER_{variable}", value)
    for variable in ("IMAP_FOLDER", "IMAP_PROCESSED_FOLDER"):
        monkeypatch.delenv(f"SLAKEEPER_{variable}", raising=False)
    return imap


def test_fetch_summarises_and_the_quarantine_is_worked_through(env):
    env.append(
        mail(),
        mail(
            sender="max@acme.example",
            subject="Re: [ACME-1] Checkout fails",
            text="Also on mobile.\n> Which device?\n",
            message_id="<follow-up@acme.example>",
        ),
        mail(sender="Eve <eve@evil.example>", subject="Win!", message_id="<spam@e>"),
        mail(
            sender="erika.private@mailbox.example",
            subject="Logo upload broken",
            text="Sent from home.",
            message_id="<home@mailbox.example>",
        ),
        mail(subject="No id", text="no Message-ID here", message_id=None),
    )
    out = run("fetch")
    assert f"127.0.0.1:{env.port} INBOX: 5 messages" in out
    assert "new tickets:    2  ACME-1, ACME-2\n" in out
    assert "client replies: 1  ACME-1\n" in out
    assert "quarantined:    2  see `slakeeper mail quarantine`\n" in out
    assert "already taken:  0\n" in out
    again = run("fetch")
    assert "new tickets:    0\n" in again
    assert "already taken:  5\n" in again

    table = run("quarantine")
    assert "eve@evil.example" in table
    assert "unknown sender" in table
    listed = json.loads(run("quarantine", "--json"))
    assert [(q["sender"], q["state"]) for q in listed] == [
        ("eve@evil.example", "waiting"),
        ("erika.private@mailbox.example", "waiting"),
    ]
    spam, home = listed[0]["id"], listed[1]["id"]
    assert listed[1]["text"] == "Sent from home."
    assert listed[1]["message_id"] == "home@mailbox.example"

    shown = run("show", str(home))
    assert "reason: unknown sender\n" in shown
    assert "subject: Logo upload broken\n" in shown
    assert shown.endswith("Sent from home.\n")
    assert "Message-ID: <home@mailbox.example>" in run("show", str(home), "--raw")

    assert run("release", str(home), "--as", ERIKA) == (
        f"Released mail {home} as {ERIKA}: new ticket ACME-3\n"
    )
    assert run("discard", str(spam), "--reason", "spam") == (
        f"Discarded mail {spam} (kept, with the reason).\n"
    )
    assert run("quarantine") == "No quarantined mail.\n"
    done = json.loads(run("quarantine", "--all", "--json"))
    assert [(q["state"], q["ticket_key"], q["released_as_email"]) for q in done] == [
        ("discarded", None, None),
        ("released", "ACME-3", ERIKA),
    ]
    assert done[0]["discard_reason"] == "spam"
    assert "discarded" in run("quarantine", "--all")
    assert "ACME-3: Logo upload broken" in Cli("ticket")("show", "ACME-3")


def test_a_processed_folder_takes_the_mail_out_of_the_inbox(env):
    env.append(mail())
    out = run("fetch", IMAP_PROCESSED_FOLDER="Done")
    assert "new tickets:    1  ACME-1\n" in out
    assert env.folder() == []
    assert len(env.folder("Done")) == 1


def test_many_messages_are_taken_with_a_progress_bar(env):
    env.append(
        *[
            mail(subject=f"Request {n}", message_id=f"<r{n}@acme.example>")
            for n in range(25)
        ]
    )
    out = run("fetch")
    assert "INBOX: 25 messages" in out
    assert "new tickets:    25  ACME-1, ACME-2," in out


def test_an_unreachable_server_a_refused_login_or_no_folder_exit_2(env):
    port = free_port()
    line = run.error("fetch", IMAP_PORT=str(port))
    assert line.startswith(f"error: IMAP server 127.0.0.1:{port}: connecting failed:")
    assert run.error("fetch", IMAP_PASSWORD="wrong") == (
        f"error: IMAP server 127.0.0.1:{env.port} refused the login of {USER}"
    )
    assert run.error("fetch", IMAP_FOLDER="Support") == (
        f"error: IMAP server 127.0.0.1:{env.port} has no folder 'Support'"
    )
    assert "connecting failed: TLS not supported" in run.error(
        "fetch", IMAP_SECURITY="starttls"
    )


def test_fetch_without_settings_names_what_to_set(env, monkeypatch):
    monkeypatch.delenv("SLAKEEPER_IMAP_HOST")
    monkeypatch.delenv("SLAKEEPER_IMAP_PASSWORD")
    assert run.error("fetch") == (
        "error: SLAKEEPER_IMAP_HOST: inbound e-mail is not set up: set"
        " SLAKEEPER_IMAP_HOST, SLAKEEPER_IMAP_PASSWORD (see docs/mail.md)"
    )
    assert run.error("fetch", IMAP_PORT="abc", IMAP_HOST="x") == (
        "error: SLAKEEPER_IMAP_PORT: Input should be a valid integer, unable to"
        " parse string as an integer"
    )
    monkeypatch.setenv("SLAKEEPER_IMAP_HOST", "127.0.0.1")
    monkeypatch.setenv("SLAKEEPER_IMAP_PASSWORD", PASSWORD)
    assert run.error("fetch", IMAP_PROCESSED_FOLDER="INBOX") == (
        "error: SLAKEEPER_IMAP_PROCESSED_FOLDER: must differ from SLAKEEPER_IMAP_FOLDER"
    )


def test_client_contacts_cannot_handle_the_mailbox(env):
    env.append(mail())
    assert "only the provider's people" in run.error("fetch", user=ERIKA)
    assert "only the provider's people" in run.error("quarantine", user=ERIKA)
    assert "\\Seen" not in env.folder()[0][1]  # nothing was taken


def test_bad_quarantine_ids_and_contacts_are_one_line_errors(env):
    env.append(mail(sender="eve@evil.example"))
    run("fetch")
    [held] = json.loads(run("quarantine", "--json"))
    assert run.error("release", "999999", "--as", ERIKA) == (
        "error: quarantined mail 999999 not found"
    )
    assert run.error("release", str(held["id"]), "--as", "eve@evil.example") == (
        "error: as: 'eve@evil.example' is not an active client contact of the workspace"
    )
    assert "must not be empty" in run.error("discard", str(held["id"]), "--reason", " ")
    assert "Missing option '--as'" in run.invoke("release", str(held["id"])).output
