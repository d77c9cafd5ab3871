from django.dispatch import Signal

# An incident opened (change "opened": for an account, a wave started) or its severity rose
# (change "raised"). Sent inside the transaction that made the change, with incident and change;
# listeners that reach outside (alerts) must act on commit.
incident_changed = Signal()

# Someone acted on an incident: change "acknowledged", "taken" or "resolved". Sent inside the action's
# transaction with incident and change; listeners that reach outside (webhooks) must act on commit.
incident_handled = Signal()

# A new Microsoft code that no rule decided on waits for its person's answer: send finding, member.
code_awaits_answer = Signal()
