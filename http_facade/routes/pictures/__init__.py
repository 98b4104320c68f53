"""Pictures of users (avatars), topics and chat rooms: set, remove and serve them."""
