"""A unit's mailbox polled over IMAP, and every mail read from it."""
