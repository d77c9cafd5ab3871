"""IMAP plumbing: connect with step-wise errors, read folders without ever changing them, IDLE."""
