"""The Expo push service: sending notifications to the mobile app's Expo push tokens, reading receipts."""
