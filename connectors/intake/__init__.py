"""Intake of paper and e-mail: the scanner hot folder, the mailbox, and the mail office's queue."""
