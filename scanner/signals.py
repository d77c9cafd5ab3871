from django.dispatch import Signal

# Sent inside the transaction that stored new findings, with owner_id and finding_ids:
# a receiver that fails rolls the batch back, so the batch is read again and nothing is half-done.
findings_recorded = Signal()

# A mailbox's provider withdrew OAuth2 access (sent once, when it turns "reconnect needed"), with
# mailbox_id: its owner should be told, since only they can sign in again.
mailbox_needs_reconnect = Signal()
