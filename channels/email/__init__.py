"""Email: MIME parsing, reply extraction, threading, SMTP sending, mailbox reading."""
