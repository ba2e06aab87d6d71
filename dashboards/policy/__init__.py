"""The public page on the programme documents and their rules."""
