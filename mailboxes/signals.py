from django.dispatch import Signal

# A mailbox's provider withdrew OAuth2 access (sent once, when it turns "reconnect needed"), with
# mailbox_id: its owner should be told, since only they can sign in again.
mailbox_needs_reconnect = Signal()
