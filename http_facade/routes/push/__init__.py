"""Offline delivery's REST: Web Push subscriptions, delivery preferences, the VAPID key
and the digest's unsubscribe link (docs/NOTIFICATIONS.md)."""
