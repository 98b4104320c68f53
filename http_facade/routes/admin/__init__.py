"""``/api/admin``: users, bans, stats, audit, a user's content, the trash, bot accounts."""
