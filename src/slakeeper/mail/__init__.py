"""Inbound e-mail: reading RFC 5322 messages (`message`) and an IMAP mailbox
(`imap`). What a message does to tickets is decided in `services/mail.py`."""
