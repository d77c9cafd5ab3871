from django.dispatch import Signal

# Two records of one account became one (a masked hint matched): sent with source_id (gone) and
# target (the account that stays), inside the merge's transaction.
account_merged = Signal()
