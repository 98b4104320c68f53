"""Direct messages: the conversation actor, its commands, its channel routes and its log."""
