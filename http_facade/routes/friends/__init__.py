"""``/api/friends``: friend requests, friends and the DMs-from-friends-only setting."""
