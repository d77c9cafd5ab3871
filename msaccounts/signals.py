from django.dispatch import Signal

# Two records of one account became one (a masked hint matched): sent with source_id (gone) and
# target (the account that stays), inside the merge's transaction.
account_merged = Signal()

# What arrived contradicts a step the person marked done (codes after sign-in with the address was
# turned off): sent inside the reopening's transaction with account, mark (the reopening) and
# contradicted (the done mark).
step_contradicted = Signal()
