"""The front office and the counters: guest-book entries, queue tickets, counters and their calls."""
