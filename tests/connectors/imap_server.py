"""A real IMAP server for the tests: Debian's dovecot on a free loopback port, thrown away after.

Dovecot refuses to give mail processes the root UID, so under root the mail belongs to the
``dovecot`` system user and lives in a folder that user can reach (the login processes are
chrooted as usual); otherwise everything runs as the current user in the test's folder.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.conftest import service_missing

USER, PASSWORD = "bureau.ordre", "mot-de-passe"
CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {shared}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={shared}/mail/%u
}}
mail_location = maildir:{shared}/mail/%u/Maildir
service imap-login {{
  chroot = {login_chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot = {anvil_chroot}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DovecotServer:
    """``start()`` it, ``deliver()`` messages to the user's mailbox, ``stop()`` it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._shared_tmp: str | None = None

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def _owner(self) -> dict[str, object]:
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid())
            group = grp.getgrgid(me.pw_gid).gr_name
            shared = self.root / "partage"
            shared.mkdir()
            return {"login_user": me.pw_name, "internal_user": me.pw_name,
                    "internal_group": group, "mail_uid": me.pw_uid, "mail_gid": me.pw_gid,
                    "shared": shared, "login_chroot": "", "anvil_chroot": ""}
        owner = pwd.getpwnam("dovecot")
        # The test's folder is private to root: the auth and mail processes could not reach it.
        self._shared_tmp = tempfile.mkdtemp(prefix="atd-imap-")
        os.chown(self._shared_tmp, owner.pw_uid, owner.pw_gid)
        return {"login_user": "dovenull", "internal_user": "dovecot",
                "internal_group": "dovecot", "mail_uid": owner.pw_uid,
                "mail_gid": owner.pw_gid, "shared": self._shared_tmp,
                "login_chroot": "login", "anvil_chroot": "empty"}

    def start(self) -> DovecotServer:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            service_missing("dovecot (apt-get install dovecot-imapd)",
                            FileNotFoundError(binary))
        self.root.mkdir(parents=True, exist_ok=True)
        owner = self._owner()
        passwd = Path(str(owner["shared"])) / "passwd"
        passwd.write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
        passwd.chmod(0o644)
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, port=self.port, **owner),
                          encoding="utf-8")
        with (self.root / "dovecot.out").open("wb") as out:
            self.process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=out,
                                            stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self, seconds: float = 15.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot stopped: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def log(self) -> str:
        """What dovecot said on its output and in its log file."""
        paths = (self.root / "dovecot.out", self.root / "dovecot.log")
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths
                         if p.exists())

    def deliver(self, message: bytes, mailbox: str = "INBOX") -> None:
        """Append the message as a mail server would have delivered it."""
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            imap.login(USER, PASSWORD)
            status, data = imap.append(mailbox, None, None, message)
            assert status == "OK", data
        finally:
            imap.logout()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._shared_tmp:
            shutil.rmtree(self._shared_tmp, ignore_errors=True)
