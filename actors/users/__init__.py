"""Users: the user actor (presence), its commands, the sessions' connection listener, and
the notification feed actor with its reads."""
