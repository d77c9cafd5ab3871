from django.dispatch import Signal

# Sent inside the transaction that stored new findings, with owner_id and finding_ids:
# a receiver that fails rolls the batch back, so the batch is read again and nothing is half-done.
findings_recorded = Signal()
