"""Push notifications: devices (Expo tokens, Web Push subscriptions), VAPID keys, sending."""
