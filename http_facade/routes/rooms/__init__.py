"""``/api/chat-rooms``: rooms, members and history."""
